#pragma once
// Wrong OOB hashes, counted per deviceID and per client address, so that a stranger cannot burn
// a device's secret (issue 20). Before, ten wrong hashes from anyone dropped the secret and the
// real device was then told "Waiting" until an admin posted it again.
//
// The rule (docs/idprov-dos.md):
//  - a secret is never dropped for wrong hashes; it ends when used or at its validUntil;
//  - each address gets `freeFailures` wrong hashes for a deviceID, then is locked out of that
//    deviceID alone (refused before any hashing) for `firstLock`, doubling with each further
//    wrong hash up to `maxLock`; other addresses, the real device's among them, are not affected;
//  - once a deviceID has collected `attackThreshold` wrong hashes from all addresses together,
//    every address gets only `freeFailuresUnderAttack` before its lock-out: an attacker with many
//    addresses gets about one guess per address, each one a full KDF run at the server's cost,
//    through the per-address and overall hash budgets (hash_gate.hpp).
// At most `maxAddresses` addresses are remembered per deviceID; past that the one whose lock ends
// first is forgotten. A new secret for the deviceID, or its successful use, clears the record.
// Thread-safe.
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace steward::plugins::idprov {

struct GuessPolicy {
    int freeFailures = 3;
    int freeFailuresUnderAttack = 1;
    int attackThreshold = 20;
    std::chrono::seconds firstLock{30};
    std::chrono::seconds maxLock{3600};
    std::size_t maxAddresses = 1024;
};

class GuessLedger {
public:
    using Clock = std::chrono::steady_clock;
    explicit GuessLedger(GuessPolicy policy = {}) : policy_(policy) {}

    // How long `host` must still wait before a hash of its for `deviceId` is checked (0: go ahead).
    std::chrono::seconds lockedFor(const std::string& deviceId, const std::string& host, Clock::time_point now = Clock::now());
    // Counts a wrong hash from `host`; returns the lock-out it earned (0: none yet).
    std::chrono::seconds recordFailure(const std::string& deviceId, const std::string& host, Clock::time_point now = Clock::now());
    // Forgets everything about `deviceId` (a new secret was posted, or the secret was used).
    void forget(const std::string& deviceId);
    // Wrong hashes for `deviceId` from all addresses since its record was last cleared.
    int failures(const std::string& deviceId) const;

private:
    struct Entry {
        int failures = 0;
        Clock::time_point lockedUntil{};
    };
    struct Device {
        int failures = 0;
        std::map<std::string, Entry> hosts;
    };

    GuessPolicy policy_;
    mutable std::mutex mutex_;
    std::map<std::string, Device> devices_;
};

}  // namespace steward::plugins::idprov
