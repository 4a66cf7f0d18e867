#pragma once
// Finding devices and taking ownership of them unattended, safely by default: discovery every
// interval; the ownership mode decides what is owned without being asked (manual: nothing; a
// permit-join window that closes by itself; automatic), Just-Works only where the configuration
// allows it and at most justworks_per_window per window (or per discovery round when automatic);
// with approval on, a discovered device waits as pending_approval until approve/deny.
// While devices may be owned unattended (a window is open, or automatic mode), join rounds run in
// between: unowned devices only, probed again every join_interval_ms and each handled as soon as
// it answers, so a new device is owned within about a second (opening a window starts one at once).
//
// Random PIN asks for the PIN with a pairing_request event and waits for request/pin, parked on
// the provisioning worker (JobQueue::park): other requests and other pairing requests go on
// meanwhile. A wrong PIN is announced (ownership_failed, reason wrong_pin) and, while ownership is
// still wanted, the transfer starts again: the device shows a new PIN, a new pairing_request
// follows, up to pin_attempts in all.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
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
    // unknown, owned, or its method is not offered. `done` gets the outcome as JSON ({"device",
    // "status": "owned"|"failed"|"refused", "reason", ...}) on a worker thread. A device already
    // being owned: the request joins that transfer (`done` gets its outcome) and an open pairing
    // request is announced again. A blocked device is admitted by this explicit request (its block
    // is lifted once the ownership is queued).
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
    // While joinOpen(): one join round (unowned devices, reprobed every join interval, each handled
    // as it answers) until `until`, the window closes or stop().
    void joinRound(std::chrono::steady_clock::time_point until);
    bool joinOpen() const;  // mutex_ held
    core::DiscoveryOptions discoveryOptions(core::DiscoveryScope scope) const;
    // One device's answer: the directory, events, ownership as the mode says.
    void handleAnswer(const core::DiscoveredDevice& d, const std::map<core::Uuid, core::BlockedDevice>& blocked);
    std::map<core::Uuid, core::BlockedDevice> blockedDevices() const;
    void considerForOwnership(const DeviceView& view, const core::DiscoveredDevice& answer, bool fresh);
    bool automaticAllowed(const core::DiscoveredDevice& answer, std::optional<int>& method);
    // `userAsked`: own/approve (a wrong PIN is tried again whatever the mode says).
    void ownOnWorker(const core::DiscoveredDevice& device, std::optional<int> method, bool userAsked);
    // Everyone waiting for the outcome of `id`'s transfer gets `result` (the transfer ended).
    void finish(const core::Uuid& id, const Poco::JSON::Object::Ptr& result);
    void announcePairingRequest(const PinRequest& request);
    bool ownershipStillWanted(bool userAsked) const;
    // `explicitRequest`: a user's own request, which may own (and so admits) a blocked device.
    std::string queueOwnership(const core::Uuid& id, std::optional<int> method, std::function<void(Poco::JSON::Object::Ptr)> done,
                               bool explicitRequest = false);
    void resolvePendingWork(const std::vector<core::DiscoveredDevice>& found);
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
    // Transfers queued or running, with whoever waits for their outcome (requests that asked for
    // a device already being owned join it). Guarded by mutex_.
    std::map<core::Uuid, std::vector<std::function<void(Poco::JSON::Object::Ptr)>>> transfers_;
    // Pending revocations and stale links are retried with back-off while devices stay away.
    std::chrono::steady_clock::time_point pendingWorkDue_{};  // guarded by mutex_
    std::chrono::seconds pendingWorkDelay_{0};                // guarded by mutex_
    bool pendingWorkQueued_ = false;                          // guarded by mutex_
    OwnershipRetries retries_;                                // limits from ownership_ (constructor)

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    bool wakeRequested_ = false;  // a window opened: a join round at once
    std::chrono::steady_clock::time_point windowEnd_{};
    int justWorksInWindow_ = 0;
    std::thread thread_;
};

}  // namespace steward::bridge
