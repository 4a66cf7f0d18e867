#pragma once
// The delay before the next connection attempt: doubles from `min` up to `max` after every failed
// attempt, back to `min` once a connection has been accepted. Not thread-safe; the client's
// network thread owns it.
#include <algorithm>
#include <chrono>

namespace steward::bridge {

class Backoff {
public:
    Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
        : min_(std::max(min, std::chrono::milliseconds(1))), max_(std::max(max, min_)), next_(min_) {}

    // The delay to wait now; the one after it is twice as long (at most `max`).
    std::chrono::milliseconds next() {
        const auto current = next_;
        next_ = current >= max_ / 2 ? max_ : current * 2;
        return current;
    }
    void reset() { next_ = min_; }

private:
    std::chrono::milliseconds min_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds next_;
};

}  // namespace steward::bridge
