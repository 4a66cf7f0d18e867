#include "guess_ledger.hpp"

#include <algorithm>

namespace steward::plugins::idprov {

namespace {

std::chrono::seconds remaining(GuessLedger::Clock::time_point until, GuessLedger::Clock::time_point now) {
    if (until <= now) return std::chrono::seconds(0);
    // Rounded up: "retry after 0 s" while still locked would invite an early retry.
    return std::chrono::ceil<std::chrono::seconds>(until - now);
}

}  // namespace

std::chrono::seconds GuessLedger::lockedFor(const std::string& deviceId, const std::string& host, Clock::time_point now) {
    const std::lock_guard<std::mutex> hold(mutex_);
    const auto device = devices_.find(deviceId);
    if (device == devices_.end()) return std::chrono::seconds(0);
    const auto entry = device->second.hosts.find(host);
    if (entry == device->second.hosts.end()) return std::chrono::seconds(0);
    return remaining(entry->second.lockedUntil, now);
}

std::chrono::seconds GuessLedger::recordFailure(const std::string& deviceId, const std::string& host, Clock::time_point now) {
    const std::lock_guard<std::mutex> hold(mutex_);
    Device& device = devices_[deviceId];
    ++device.failures;
    auto& hosts = device.hosts;
    if (!hosts.contains(host) && hosts.size() >= policy_.maxAddresses) {
        // Forget the address whose lock ends first (an unlocked one if any): the table stays bounded
        // and those still serving long lock-outs are kept.
        const auto first = std::min_element(hosts.begin(), hosts.end(),
                                            [](const auto& a, const auto& b) { return a.second.lockedUntil < b.second.lockedUntil; });
        hosts.erase(first);
    }
    Entry& entry = hosts[host];
    ++entry.failures;
    const int free = device.failures > policy_.attackThreshold ? policy_.freeFailuresUnderAttack : policy_.freeFailures;
    if (entry.failures < free) return std::chrono::seconds(0);
    auto lock = policy_.firstLock;
    for (int i = free; i < entry.failures && lock < policy_.maxLock; ++i) lock *= 2;
    lock = std::min(lock, policy_.maxLock);
    entry.lockedUntil = now + lock;
    return lock;
}

void GuessLedger::forget(const std::string& deviceId) {
    const std::lock_guard<std::mutex> hold(mutex_);
    devices_.erase(deviceId);
}

int GuessLedger::failures(const std::string& deviceId) const {
    const std::lock_guard<std::mutex> hold(mutex_);
    const auto device = devices_.find(deviceId);
    return device == devices_.end() ? 0 : device->second.failures;
}

}  // namespace steward::plugins::idprov
