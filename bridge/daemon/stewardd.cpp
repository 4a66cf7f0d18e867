// stewardd: the gateway daemon. Loads its configuration and plugins, owns and provisions devices
// as the ownership mode and the YAML policies say, and speaks MQTT. SIGTERM/SIGINT stop it cleanly
// (the transfer in progress ends; queued work is answered as cancelled) within a deadline; SIGHUP
// reloads policies.
//
// Under systemd (Type=notify) it says READY=1 once every part is up (so the plugins are loaded)
// and the broker has answered, RELOADING=1/READY=1 around a SIGHUP reload, STOPPING=1 when it
// stops, and STATUS= lines along the way (systemd_notify.hpp).
//
// Its parts are subsystems (lifecycle/), started in this order and stopped in the reverse one:
// configuration, storage, plugins, devices, mqtt, idprov, provisioning, requests. A part that
// fails to start takes the ones already up down with it (exit 70, or 78 for the configuration).
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include "daemon_config.hpp"
#include "lifecycle/lifecycle.hpp"
#include "lifecycle/plugin_subsystem.hpp"
#include "lifecycle/request_subsystem.hpp"
#include "policy/policy_store.hpp"
#include "steward/version.hpp"
#include "systemd_notify.hpp"

namespace steward::bridge {
namespace {

constexpr const char* kDefaultConfig = "/etc/steward/steward.yaml";
// SIGTERM to exit: at most this for the orderly stop (the job in progress ends, queued work is
// answered as cancelled), then the process ends anyway; within systemd's and the 10 s.
constexpr std::chrono::seconds kStopDeadline{8};

class Stewardd : public Poco::Util::ServerApplication {
public:
    // The daemon's parts, registered in start-up order; each refers to the ones before it.
    Stewardd()
        : notifier_([this](const std::string& line) { report(Poco::Message::PRIO_WARNING, line); }),
          readiness_(notifier_, [this] { return readyStatus(); }),
          lifecycle_([this](Poco::Message::Priority priority, const std::string& line) { report(priority, line); }, kStopDeadline) {
        configuration_ = new ConfigurationSubsystem(configFile_);
        storage_ = new StorageSubsystem(*configuration_);
        auto* plugins = new PluginSubsystem(*storage_);
        auto* devices = new DeviceSubsystem(*storage_);
        // Called on the MQTT network thread: Readiness only sets a flag there.
        auto* mqtt = new MqttSubsystem(*configuration_, *storage_, *devices, [this](bool connected, const std::string&) {
            if (connected) readiness_.brokerAnswered();
        });
        auto* idprov = new IdprovSubsystem(*configuration_, *storage_, *mqtt);
        auto* provisioning = new ProvisioningSubsystem(*configuration_, *storage_, *devices, *mqtt, *idprov);
        auto* requests =
            new RequestSubsystem(*mqtt, *provisioning, {[this] { readiness_.reloading(); }, [this] { readiness_.reloaded(); }});
        for (DaemonSubsystem* s :
             std::initializer_list<DaemonSubsystem*>{configuration_, storage_, plugins, devices, mqtt, idprov, provisioning, requests}) {
            lifecycle_.add(s);
        }
        lifecycle_.onStarting([this](const std::string& step) { startingStatus(step); });
    }

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

    // Poco's own initialization, then the daemon's parts (not for --help, --version, --check-config).
    void initialize(Poco::Util::Application& self) override {
        ServerApplication::initialize(self);
        if (help_ || version_ || check_) return;
        // A second layer under the explicit 0600/0700 modes: nothing a library creates (SQLite's
        // journal, OpenSSL's files) is readable by others either.
        ::umask(077);
        // Before any thread exists: every thread inherits these blocked, so that the signals reach
        // only the threads that wait for them (waitForTerminationRequest, the SIGHUP thread).
        sigset_t signals;
        sigemptyset(&signals);
        for (int s : {SIGINT, SIGTERM, SIGQUIT, SIGHUP}) sigaddset(&signals, s);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);
        startFailure_ = lifecycle_.start(self);
    }

    void uninitialize() override {
        if (started()) readiness_.stopping();  // sent by main() already, unless it threw
        lifecycle_.stop();                     // nothing left to do after main()'s stop; the way down if main() threw
        ServerApplication::uninitialize();
    }

