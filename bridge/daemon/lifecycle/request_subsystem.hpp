#pragma once
// Subsystem "requests": the MQTT API opened — the request gate handed to the router (requests held
// while the daemon started are handled now, in order), the retained bridge info published, and the
// SIGHUP thread that reloads the policies. Its stop closes the gate first thing: from then on every
// request is answered "the gateway is shutting down".
#include <atomic>
#include <functional>
#include <thread>

#include "provisioning_subsystem.hpp"

namespace steward::bridge {

class RequestSubsystem final : public DaemonSubsystem {
public:
    // Called around each SIGHUP reload on the SIGHUP thread (stewardd's RELOADING=1 / READY=1):
    // `before` ahead of it, `after` once it is done, whether the new policies were taken or the
    // last good ones kept. Must not throw.
    struct ReloadHooks {
        std::function<void()> before, after;
    };
    RequestSubsystem(const MqttSubsystem& mqtt, const ProvisioningSubsystem& provisioning, ReloadHooks hooks = {});
    ~RequestSubsystem() override;
    const char* name() const override { return "requests"; }

protected:
    void initialize(Poco::Util::Application& app) override;
    void uninitialize() override;

private:
    void publishInfo();
    void reloadOnSighup();

    const MqttSubsystem& mqtt_;
    const ProvisioningSubsystem& provisioning_;
    ReloadHooks hooks_;
    bool opened_ = false;
    std::atomic<bool> stopping_{false};
    std::thread reloader_;
};

}  // namespace steward::bridge
