#include "onboarding.hpp"

#include <map>

#include "steward/util/fault_injection.hpp"

#include "steward/provisioning/owned_discovery.hpp"

#include <Poco/JSON/Array.h>

#include "steward/model/doxm.hpp"

namespace steward::bridge {
namespace {

bool offers(const core::DiscoveredDevice& d, int oxm) { return std::find(d.oxms.begin(), d.oxms.end(), oxm) != d.oxms.end(); }

Poco::JSON::Object::Ptr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Poco::JSON::Object::Ptr discoveredJson(const core::DiscoveredDevice& d) {
    auto o = object();
    o->set("device", d.deviceId.toString());
    o->set("name", d.name);
    o->set("device_types", typesJson(d.deviceTypes));
    o->set("methods", methodsJson(d.oxms));
    o->set("owned", d.owned);
    return o;
}

}  // namespace

Onboarding::Onboarding(Parts parts, OwnershipConfig ownership, DiscoveryConfig discovery, std::function<void(const core::Uuid&)> afterOwned,
                       std::function<void(const std::string&)> log)
    : parts_(parts),
      ownership_(std::move(ownership)),
      discovery_(std::move(discovery)),
      afterOwned_(std::move(afterOwned)),
      log_(std::move(log)),
      retries_({ownership_.retryAfter, std::max<std::chrono::seconds>(ownership_.retryAfter, std::chrono::minutes(30)),
                ownership_.retryAttempts}) {}

Onboarding::~Onboarding() { stop(); }

void Onboarding::start() {
    // Blocked devices are listed (and published) before they are seen again, after a restart too.
    for (const auto& id : parts_.directory.loadBlocked(*parts_.gateway.pdm)) parts_.events.deviceChanged(id);
    thread_ = std::thread([this] { loop(); });
}

void Onboarding::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Onboarding::loop() {
    using Clock = std::chrono::steady_clock;
    auto nextRound = Clock::now();  // a first round at once
    for (;;) {
        {
            const std::lock_guard lock(mutex_);
            if (stopping_) return;
            wakeRequested_ = false;
        }
        if (Clock::now() >= nextRound) {
            try {
                const auto found = discoverNow(core::DiscoveryScope::All);
                resolvePendingWork(found);
                settleInterruptedTransfers();
            } catch (const std::exception& e) {
                log_(std::string("discovery round failed: ") + e.what());
            }
            nextRound = Clock::now() + discovery_.interval;
        }
        bool join = false;
        {
            const std::lock_guard lock(mutex_);
            join = joinOpen();
        }
        if (join) {
            // Join rounds fill the time to the next round; each lasts at least a join interval, so
            // that a round that ends early (nothing to wait for) does not turn into a busy loop.
            const auto started = Clock::now();
            try {
                joinRound(nextRound);
            } catch (const std::exception& e) {
                log_(std::string("join round failed: ") + e.what());
            }
            std::unique_lock lock(mutex_);
            cv_.wait_until(lock, std::min(nextRound, started + discovery_.joinInterval), [&] { return stopping_; });
            continue;
        }
        std::unique_lock lock(mutex_);
        cv_.wait_until(lock, nextRound, [&] { return stopping_ || wakeRequested_; });
        if (stopping_) return;
    }
}

bool Onboarding::joinOpen() const {
    if (discovery_.joinInterval.count() == 0 || stopping_) return false;
    return ownership_.mode == OwnershipMode::Automatic ||
           (ownership_.mode == OwnershipMode::PermitJoin && std::chrono::steady_clock::now() < windowEnd_);
}

void Onboarding::joinRound(std::chrono::steady_clock::time_point until) {
    auto options = discoveryOptions(core::DiscoveryScope::Unowned);  // owned devices stay silent
    if (options.multicastInterfaces.empty() && options.unicastTargets.empty()) return;
    {
        const std::lock_guard lock(mutex_);
        if (ownership_.mode == OwnershipMode::PermitJoin) until = std::min(until, windowEnd_);
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left < std::chrono::milliseconds(50)) return;
    options.timeout = std::min<std::chrono::milliseconds>(left, std::chrono::seconds(10));
    options.reprobeInterval = std::max<std::chrono::milliseconds>(discovery_.joinInterval, std::chrono::milliseconds(100));
    options.cancelled = [this] {
        const std::lock_guard lock(mutex_);
        return !joinOpen();
    };
    // Each device as soon as it answered: its ownership is queued at once. The Just-Works budget
    // is not renewed here: in automatic mode it stays per regular round (per interval).
    options.onFound = [this](const core::DiscoveredDevice& d) {
        try {
            handleAnswer(d, blockedDevices());
        } catch (const std::exception& e) {
            log_("join round: " + d.deviceId.toString() + ": " + e.what());
        }
    };
    core::discoverDevices(options);
}

core::DiscoveryOptions Onboarding::discoveryOptions(core::DiscoveryScope scope) const {
    core::DiscoveryOptions options;
    options.scope = scope;
    options.timeout = discovery_.timeout;
    options.multicastInterfaces = discovery_.interfaces;
    for (const auto& u : discovery_.unicast) {
        if (auto at = core::parseHostPort(u)) options.unicastTargets.push_back(*at);
    }
    if (scope != core::DiscoveryScope::Unowned) {
        // Owned devices that refuse anonymous doxm reads are found by their /oic/res link and
        // confirmed over the owner credential.
        options.owner = parts_.gateway.identity.id();
        options.ownedDevices = parts_.gateway.identity.devicesWithCredentials();
    }
    options.log = [this](const std::string& line) { log_("discovery: " + line); };
    return options;
}

std::map<core::Uuid, core::BlockedDevice> Onboarding::blockedDevices() const {
    std::map<core::Uuid, core::BlockedDevice> blocked;
    for (auto& b : parts_.gateway.pdm->blockedDevices()) blocked.emplace(b.id, std::move(b));
    return blocked;
}

std::vector<core::DiscoveredDevice> Onboarding::discoverNow(core::DiscoveryScope scope) {
    const auto options = discoveryOptions(scope);
    if (options.multicastInterfaces.empty() && options.unicastTargets.empty()) return {};
    auto found = core::discoverDevices(options).devices;
    // A device seen only through its /oic/res link, at the endpoint the PDM has for it, is taken as
    // present without a handshake each round; at a new endpoint it is asked over the owner
    // credential before the PDM believes the address.
    for (auto& d : found) {
        if (d.ownerConfirmed || !d.securePort) continue;
        const auto record = parts_.gateway.pdm->device(d.deviceId);
        if (record && record->address == d.address && record->securePort == *d.securePort) d.ownerConfirmed = true;
    }
    core::confirmOwnedDevices(*parts_.gateway.endpoint, parts_.gateway.identity, found, std::chrono::seconds(3),
                              [this](const std::string& line) { log_("discovery: " + line); });
    {
        const std::lock_guard lock(mutex_);
        if (ownership_.mode == OwnershipMode::Automatic) justWorksInWindow_ = 0;  // a round is the automatic mode's window
    }
    const auto blocked = blockedDevices();
    for (const auto& d : found) handleAnswer(d, blocked);
    return found;
}

void Onboarding::handleAnswer(const core::DiscoveredDevice& d, const std::map<core::Uuid, core::BlockedDevice>& blocked) {
    const auto self = parts_.gateway.identity.id();
    if (!d.owned) {
        // The PDM's word stands over an unauthenticated answer: a device that says it is X and
        // unowned is not X reset (it may be an impostor). The directory keeps X as owned, and
        // X is not owned again until the user removes it (issue 13.1).
        if (const auto record = parts_.gateway.pdm->device(d.deviceId); record && record->state == core::DeviceRecordState::Owned) {
            // An answer from the device's own endpoint may predate its ownership (this round
            // started before the transfer ended): it is stale while the device still answers
            // our owner credential there.
            const bool sameEndpoint = record->address == d.address && record->port == d.port;
            if (!sameEndpoint || parts_.gateway.ownership.probe(*record) != core::OwnershipService::Probe::Ours) {
                announceImpostor(d);
            }
            return;
        }
    }
    const auto block = blocked.find(d.deviceId);
    const auto [view, fresh, changed] = parts_.directory.seen(d, block == blocked.end() ? nullptr : &block->second);
    if (fresh) parts_.events.event("device_discovered", discoveredJson(d));
    if (changed && view.status == DeviceStatus::Blocked) {
        log_(d.deviceId.toString() + " seen, unowned; blocked (" + view.blockReason + "): not owned until admitted (request/admit)");
    }
    if (d.owned && d.owner == self) {
        // Ours: keep the PDM's address current (a device may come back on another port).
        if (auto record = parts_.gateway.pdm->device(d.deviceId);
            record && d.securePort && (record->address != d.address || record->securePort != *d.securePort)) {
            record->address = d.address;
            record->port = d.port;
            record->securePort = *d.securePort;
            parts_.gateway.pdm->putDevice(*record);
        }
    } else if (!d.owned) {
        considerForOwnership(view, d, fresh);
    }
    if (changed) parts_.events.deviceChanged(d.deviceId);
}

bool Onboarding::announceImpostor(const core::DiscoveredDevice& answer) {
    {
        const std::lock_guard lock(mutex_);
        if (!impostorsAnnounced_.emplace(answer.deviceId, answer.address + " " + std::to_string(answer.port)).second) return false;
    }
    const std::string id = answer.deviceId.toString();
    const std::string why = "a device at " + answer.address + " port " + std::to_string(answer.port) + " answers as " + id +
                            ", unowned, but the provisioning database records " + id +
                            " as owned: not owned again (if the device was reset, remove it first: request/remove)";
    log_(why);
    auto data = discoveredJson(answer);
    data->set("device", id);
    data->set("status", "refused");
    data->set("error", why);
    parts_.events.event("ownership_refused", data);
    return true;
}

void Onboarding::considerForOwnership(const DeviceView& view, const core::DiscoveredDevice& answer, bool fresh) {
    if (view.status == DeviceStatus::Owning || view.status == DeviceStatus::Denied) return;
    if (view.status == DeviceStatus::Blocked) return;  // announced by discoverNow()
    // A failed device is tried again, later and a bounded number of times, by the modes that own
    // by themselves; with approval it waits for the user.
    const bool retry = view.status == DeviceStatus::Failed;
    if (retry && (ownership_.approval || !retries_.due(answer.deviceId, std::chrono::steady_clock::now()))) return;
    if (ownership_.approval) {
        if (view.status != DeviceStatus::PendingApproval) {
            parts_.directory.update(answer.deviceId, [](DeviceView& v) { v.status = DeviceStatus::PendingApproval; });
            parts_.events.event("pending_approval", discoveredJson(answer));
            log_(answer.deviceId.toString() + " waits for approval");
        }
        return;
    }
    if (view.status == DeviceStatus::PendingApproval) return;
    std::optional<int> method;
    if (!automaticAllowed(answer, method)) {
        if (fresh)
            log_(answer.deviceId.toString() + " discovered; not owned automatically (mode " + std::string(toString(ownership_.mode)) + ")");
        return;
    }
    const auto error = queueOwnership(answer.deviceId, method, {});
    if (!error.empty()) {
        log_("automatic ownership of " + answer.deviceId.toString() + ": " + error);
    } else if (retry) {
        retries_.started(answer.deviceId);
        parts_.metrics.retried();
        log_("trying again to own " + answer.deviceId.toString() + " (attempt " + std::to_string(retries_.attempts(answer.deviceId) + 1) +
             ")");
    }
}

bool Onboarding::automaticAllowed(const core::DiscoveredDevice& answer, std::optional<int>& method) {
    const std::lock_guard lock(mutex_);
    const bool open = ownership_.mode == OwnershipMode::Automatic ||
                      (ownership_.mode == OwnershipMode::PermitJoin && std::chrono::steady_clock::now() < windowEnd_);
    if (!open) return false;
    // Random PIN needs a person to read the PIN anyway: always fine to start.
    if (offers(answer, core::oxm::kRandomPin) && parts_.gateway.registry.ownershipProvider(core::oxm::kRandomPin)) {
        method = core::oxm::kRandomPin;
        return true;
    }
    if (offers(answer, core::oxm::kJustWorks) && ownership_.allowJustWorks && justWorksInWindow_ < ownership_.justWorksPerWindow) {
        ++justWorksInWindow_;
        method = core::oxm::kJustWorks;
        return true;
    }
    return false;
}

std::string Onboarding::requestOwn(const core::Uuid& id, std::optional<int> method, std::function<void(Poco::JSON::Object::Ptr)> done) {
    return queueOwnership(id, method, std::move(done), true);
}

std::string Onboarding::queueOwnership(const core::Uuid& id, std::optional<int> method, std::function<void(Poco::JSON::Object::Ptr)> done,
                                       bool explicitRequest) {
    const auto answer = parts_.directory.lastAnswer(id);
    if (!answer) return "unknown device " + id.toString() + " (not discovered; run discover first)";
    if (method && !offers(*answer, *method)) return "the device does not offer " + methodName(*method);
    // The PDM's word, not only the view's status: a device removed a moment ago may not have been
    // seen as blocked yet.
    const bool blocked = parts_.gateway.pdm->isBlocked(id);
    if (blocked && !explicitRequest) {
        return "device " + id.toString() + " is blocked (removed by the user): it is owned only when asked (request/admit or request/own)";
    }
    // A device already being owned: this request joins that transfer (and gets its outcome); an
    // open pairing request is announced again, so that whoever asks now can answer it.
    bool joined = false;
    {
        const std::lock_guard lock(mutex_);
        if (const auto t = transfers_.find(id); t != transfers_.end()) {
            if (done) t->second.push_back(std::move(done));
            joined = true;
        }
    }
    if (joined) {
        if (const auto open = parts_.pins.open(id)) announcePairingRequest(*open);
        return "";
    }
    std::string refusal;
    parts_.directory.update(id, [&](DeviceView& v) {
        if (v.status == DeviceStatus::Owned || v.status == DeviceStatus::Provisioned) {
            refusal = "the device is already owned by this gateway";
        } else {
            v.status = DeviceStatus::Owning;
            v.error.clear();
        }
    });
    if (!refusal.empty()) return refusal;
    {
        const std::lock_guard lock(mutex_);
        auto& waiting = transfers_[id];
        if (done) waiting.push_back(std::move(done));
    }
    if (blocked) {
        parts_.gateway.pdm->unblockDevice(id);
        retries_.forget(id);
        log_(id.toString() + " admitted by an explicit ownership request");
    }
    parts_.events.deviceChanged(id);
    const auto device = *answer;
    JobQueue::Job job;
    job.name = "own " + id.toString();
    job.devices = {id};
    job.run = [this, device, method, explicitRequest] { ownOnWorker(device, method, explicitRequest); };
    job.cancelled = [this, id] {
        parts_.directory.update(id, [](DeviceView& v) { v.status = DeviceStatus::Unowned; });
        auto o = object();
        o->set("device", id.toString());
        o->set("status", "failed");
        o->set("reason", "cancelled");
        o->set("error", "the gateway is shutting down");
        finish(id, o);
    };
    if (!parts_.worker.post(std::move(job))) {
        parts_.directory.update(id, [](DeviceView& v) { v.status = DeviceStatus::Unowned; });
        const std::lock_guard lock(mutex_);
        transfers_.erase(id);
        return "the provisioning worker is not accepting work (shutting down or overloaded)";
    }
    return "";
}

void Onboarding::finish(const core::Uuid& id, const Poco::JSON::Object::Ptr& result) {
    std::vector<std::function<void(Poco::JSON::Object::Ptr)>> waiting;
    {
        const std::lock_guard lock(mutex_);
        if (const auto t = transfers_.find(id); t != transfers_.end()) {
            waiting = std::move(t->second);
            transfers_.erase(t);
        }
    }
    for (const auto& done : waiting) done(result);
}

void Onboarding::announcePairingRequest(const PinRequest& r) {
    auto request = object();
    request->set("device", r.device.toString());
    request->set("method", "randompin");
    request->set("attempt", r.attempt);
    request->set("attempts", r.attempts);
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(r.expiresAt - std::chrono::system_clock::now());
    request->set("expires_in", static_cast<std::int64_t>(std::max<std::int64_t>(0, left.count())));
    request->set("expires_at",
                 static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(r.expiresAt.time_since_epoch()).count()));
    request->set("message", std::string(r.attempt > 1 ? "enter the NEW PIN" : "enter the PIN") + " shown on device " + r.device.toString() +
                                " (request/pin)");
    parts_.events.event("pairing_request", request);
}

