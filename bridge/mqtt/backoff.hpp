#pragma once
// The delay before the next connection attempt: doubles from `min` up to `max` after every failed
// attempt, back to `min` once a connection has been accepted (reset()). With `jitter` j > 0 each
// delay is drawn from [(1 - j) * d, d]: never above the nominal delay (so never above `max`), and
// many gateways restarted by one power cut do not all knock on the broker in the same instant.
// Not thread-safe; the client's network thread owns it.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace steward::bridge {

class Backoff {
public:
    Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max, double jitter = 0.0, std::uint64_t seed = std::random_device{}())
        : min_(std::max(min, std::chrono::milliseconds(1))),
          max_(std::max(max, min_)),
          next_(min_),
          jitter_(std::clamp(jitter, 0.0, 1.0)),
          random_(seed) {}

    // The delay to wait now; the nominal one after it is twice as long (at most `max`).
    std::chrono::milliseconds next() {
        const auto current = next_;
        next_ = current >= max_ / 2 ? max_ : current * 2;
        if (jitter_ <= 0.0) return current;
        std::uniform_real_distribution<double> factor(1.0 - jitter_, 1.0);
        const auto jittered = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(current.count()) * factor(random_)));
        return std::clamp(jittered, std::chrono::milliseconds(1), current);
    }
    void reset() { next_ = min_; }

private:
    std::chrono::milliseconds min_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds next_;
    double jitter_;
    std::mt19937_64 random_;
};

}  // namespace steward::bridge
