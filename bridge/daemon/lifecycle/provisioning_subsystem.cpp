#include "provisioning_subsystem.hpp"

#include <thread>

#include "gateway_sync.hpp"

namespace steward::bridge {

ProvisioningSubsystem::ProvisioningSubsystem(const ConfigurationSubsystem& configuration, const StorageSubsystem& storage,
                                             const DeviceSubsystem& devices, const MqttSubsystem& mqtt, const IdprovSubsystem& idprov)
    : configuration_(configuration), storage_(storage), devices_(devices), mqtt_(mqtt), idprov_(idprov) {}

ProvisioningSubsystem::~ProvisioningSubsystem() { uninitialize(); }

RequestRouter& ProvisioningSubsystem::router() const {
    if (!router_) throw std::logic_error("the request router is not up");
    return *router_;
}

void ProvisioningSubsystem::initialize(Poco::Util::Application&) {
    const auto& config = configuration_.config();
    auto& gateway = storage_.gateway();
    auto& directory = devices_.directory();
    auto& mqtt = mqtt_.bridge();
    auto& logger = daemonLogger();
    const auto log = informationLog();
    stopping_ = false;

    pins_ = std::make_unique<PinBroker>();
    // Jobs on different devices (ownership transfers above all) run side by side, up to
    // ownership.workers; jobs that may touch any device (policies, sync) run alone.
    worker_ = std::make_unique<JobQueue>([&logger](const std::string& line) { logger.error(line); },
                                         static_cast<std::size_t>(config.ownership.workers));
    policies_ = std::make_unique<PolicyStore>();
    applier_ = std::make_unique<PolicyApplier>(gateway, *policies_, directory, mqtt, log);
    onboarding_ = std::make_unique<Onboarding>(
        Onboarding::Parts{gateway, directory, *pins_, *worker_, mqtt_.metrics(), mqtt}, config.ownership, config.discovery,
        [applier = applier_.get()](const core::Uuid& id) { applier->apply(id, PolicyApplier::Reason::Owned); }, log);
    router_ = std::make_unique<RequestRouter>(RequestRouter::Parts{config, gateway, directory, *worker_, *pins_, *onboarding_, *policies_,
                                                                   *applier_, mqtt_.metrics(), mqtt, idprov_.host()},
                                              log);

    const auto first = policies_->reload(config.policyDir);
    if (!first.ok) {
        logger.error("policies not loaded (none active until a good reload): " + first.error);
    } else {
        log(std::to_string(policies_->current()->policies.size()) + " policies loaded from " + config.policyDir.string());
    }
    postStartUpJobs(first.ok);
    onboarding_->start();
}

void ProvisioningSubsystem::postStartUpJobs(bool policiesLoaded) {
    auto& gateway = storage_.gateway();
    if (gateway.pdm->devicesInState(core::DeviceRecordState::Owned).empty()) return;
    const auto log = informationLog();
    // What the policies give owned devices may be missing (owned while the daemon was down, or a
    // kill in the middle of applying them): applied again, on the worker; what is recorded already
    // is not sent again.
    if (policiesLoaded) {
        worker_->post({"finish half-made links, then apply the policies to every owned device (start-up)",
                       [this, &gateway, log] {
                           // A link killed halfway is a stale link: taken back first, so that the
                           // policies can make it again.
                           if (!gateway.pdm->staleLinks().empty()) {
                               auto ctx = gateway.provisioning([log](const std::string& line) { log("sync: " + line); });
                               gateway.credentials()->resolvePending(ctx);
                           }
                           applyToEveryOwnedDevice();
                       },
                       {},
                       {}});  // no devices named: it touches all of them, and runs alone
    }
    // The pairings devices made by themselves while the daemon was down (Direct Pairing), recorded
    // as direct links; also what `sync` does, on request.
    if (gateway.registry.pairingProvider()) {
        worker_->post({"read the pairings devices made (start-up)",
                       [this, &gateway, log] {
                           if (stopping_) return;
                           auto ctx = gateway.provisioning([log](const std::string& line) { log("sync: " + line); });
                           const auto outcome = syncPairings(gateway, ctx);
                           for (const auto& line : outcome.done) log("sync: " + line);
                           if (!outcome.ok) log("sync of direct pairings failed: " + outcome.error);
                       },
                       {},
                       {}});  // no devices named: it touches all of them, and runs alone
    }
}

void ProvisioningSubsystem::applyToEveryOwnedDevice() {
    const auto owned = storage_.gateway().pdm->devicesInState(core::DeviceRecordState::Owned);
    for (std::size_t i = 0; i < owned.size(); ++i) {
        if (stopping_) {
            daemonLogger().information("applying the policies at start-up stopped by the shutdown; " + std::to_string(owned.size() - i) +
                                       " owned devices left for the next start");
            return;
        }
        applier_->apply(owned[i].id);
    }
}

void ProvisioningSubsystem::uninitialize() {
    stopping_ = true;
    // Answers first: a transfer waiting for a PIN fails now (the device resets itself), and the
    // queued jobs are answered as cancelled by the worker's stop.
    if (pins_) pins_->cancelAll();
    setActivity("the job in progress on the provisioning worker, and the discovery round");
    std::thread discoveryStopping;
    if (onboarding_) discoveryStopping = std::thread([onboarding = onboarding_.get()] { onboarding->stop(); });
    if (worker_) worker_->stop();
    if (discoveryStopping.joinable()) discoveryStopping.join();
    setActivity("");
    // Both threads are down: nothing uses these any more.
    router_.reset();
    onboarding_.reset();
    applier_.reset();
    policies_.reset();
    worker_.reset();
    pins_.reset();
}

}  // namespace steward::bridge