bool Onboarding::ownershipStillWanted(bool userAsked) const {
    if (userAsked) return true;
    const std::lock_guard lock(mutex_);
    if (stopping_) return false;
    return ownership_.mode == OwnershipMode::Automatic ||
           (ownership_.mode == OwnershipMode::PermitJoin && std::chrono::steady_clock::now() < windowEnd_);
}

namespace {

// Why a transfer failed, for events and requests: wrong_pin, pin_timeout, cancelled,
// too_many_pairing_requests, or the step that failed (failureReason()).
std::string outcomeReason(const core::OwnOutcome& outcome, std::optional<PinBroker::Ended> pinEnded, bool tooMany) {
    if (tooMany) return "too_many_pairing_requests";
    if (pinEnded == PinBroker::Ended::TimedOut) return "pin_timeout";
    if (pinEnded == PinBroker::Ended::Cancelled) return "cancelled";
    // A PIN was given and the method's handshake failed on the key: the device's Finished did not
    // verify (bad_record_mac, decrypt_error).
    const auto& r = outcome.result;
    if (pinEnded == PinBroker::Ended::Answered && r.failedStep == "DTLS handshake" &&
        (r.error.find("bad_record_mac") != std::string::npos || r.error.find("decrypt_error") != std::string::npos)) {
        return "wrong_pin";
    }
    return failureReason(r.failedStep);
}

}  // namespace

