#pragma once
// Automatic and permit-join modes try again, later, a device whose ownership failed (it was killed
// mid-transfer, the disk was full, a PIN was mistyped): after 30 s, doubling up to 30 min, at most
// 8 tries, after which it waits for the user (request/own). A refusal — the provisioning database
// records its UUID — is never retried. Thread-safe: the worker records outcomes, the discovery
// thread asks.
#include <chrono>
#include <map>
#include <mutex>

#include "steward/model/uuid.hpp"

namespace steward::bridge {

class OwnershipRetries {
public:
    using Clock = std::chrono::steady_clock;
    struct Limits {
        std::chrono::seconds first{30};
        std::chrono::seconds max{1800};
        int maxAttempts = 8;
    };

    OwnershipRetries() = default;
    explicit OwnershipRetries(Limits limits) : limits_(limits) {}

    void failed(const core::Uuid& device, Clock::time_point now);
    void forget(const core::Uuid& device);  // owned, refused, or removed
    // True when a retry of `device` may start now (it failed before, its wait is over, tries are
    // left, and no retry of it is running).
    bool due(const core::Uuid& device, Clock::time_point now) const;
    void started(const core::Uuid& device);        // a retry was queued: not due again until it reports
    int attempts(const core::Uuid& device) const;  // failures so far (0 if none recorded)

private:
    struct Entry {
        int failures = 0;
        Clock::time_point next{};
        bool inFlight = false;  // a retry was taken and has not reported yet
    };
    Limits limits_;
    mutable std::mutex mutex_;
    std::map<core::Uuid, Entry> entries_;
};

}  // namespace steward::bridge
