#pragma once
// Subsystem "provisioning": the provisioning worker (JobQueue) and everything whose work runs on
// it or feeds it: the PIN broker, the policies and their applier, onboarding (its discovery
// thread), and the request router; the start-up jobs (half-made links finished, policies applied
// to owned devices, the pairings devices made read).
//
// Its stop answers before it waits: the PIN waits end (those transfers fail, the devices reset
// themselves), the queued jobs are dropped and each is answered as cancelled, and only then does it
// wait for the job in progress and the discovery round (at once, not one after the other). Both
// threads are stopped before any of the objects their work uses is destroyed.
#include <atomic>
#include <memory>

#include "idprov_subsystem.hpp"
#include "job_queue.hpp"
#include "onboarding.hpp"
#include "pin_broker.hpp"
#include "policy/policy_store.hpp"
#include "policy_applier.hpp"
#include "request_router.hpp"

namespace steward::bridge {

class ProvisioningSubsystem final : public DaemonSubsystem {
public:
    ProvisioningSubsystem(const ConfigurationSubsystem& configuration, const StorageSubsystem& storage, const DeviceSubsystem& devices,
                          const MqttSubsystem& mqtt, const IdprovSubsystem& idprov);
    ~ProvisioningSubsystem() override;
    const char* name() const override { return "provisioning"; }

    RequestRouter& router() const;  // between initialize() and uninitialize()

protected:
    void initialize(Poco::Util::Application& app) override;
    void uninitialize() override;

private:
    void postStartUpJobs(bool policiesLoaded);
    // PolicyApplier::applyAll(), one device at a time, ending early once the daemon stops.
    void applyToEveryOwnedDevice();

    const ConfigurationSubsystem& configuration_;
    const StorageSubsystem& storage_;
    const DeviceSubsystem& devices_;
    const MqttSubsystem& mqtt_;
    const IdprovSubsystem& idprov_;
    std::atomic<bool> stopping_{false};
    std::unique_ptr<PinBroker> pins_;
    std::unique_ptr<PolicyStore> policies_;
    std::unique_ptr<PolicyApplier> applier_;
    std::unique_ptr<Onboarding> onboarding_;
    std::unique_ptr<RequestRouter> router_;
    std::unique_ptr<JobQueue> worker_;
};

}  // namespace steward::bridge
