#pragma once
// Finding devices and taking ownership of them unattended, safely by default: discovery every
// interval; the ownership mode decides what is owned without being asked (manual: nothing; a
// permit-join window that closes by itself; automatic), Just-Works only where the configuration
// allows it and at most justworks_per_window per window (or per discovery round when automatic);
// with approval on, a discovered device waits as pending_approval until approve/deny. Random PIN
// asks for the PIN with a pairing_request event and waits for request/pin. Transfers run on the
// provisioning worker, one at a time.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "daemon_config.hpp"
#include "device_directory.hpp"
#include "event_sink.hpp"
#include "job_queue.hpp"
#include "onboarding_metrics.hpp"
#include "ownership_retries.hpp"
#include "pin_broker.hpp"
#include "steward/gateway/gateway_state.hpp"

namespace steward::bridge {

class Onboarding {
public:
    struct Parts {
        core::GatewayState& gateway;
        DeviceDirectory& directory;
        PinBroker& pins;
        JobQueue& worker;
        OnboardingMetrics& metrics;
        EventSink& events;
    };
    // `afterOwned` runs on the worker right after a device was owned (policies).
    Onboarding(Parts parts, OwnershipConfig ownership, DiscoveryConfig discovery, std::function<void(const core::Uuid&)> afterOwned,
               std::function<void(const std::string&)> log);
    ~Onboarding();

    void start();  // the discovery thread; a first round at once
    void stop();   // ends the discovery thread and waits for it

    // One discovery round now (blocking: up to the discovery timeout); updates the directory.
    std::vector<core::DiscoveredDevice> discoverNow(core::DiscoveryScope scope);

    // Queues the ownership of a device seen by discovery. Error text (and nothing queued) if it is
    // unknown, owned, already being owned, or its method is not offered. `done` gets the outcome
    // as JSON ({"device", "status": "owned"|"failed", ...}) on the worker. A blocked device is
    // admitted by this explicit request (its block is lifted once the ownership is queued).
    std::string requestOwn(const core::Uuid& id, std::optional<int> method, std::function<void(Poco::JSON::Object::Ptr)> done);

    // Opens the permit-join window for `seconds` (clamped to the configured maximum; 0 closes
    // it); returns the seconds granted.
    std::chrono::seconds permitJoin(std::chrono::seconds seconds);
    std::chrono::seconds permitJoinRemaining() const;

    // Blocked devices (removed by the user; kept in the PDM): never owned by permit-join or
    // automatic mode. block() records the block (`reason`, e.g. "removed"); admit() lifts it and
    // announces device_admitted: "" or why not (not blocked).
    void block(const core::Uuid& id, const std::string& reason);
    std::string admit(const core::Uuid& id);

    // Approval queue: "" or why not (unknown device, not pending approval).
    std::string approve(const core::Uuid& id);
    std::string deny(const core::Uuid& id);

    OwnershipMode mode() const { return ownership_.mode; }

private:
    void loop();
    void considerForOwnership(const DeviceView& view, const core::DiscoveredDevice& answer, bool fresh);
    bool automaticAllowed(const core::DiscoveredDevice& answer, std::optional<int>& method);
    void ownOnWorker(const core::DiscoveredDevice& device, std::optional<int> method,
                     const std::function<void(Poco::JSON::Object::Ptr)>& done);
    // `explicitRequest`: a user's own request, which may own (and so admits) a blocked device.
    std::string queueOwnership(const core::Uuid& id, std::optional<int> method, std::function<void(Poco::JSON::Object::Ptr)> done,
                               bool explicitRequest = false);
    void resolvePendingWork();
    void settleInterruptedTransfers();  // queues the resolution of pending PDM rows (worker)
    void settleOnWorker();

    Parts parts_;
    OwnershipConfig ownership_;
    DiscoveryConfig discovery_;
    std::function<void(const core::Uuid&)> afterOwned_;
    std::function<void(const std::string&)> log_;

    // Answers "unowned" with a UUID the PDM records as owned, already announced (uuid + address):
    // one ownership_refused event each, not one per discovery round.
    bool announceImpostor(const core::DiscoveredDevice& answer);
    std::set<std::pair<core::Uuid, std::string>> impostorsAnnounced_;  // guarded by mutex_
    OwnershipRetries retries_;                                         // limits from ownership_ (constructor)

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point windowEnd_{};
    int justWorksInWindow_ = 0;
    std::thread thread_;
};

}  // namespace steward::bridge