void Onboarding::ownOnWorker(const core::DiscoveredDevice& device, std::optional<int> method, bool userAsked) {
    const auto id = device.deviceId;
    const int attempts = std::max(1, ownership_.pinAttempts);
    const auto started = std::chrono::steady_clock::now();
    core::OwnOutcome outcome;
    std::string reason;
    bool parked = false;
    int attemptsMade = 0;
    for (int attempt = 1;; ++attempt) {
        attemptsMade = attempt;
        std::optional<PinBroker::Ended> pinEnded;
        bool tooMany = false;
        core::OwnOptions options;
        options.method = method;
        options.pin = [&](const core::Uuid& dev) -> std::optional<core::SecretBytes> {
            if (parts_.pins.openCount() >= static_cast<std::size_t>(std::max(1, ownership_.maxPairingRequests))) {
                tooMany = true;
                log_("not asking for the PIN of " + dev.toString() + ": " + std::to_string(ownership_.maxPairingRequests) +
                     " pairing requests are open (max_pairing_requests)");
                return std::nullopt;
            }
            PinRequest request{dev, attempt, attempts, std::chrono::system_clock::now() + ownership_.pinTimeout};
            log_("waiting up to " + std::to_string(ownership_.pinTimeout.count()) + " s for the PIN of " + dev.toString() + " (attempt " +
                 std::to_string(attempt) + " of " + std::to_string(attempts) + ")");
            PinBroker::Outcome got;
            parked = true;
            // Announced once the wait is open: a PIN typed (or scripted) at once is not dropped.
            parts_.worker.park([&] { got = parts_.pins.wait(request, ownership_.pinTimeout, [&] { announcePairingRequest(request); }); });
            pinEnded = got.ended;
            return std::move(got.pin);
        };
        options.progress = [this, id](const std::string& step) {
            log_(id.toString() + ": " + step);
            core::killIfFaultInjectedAt(step);
        };
        try {
            outcome = parts_.gateway.ownership.own(device, options);
        } catch (const std::exception& e) {
            // The provisioning database refused a write (disk full, locked) or a plugin threw: the
            // request still gets its answer and the event. A row left pending is settled later.
            outcome = {};
            outcome.result.ok = false;
            outcome.result.failedStep = "provisioning database";
            outcome.result.error = e.what();
        }
        if (outcome.result.ok || outcome.refused) break;
        reason = outcomeReason(outcome, pinEnded, tooMany);
        if (reason == "cancelled") outcome.result.error = "the gateway is shutting down";
        if (reason == "pin_timeout")
            outcome.result.error = "no PIN was given within " + std::to_string(ownership_.pinTimeout.count()) + " s";
        if (reason != "wrong_pin") break;
        // A wrong PIN: said at once; the transfer starts again (the device shows a new PIN) while
        // attempts are left and ownership is still wanted.
        const bool again = attempt < attempts && ownershipStillWanted(userAsked);
        auto failed = object();
        failed->set("device", id.toString());
        failed->set("method", outcome.method);
        failed->set("status", "failed");
        failed->set("reason", reason);
        failed->set("step", outcome.result.failedStep);
        failed->set("error", "wrong PIN: " + outcome.result.error);
        failed->set("attempt", attempt);
        failed->set("attempts_left", again ? attempts - attempt : 0);
        if (!again) {
            outcome.result.error = "wrong PIN: " + outcome.result.error;
            break;  // the final failure is announced below
        }
        log_(id.toString() + ": wrong PIN (attempt " + std::to_string(attempt) + " of " + std::to_string(attempts) +
             "); trying again to own " + id.toString() + ": the device shows a new PIN");
        parts_.directory.update(id, [&](DeviceView& v) { v.error = "wrong PIN (attempt " + std::to_string(attempt) + ")"; });
        parts_.events.event("ownership_failed", failed);
        parts_.metrics.retried();
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

    auto result = object();
    result->set("device", id.toString());
    result->set("method", outcome.method);
    const bool cancelled = reason == "cancelled";  // the daemon stops: not the device's failure
    if (outcome.result.ok || outcome.refused) {
        retries_.forget(id);
    } else if (!cancelled) {
        retries_.failed(id, std::chrono::steady_clock::now());
    }
    if (outcome.result.ok) {
        parts_.metrics.owned(took);
        parts_.directory.update(id, [&](DeviceView& v) {
            v.status = DeviceStatus::Owned;
            v.otm = outcome.method;
        });
        result->set("status", "owned");
        result->set("ms", static_cast<std::int64_t>(took.count()));
        log_(id.toString() + " owned (" + outcome.method + ") in " + std::to_string(took.count()) + " ms" +
             (outcome.note.empty() ? "" : ": " + outcome.note));
        parts_.events.deviceChanged(id);  // the state first, then the announcement
        parts_.events.event("device_owned", result);
        if (afterOwned_) {
            if (parked || parts_.worker.workers() > 1) {
                // This job runs beside others (after a PIN wait, or with several workers): the
                // policies, which may touch any device, go in a job of their own that runs alone.
                parts_.worker.post({"apply the policies to " + id.toString(), [this, id] { afterOwned_(id); }, {}, {}});
            } else {
                afterOwned_(id);
            }
        }
    } else if (outcome.refused) {
        // The PDM already records this UUID: nothing was sent, nothing of ours changed. The
        // device is not tried again (automatic mode) until the user removes the recorded one.
        parts_.directory.update(id, [&](DeviceView& v) {
            v.status = DeviceStatus::Failed;
            v.error = outcome.result.error;
        });
        result->set("status", "refused");
        result->set("error", outcome.result.error);
        log_(id.toString() + " NOT owned, refused: " + outcome.result.error);
        parts_.events.deviceChanged(id);
        parts_.events.event("ownership_refused", result);
    } else {
        if (!cancelled) parts_.metrics.failed(reason == "wrong_pin" ? "wrong PIN" : failureReason(outcome.result.failedStep));
        parts_.directory.update(id, [&](DeviceView& v) {
            v.status = cancelled ? DeviceStatus::Unowned : DeviceStatus::Failed;
            v.error = cancelled ? "" : outcome.result.failedStep + ": " + outcome.result.error;
        });
        result->set("status", "failed");
        result->set("reason", reason);
        result->set("step", outcome.result.failedStep);
        result->set("error", outcome.result.error);
        if (reason == "wrong_pin") {
            result->set("attempt", attemptsMade);
            result->set("attempts_left", 0);
        }
        log_(id.toString() + " NOT owned: " + outcome.result.failedStep + ": " + outcome.result.error);
        parts_.events.deviceChanged(id);
        parts_.events.event("ownership_failed", result);
    }
    parts_.events.metricsChanged();
    finish(id, result);
}

void Onboarding::settleInterruptedTransfers() {
    if (parts_.gateway.pdm->devicesInState(core::DeviceRecordState::Pending).empty()) return;
    JobQueue::Job job;
    job.name = "settle interrupted ownership transfers";
    job.run = [this] { settleOnWorker(); };
    parts_.worker.post(std::move(job));
}

void Onboarding::settleOnWorker() {
    // On the worker, so never beside a transfer in progress (whose row is pending too).
    for (const auto& record : parts_.gateway.pdm->devicesInState(core::DeviceRecordState::Pending)) {
        const auto resolution = parts_.gateway.ownership.resolve(record);
        if (resolution == core::Resolution::Unreachable) continue;
        log_("device " + record.id.toString() + " left pending by an interrupted transfer: " + std::string(core::toString(resolution)));
        const bool owned = resolution != core::Resolution::Removed;
        parts_.directory.update(record.id, [&](DeviceView& v) {
            v.status = owned ? DeviceStatus::Owned : DeviceStatus::Unowned;
            v.error.clear();
        });
        retries_.forget(record.id);
        parts_.events.deviceChanged(record.id);
        if (owned && afterOwned_) afterOwned_(record.id);
    }
}

void Onboarding::resolvePendingWork(const std::vector<core::DiscoveredDevice>& found) {
    const auto actions = parts_.gateway.pdm->pendingActions();
    const auto staleNow = parts_.gateway.pdm->staleLinks();
    const auto now = std::chrono::steady_clock::now();
    {
        const std::lock_guard lock(mutex_);
        if (actions.empty() && staleNow.empty()) {
            pendingWorkDelay_ = std::chrono::seconds(0);
            pendingWorkDue_ = {};
            return;
        }
        // Devices that did not answer last time are not asked again every round: after a back-off,
        // or as soon as one of them is seen again.
        const auto seen = [&](const core::Uuid& id) {
            return std::any_of(found.begin(), found.end(), [&](const core::DiscoveredDevice& d) { return d.deviceId == id; });
        };
        const bool targetSeen = std::any_of(actions.begin(), actions.end(), [&](const auto& a) { return seen(a.device); }) ||
                                std::any_of(staleNow.begin(), staleNow.end(), [&](const auto& l) { return seen(l.a) || seen(l.b); });
        if (pendingWorkQueued_ || (!targetSeen && now < pendingWorkDue_)) return;
        pendingWorkQueued_ = true;
    }
    JobQueue::Job job;
    job.name = "finish stale links and pending revocations";
    job.run = [this] {
        const auto stale = parts_.gateway.pdm->staleLinks();
        auto ctx = parts_.gateway.provisioning();
        const auto outcome = parts_.gateway.credentials()->resolvePending(ctx);
        for (const auto& line : outcome.done) log_("sync: " + line);
        if (!outcome.ok) log_("sync failed: " + outcome.error);
        // A half-made link taken back: the policies that wanted it make it again.
        for (const auto& link : stale) {
            if (!parts_.gateway.pdm->link(link.a, link.b) && afterOwned_) {
                for (const auto& id : {link.a, link.b}) {
                    if (parts_.gateway.pdm->device(id)) afterOwned_(id);
                }
            }
        }
        const auto left = parts_.gateway.pdm->pendingActions().size() + parts_.gateway.pdm->staleLinks().size();
        const std::lock_guard lock(mutex_);
        pendingWorkQueued_ = false;
        if (left == 0) {
            pendingWorkDelay_ = std::chrono::seconds(0);
            return;
        }
        pendingWorkDelay_ = pendingWorkDelay_.count() == 0
                                ? std::max<std::chrono::seconds>(discovery_.interval, std::chrono::seconds(1))
                                : std::min<std::chrono::seconds>(pendingWorkDelay_ * 2, std::chrono::minutes(30));
        pendingWorkDue_ = std::chrono::steady_clock::now() + pendingWorkDelay_;
        log_(std::to_string(left) + " pending actions wait for devices that did not answer; next attempt in " +
             std::to_string(pendingWorkDelay_.count()) + " s or when one of them is seen");
    };
    job.cancelled = [this] {
        const std::lock_guard lock(mutex_);
        pendingWorkQueued_ = false;
    };
    if (!parts_.worker.post(std::move(job))) {
        const std::lock_guard lock(mutex_);
        pendingWorkQueued_ = false;
    }
}

std::chrono::seconds Onboarding::permitJoin(std::chrono::seconds seconds) {
    seconds = std::min(seconds, ownership_.permitJoinMax);
    {
        const std::lock_guard lock(mutex_);
        windowEnd_ = std::chrono::steady_clock::now() + seconds;
        justWorksInWindow_ = 0;
        wakeRequested_ = true;  // with join rounds on: one starts at once
    }
    auto o = object();
    o->set("seconds", static_cast<std::int64_t>(seconds.count()));
    parts_.events.event("permit_join", o);
    cv_.notify_all();
    return seconds;
}

std::chrono::seconds Onboarding::permitJoinRemaining() const {
    const std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now >= windowEnd_) return std::chrono::seconds(0);
    return std::chrono::duration_cast<std::chrono::seconds>(windowEnd_ - now);
}

