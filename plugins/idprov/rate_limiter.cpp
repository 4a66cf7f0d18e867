#include "rate_limiter.hpp"

#include <algorithm>

namespace steward::plugins::idprov {

bool RateLimiter::allow(const std::string& client, Clock::time_point now) {
    if (perMinute_ <= 0) return true;  // limiting switched off
    const std::lock_guard<std::mutex> hold(mutex_);
    dropIdle(now);
    auto [it, fresh] = buckets_.try_emplace(client, Bucket{perMinute_, now});
    Bucket& b = it->second;
    if (!fresh) {
        const double minutes = std::chrono::duration<double, std::ratio<60>>(now - b.updated).count();
        b.tokens = std::min(perMinute_, b.tokens + minutes * perMinute_);
        b.updated = now;
    }
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
}

void RateLimiter::dropIdle(Clock::time_point now) {
    if (now - lastSweep_ < std::chrono::minutes(1)) return;
    lastSweep_ = now;
    // A bucket untouched for a minute has refilled completely: forgetting it changes nothing.
    std::erase_if(buckets_, [now](const auto& entry) { return now - entry.second.updated >= std::chrono::minutes(1); });
}

}  // namespace steward::plugins::idprov