    int main(const std::vector<std::string>&) override {
        if (help_ || version_) return EXIT_OK;
        if (check_) return checkConfiguration();
        if (startFailure_) return startFailure_->exitCode;
        auto& logger = daemonLogger();
        logger.information("stewardd ready");
        // READY=1 now if the broker has answered already, else from Readiness's thread once it does.
        readiness_.startedUp("waiting for the MQTT broker at " + brokerAddress());
        waitForTerminationRequest();
        logger.information("stopping: finishing the operation in progress");
        readiness_.stopping();
        readiness_.status("stopping: finishing the operation in progress");
        lifecycle_.stop();
        logger.information("stewardd stopped");
        return EXIT_OK;
    }

private:
    int checkConfiguration() {
        DaemonConfig config;
        try {
            config = loadDaemonConfig(configFile_);
        } catch (const ConfigError& e) {
            std::cerr << "stewardd: " << e.what() << '\n';
            return EXIT_CONFIG;
        }
        PolicyStore probe;
        const auto result = probe.reload(config.policyDir);
        if (!result.ok) {
            std::cerr << "stewardd: " << result.error << '\n';
            return EXIT_CONFIG;
        }
        std::cout << configFile_ << ": ok; " << probe.current()->policies.size() << " policies in " << config.policyDir.string() << '\n';
        return EXIT_OK;
    }

    bool started() const { return !help_ && !version_ && !check_ && !startFailure_; }

    std::string brokerAddress() const {
        const auto& mqtt = configuration_->config().mqtt;
        return mqtt.host + ":" + std::to_string(mqtt.port);
    }

    // What systemctl status shows while each part starts (only the steps that may take a while).
    void startingStatus(const std::string& step) noexcept {
        try {
            if (step == "storage") {
                readiness_.status("opening the state and loading plugins");
            } else if (step == "devices") {
                readiness_.status("loading the devices");
            } else if (step == "mqtt") {
                readiness_.status("starting the MQTT bridge (broker " + brokerAddress() + ")");
            } else if (step == "provisioning") {
                readiness_.status("loading the policies, starting discovery");
            }
        } catch (...) {
            // A status line is not worth failing the start for.
        }
    }

    // The STATUS line with each READY=1 (on Readiness's thread or the SIGHUP thread; every part is up).
    std::string readyStatus() const {
        const auto owned = storage_->gateway().pdm->devicesInState(core::DeviceRecordState::Owned).size();
        return "ready: " + std::to_string(owned) + (owned == 1 ? " owned device" : " owned devices") + ", ownership mode " +
               std::string(toString(configuration_->config().ownership.mode)) + ", broker " + brokerAddress();
    }

    // The lifecycle's lines: on the daemon's logger once the configuration has set it up, else on
    // stderr (a configuration error: "stewardd: FILE:LINE:COLUMN: key: problem").
    void report(Poco::Message::Priority priority, const std::string& line) {
        if (configuration_ != nullptr && configuration_->loggingReady()) {
            daemonLogger().log(Poco::Message("stewardd", line, priority));
        } else if (priority <= Poco::Message::PRIO_ERROR) {
            std::cerr << "stewardd: " << line << '\n';
        }
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
    // Absolute: --daemon changes to / before the file is read.
    void onConfig(const std::string&, const std::string& value) { configFile_ = std::filesystem::absolute(value).string(); }
    void onCheck(const std::string&, const std::string&) { check_ = true; }

    bool help_ = false;
    bool version_ = false;
    bool check_ = false;
    std::string configFile_ = kDefaultConfig;
    ConfigurationSubsystem* configuration_ = nullptr;  // owned by lifecycle_
    StorageSubsystem* storage_ = nullptr;              // owned by lifecycle_
    std::optional<Lifecycle::Failure> startFailure_;
    SystemdNotifier notifier_;
    Readiness readiness_;  // before lifecycle_: the subsystems' hooks call it until they are down
    Lifecycle lifecycle_;  // last: its subsystems refer to configFile_
};

}  // namespace
}  // namespace steward::bridge

POCO_SERVER_MAIN(steward::bridge::Stewardd)
