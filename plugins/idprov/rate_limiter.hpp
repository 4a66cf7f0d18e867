#pragma once
// Per-client request budget (a token bucket per address): `perMinute` requests a minute on
// average, with bursts of the same size. Guessing an OOB secret online is bounded by this and by
// the hash's deliberate cost. Idle buckets are dropped so the map cannot grow without bound.
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace steward::plugins::idprov {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    explicit RateLimiter(double perMinute) : perMinute_(perMinute) {}

    // Takes one token for `client`; false if its bucket is empty.
    bool allow(const std::string& client, Clock::time_point now = Clock::now());

private:
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };
    void dropIdle(Clock::time_point now);

    double perMinute_;
    std::mutex mutex_;
    std::map<std::string, Bucket> buckets_;
    Clock::time_point lastSweep_{};
};

}  // namespace steward::plugins::idprov
