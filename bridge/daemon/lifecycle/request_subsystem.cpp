#include "request_subsystem.hpp"

#include <pthread.h>
#include <signal.h>

#include "steward/version.hpp"

namespace steward::bridge {

RequestSubsystem::RequestSubsystem(const MqttSubsystem& mqtt, const ProvisioningSubsystem& provisioning, ReloadHooks hooks)
    : mqtt_(mqtt), provisioning_(provisioning), hooks_(std::move(hooks)) {}

RequestSubsystem::~RequestSubsystem() { uninitialize(); }

void RequestSubsystem::initialize(Poco::Util::Application&) {
    auto& router = provisioning_.router();
    stopping_ = false;
    opened_ = true;
    mqtt_.gate().open([&router](const std::string& action, const std::string& payload) { router.handle(action, payload); });
    publishInfo();
    // SIGHUP is blocked in every thread (stewardd blocks it before the first one starts): this one
    // takes it with sigwait().
    reloader_ = std::thread([this] { reloadOnSighup(); });
}

void RequestSubsystem::uninitialize() {
    if (opened_) {
        mqtt_.gate().close("the gateway is shutting down");
        opened_ = false;
    }
    if (reloader_.joinable()) {
        stopping_ = true;
        pthread_kill(reloader_.native_handle(), SIGHUP);
        reloader_.join();
    }
}

void RequestSubsystem::publishInfo() {
    // The retained info carries the build's version, the one --version prints.
    auto info = provisioning_.router().info();
    info->set("version", std::string(core::versionText()));
    mqtt_.bridge().publishInfo(info);
}

void RequestSubsystem::reloadOnSighup() {
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    for (;;) {
        int sig = 0;
        if (sigwait(&hup, &sig) != 0 || stopping_) return;
        daemonLogger().information("SIGHUP: reloading policies");
        if (hooks_.before) hooks_.before();
        try {
            // Returns once the policy set is swapped (or refused, the last good one kept); applying
            // changed policies to the devices goes on, on the provisioning worker.
            provisioning_.router().reloadPolicies();
            publishInfo();
        } catch (const std::exception& e) {
            daemonLogger().error(std::string("policy reload on SIGHUP failed: ") + e.what());
        }
        if (hooks_.after) hooks_.after();
    }
}

}  // namespace steward::bridge
