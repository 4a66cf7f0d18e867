// stewardd: the gateway daemon. Loads its configuration and plugins, owns and provisions devices
// as the ownership mode and the YAML policies say, and speaks MQTT. SIGTERM/SIGINT stop it cleanly
// (the transfer in progress ends; queued work is answered as cancelled); SIGHUP reloads policies.
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <Poco/SyslogChannel.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "daemon_config.hpp"
#include "device_directory.hpp"
#include "enrollment_host.hpp"
#include "gateway_sync.hpp"
#include "job_queue.hpp"
#include "mqtt_bridge.hpp"
#include "onboarding.hpp"
#include "pin_broker.hpp"
#include "policy_applier.hpp"
#include "request_router.hpp"
#include "steward/transport/transport_log.hpp"
#include "steward/version.hpp"

namespace steward::bridge {
namespace {

constexpr const char* kDefaultConfig = "/etc/steward/steward.yaml";

class Stewardd : public Poco::Util::ServerApplication {
protected:
    void defineOptions(Poco::Util::OptionSet& options) override {
        ServerApplication::defineOptions(options);
        options.addOption(Poco::Util::Option("help", "h", "show this help and exit")
                              .required(false)
                              .repeatable(false)
                              .callback(Poco::Util::OptionCallback<Stewardd>(this, &Stewardd::onHelp)));
        options.addOption(Poco::Util::Option("version", "", "print the version and exit")
                              .required(false)
                              .repeatable(false)
                              .callback(Poco::Util::OptionCallback<Stewardd>(this, &Stewardd::onVersion)));
        options.addOption(Poco::Util::Option("config", "c", "the configuration file (default " + std::string(kDefaultConfig) + ")")
                              .required(false)
                              .repeatable(false)
                              .argument("FILE")
                              .callback(Poco::Util::OptionCallback<Stewardd>(this, &Stewardd::onConfig)));
        options.addOption(Poco::Util::Option("check-config", "", "check the configuration and the policies, then exit")
                              .required(false)
                              .repeatable(false)
                              .callback(Poco::Util::OptionCallback<Stewardd>(this, &Stewardd::onCheck)));
    }

