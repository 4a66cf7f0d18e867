#include "ownership_retries.hpp"

#include <algorithm>

namespace steward::bridge {

void OwnershipRetries::failed(const core::Uuid& device, Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    auto& e = entries_[device];
    ++e.failures;
    e.inFlight = false;
    const int doublings = std::min(e.failures - 1, 20);
    const auto wait = std::min<std::chrono::seconds>(limits_.first * (1LL << doublings), limits_.max);
    e.next = now + wait;
}

void OwnershipRetries::forget(const core::Uuid& device) {
    const std::lock_guard lock(mutex_);
    entries_.erase(device);
}

bool OwnershipRetries::due(const core::Uuid& device, Clock::time_point now) const {
    const std::lock_guard lock(mutex_);
    const auto it = entries_.find(device);
    if (it == entries_.end() || it->second.inFlight) return false;
    return it->second.failures < limits_.maxAttempts && now >= it->second.next;
}

void OwnershipRetries::started(const core::Uuid& device) {
    const std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(device); it != entries_.end()) it->second.inFlight = true;
}

int OwnershipRetries::attempts(const core::Uuid& device) const {
    const std::lock_guard lock(mutex_);
    const auto it = entries_.find(device);
    return it == entries_.end() ? 0 : it->second.failures;
}

}  // namespace steward::bridge