void Onboarding::block(const core::Uuid& id, const std::string& reason) {
    parts_.gateway.pdm->blockDevice(id, reason);
    retries_.forget(id);
    log_(id.toString() + " blocked (" + reason + "): permit-join and automatic mode will not own it until it is admitted");
}

std::string Onboarding::admit(const core::Uuid& id) {
    if (!parts_.gateway.pdm->unblockDevice(id)) return "device " + id.toString() + " is not blocked";
    retries_.forget(id);
    parts_.directory.update(id, [](DeviceView& v) {
        if (v.status != DeviceStatus::Blocked) return;
        v.status = DeviceStatus::Unowned;
        v.blockReason.clear();
        v.blockedAt = {};
    });
    log_(id.toString() + " admitted: it may be owned again");
    parts_.events.deviceChanged(id);
    auto o = object();
    o->set("device", id.toString());
    parts_.events.event("device_admitted", o);
    return "";
}

std::string Onboarding::approve(const core::Uuid& id) {
    const auto view = parts_.directory.get(id);
    if (!view) return "unknown device " + id.toString();
    if (view->status != DeviceStatus::PendingApproval)
        return "device " + id.toString() + " is not waiting for approval (" + std::string(toString(view->status)) + ")";
    parts_.directory.update(id, [](DeviceView& v) { v.status = DeviceStatus::Unowned; });
    return queueOwnership(id, std::nullopt, {}, true);
}

std::string Onboarding::deny(const core::Uuid& id) {
    bool changed = false;
    parts_.directory.update(id, [&](DeviceView& v) {
        if (v.status == DeviceStatus::PendingApproval) {
            v.status = DeviceStatus::Denied;
            changed = true;
        }
    });
    if (!changed) return "device " + id.toString() + " is not waiting for approval";
    parts_.events.deviceChanged(id);
    return "";
}

}  // namespace steward::bridge