    int main(const std::vector<std::string>&) override {
        if (help_ || version_) return EXIT_OK;
        // Before any thread exists: every thread inherits these blocked, so that the signals reach
        // only the threads that wait for them (waitForTerminationRequest, the SIGHUP thread).
        sigset_t signals;
        sigemptyset(&signals);
        for (int s : {SIGINT, SIGTERM, SIGQUIT, SIGHUP}) sigaddset(&signals, s);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        DaemonConfig config;
        try {
            config = loadDaemonConfig(configFile_);
        } catch (const ConfigError& e) {
            std::cerr << "stewardd: " << e.what() << '\n';
            return EXIT_CONFIG;
        }
        if (check_) {
            PolicyStore probe;
            const auto result = probe.reload(config.policyDir);
            if (!result.ok) {
                std::cerr << "stewardd: " << result.error << '\n';
                return EXIT_CONFIG;
            }
            std::cout << configFile_ << ": ok; " << probe.current()->policies.size() << " policies in " << config.policyDir.string()
                      << '\n';
            return EXIT_OK;
        }
        auto& logger = setUpLogging(config);
        const auto log = [&logger](const std::string& line) { logger.information(line); };
        if (logger.getLevel() < Poco::Message::PRIO_DEBUG) core::setTransportLogLevel(core::TransportLogLevel::Error);

        try {
            return serve(config, logger, log);
        } catch (const std::exception& e) {
            logger.critical(std::string("stewardd cannot run: ") + e.what());
            return EXIT_SOFTWARE;
        }
    }

private:
    int serve(const DaemonConfig& config, Poco::Logger& logger, const std::function<void(const std::string&)>& log) {
        logger.information("stewardd " + std::string(core::versionText()) + " starting: configuration " + config.file.string() +
                           ", state " + config.stateDir.string() + ", plugins " + config.pluginDir.string() + ", ownership mode " +
                           std::string(toString(config.ownership.mode)));
        core::GatewayState gateway(config.stateDir, config.pluginDir);
        for (const auto& r : gateway.pluginReports) {
            if (r.loaded) {
                log("plugin " + r.name + " " + r.version + " loaded from " + r.path);
            } else {
                logger.error("plugin " + r.path + " skipped: " + r.reason);
            }
        }
        log("gateway " + gateway.identity.id().toString());
        for (const auto& [id, resolution] : gateway.ownership.resolvePending()) {
            log("device " + id.toString() + " left pending by an interrupted transfer: " + std::string(core::toString(resolution)));
        }

        DeviceDirectory directory;
        directory.loadOwned(*gateway.pdm);
        PinBroker pins;
        JobQueue worker([&logger](const std::string& line) { logger.error(line); });
        OnboardingMetrics metrics;
        PolicyStore policies;
        MqttBridge mqtt(config, gateway, directory, metrics, log);
        PolicyApplier applier(gateway, policies, directory, mqtt, log);
        Onboarding onboarding(
            {gateway, directory, pins, worker, metrics, mqtt}, config.ownership, config.discovery,
            [&applier](const core::Uuid& id) { applier.apply(id, PolicyApplier::Reason::Owned); }, log);
        EnrollmentHost enrollment(config.idprov, gateway, mqtt, log);
        RequestRouter router({config, gateway, directory, worker, pins, onboarding, policies, applier, metrics, mqtt, enrollment}, log);

        const auto first = policies.reload(config.policyDir);
        if (!first.ok)
            logger.error("policies not loaded (none active until a good reload): " + first.error);
        else
            log(std::to_string(policies.current()->policies.size()) + " policies loaded from " + config.policyDir.string());

        enrollment.start();
        mqtt.start([&router](const std::string& action, const std::string& payload) { router.handle(action, payload); });
        // The retained info carries the build's version, the one --version prints.
        const auto publishInfo = [&mqtt, &router] {
            auto info = router.info();
            info->set("version", std::string(core::versionText()));
            mqtt.publishInfo(info);
        };
        publishInfo();
        mqtt.publishAllDevices();
        mqtt.metricsChanged();
        // What the policies give owned devices may be missing (owned while the daemon was down, or
        // a kill in the middle of applying them): applied again, on the worker; what is recorded
        // already is not sent again.
        if (first.ok && !gateway.pdm->devicesInState(core::DeviceRecordState::Owned).empty()) {
            worker.post({"finish half-made links, then apply the policies to every owned device (start-up)",
                         [&] {
                             // A link killed halfway is a stale link: taken back first, so that the
                             // policies can make it again.
                             if (!gateway.pdm->staleLinks().empty()) {
                                 auto ctx = gateway.provisioning([&](const std::string& line) { log("sync: " + line); });
                                 gateway.credentials()->resolvePending(ctx);
                             }
                             applier.applyAll();
                         },
                         {}});
        }
        // The pairings devices made by themselves while the daemon was down (Direct Pairing), recorded
        // as direct links; also what `sync` does, on request.
        if (gateway.registry.pairingProvider() && !gateway.pdm->devicesInState(core::DeviceRecordState::Owned).empty()) {
            worker.post({"read the pairings devices made (start-up)",
                         [&] {
                             auto ctx = gateway.provisioning([&](const std::string& line) { log("sync: " + line); });
                             const auto outcome = syncPairings(gateway, ctx);
                             for (const auto& line : outcome.done) log("sync: " + line);
                             if (!outcome.ok) log("sync of direct pairings failed: " + outcome.error);
                         },
                         {}});
        }
        onboarding.start();

        std::atomic<bool> stopping{false};
        std::thread reloader([&] {
            sigset_t hup;
            sigemptyset(&hup);
            sigaddset(&hup, SIGHUP);
            for (;;) {
                int sig = 0;
                if (sigwait(&hup, &sig) != 0 || stopping) return;
                log("SIGHUP: reloading policies");
                router.reloadPolicies();
                publishInfo();
            }
        });
        log("stewardd ready");
        waitForTerminationRequest();

        log("stopping: finishing the operation in progress");
        stopping = true;
        pthread_kill(reloader.native_handle(), SIGHUP);
        reloader.join();
        onboarding.stop();
        enrollment.stop();
        pins.cancelAll();  // a transfer waiting for a PIN fails now; the device resets itself
        worker.stop();
        mqtt.stop();
        log("stewardd stopped");
        return EXIT_OK;
    }

    Poco::Logger& setUpLogging(const DaemonConfig& config) {
        Poco::AutoPtr<Poco::Channel> sink;
        if (config.syslog) {
            sink = new Poco::SyslogChannel("stewardd", Poco::SyslogChannel::SYSLOG_PID, Poco::SyslogChannel::SYSLOG_DAEMON);
        } else {
            sink = new Poco::ConsoleChannel(std::clog);
        }
        Poco::AutoPtr<Poco::PatternFormatter> pattern(new Poco::PatternFormatter(config.syslog ? "%t" : "%Y-%m-%dT%H:%M:%S.%iZ %p %t"));
        Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(pattern, sink));
        auto& logger = Poco::Logger::get("stewardd");
        logger.setChannel(channel);
        logger.setLevel(config.logLevel);
        return logger;
    }

    void onHelp(const std::string&, const std::string&) {
        help_ = true;
        Poco::Util::HelpFormatter help(options());
        help.setCommand(commandName());
        help.setUsage("[--config FILE] [--check-config] [--daemon] [--pidfile FILE] | --version");
        help.setHeader(
            "Steward's gateway daemon: discovers OCF devices, takes ownership of them as the ownership mode allows "
            "(manual, permit-join window, automatic), provisions them by the YAML policies, and publishes everything "
            "on MQTT (requests on <base>/bridge/request/<action>). SIGHUP reloads the policies.");
        help.format(std::cout);
        stopOptionsProcessing();
    }
    void onVersion(const std::string&, const std::string&) {
        version_ = true;
        std::cout << "stewardd " << core::versionText() << '\n';
        stopOptionsProcessing();
    }
    void onConfig(const std::string&, const std::string& value) { configFile_ = value; }
    void onCheck(const std::string&, const std::string&) { check_ = true; }

    bool help_ = false;
    bool version_ = false;
    bool check_ = false;
    std::string configFile_ = kDefaultConfig;
};

}  // namespace
}  // namespace steward::bridge

POCO_SERVER_MAIN(steward::bridge::Stewardd)
