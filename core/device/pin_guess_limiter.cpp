// PIN guessing bounds: one attempt in flight, per-address back-off, a global token bucket.
#include "steward/device/pin_guess_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace steward::core {
namespace {

std::string seconds(std::chrono::steady_clock::duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return std::to_string((std::max<long long>(ms, 0) + 999) / 1000) + " s";
}

}  // namespace

PinGuessLimiter::PinGuessLimiter(PinGuessLimits limits) : limits_(limits), tokens_(std::max(limits.globalBurst, 1)) {}

void PinGuessLimiter::refill(Clock::time_point now) {
    if (!started_) {
        started_ = true;
        lastRefill_ = now;
        return;
    }
    if (now <= lastRefill_ || limits_.globalRefill.count() <= 0) return;
    const double earned = std::chrono::duration<double>(now - lastRefill_) / std::chrono::duration<double>(limits_.globalRefill);
    tokens_ = std::min<double>(tokens_ + earned, std::max(limits_.globalBurst, 1));
    lastRefill_ = now;
}

void PinGuessLimiter::expireInFlight(Clock::time_point now) {
    if (inFlight_ && now - inFlight_->started >= limits_.attemptTimeout) failed(inFlight_->attempt, now);
}

std::optional<std::string> PinGuessLimiter::admit(AttemptId attempt, const std::string& address, Clock::time_point now) {
    refill(now);
    expireInFlight(now);
    if (inFlight_) {
        if (inFlight_->attempt == attempt) return std::nullopt;  // the same handshake asking again
        if (inFlight_->address == address || now - inFlight_->started < limits_.preemptAfter) {
            return "another PIN handshake (from " + inFlight_->address + ") is in progress";
        }
    }
    if (const auto it = addresses_.find(address); it != addresses_.end() && now < it->second.lockedUntil) {
        return "backing off after " + std::to_string(it->second.failures) + " wrong PINs from " + address + " (" +
               seconds(it->second.lockedUntil - now) + " left)";
    }
    if (tokens_ < 1.0) {
        const auto wait = std::chrono::duration_cast<Clock::duration>(limits_.globalRefill * (1.0 - tokens_));
        return "too many wrong PINs from all addresses; the next attempt is allowed in " + seconds(wait);
    }
    if (inFlight_) {
        // Held past preemptAfter: it gives way, charged now (its late end is not charged again).
        const std::string held = inFlight_->address;
        inFlight_.reset();
        preempted_ = charge(held, now);
    }
    tokens_ -= 1.0;
    inFlight_ = InFlight{attempt, address, now};
    return std::nullopt;
}

bool PinGuessLimiter::succeeded(AttemptId attempt) {
    if (!inFlight_ || inFlight_->attempt != attempt) return false;
    tokens_ = std::min<double>(tokens_ + 1.0, std::max(limits_.globalBurst, 1));
    addresses_.erase(inFlight_->address);
    inFlight_.reset();
    return true;
}

std::optional<std::string> PinGuessLimiter::failed(AttemptId attempt, Clock::time_point now) {
    if (!inFlight_ || inFlight_->attempt != attempt) return std::nullopt;
    const std::string address = inFlight_->address;
    inFlight_.reset();
    return charge(address, now);
}

std::optional<std::string> PinGuessLimiter::takePreempted() {
    auto line = std::move(preempted_);
    preempted_.reset();
    return line;
}

void PinGuessLimiter::abandonInFlight(Clock::time_point now) {
    if (inFlight_) failed(inFlight_->attempt, now);
}

std::string PinGuessLimiter::charge(const std::string& address, Clock::time_point now) {
    ++failuresCharged_;
    ++failuresOnPin_;
    auto it = addresses_.find(address);
    if (it == addresses_.end()) {
        forgetIdleAddresses(now);
        it = addresses_.emplace(address, AddressRecord{}).first;
    } else if (now - it->second.lastFailure >= 2 * limits_.addressBackoffMax) {
        it->second = AddressRecord{};  // quiet long enough to start afresh
    }
    auto& record = it->second;
    ++record.failures;
    record.lastFailure = now;
    std::string line = std::to_string(record.failures) + " wrong PIN" + (record.failures == 1 ? "" : "s") + " from " + address;
    if (record.failures >= limits_.freeFailuresPerAddress) {
        const int doublings = std::min(record.failures - limits_.freeFailuresPerAddress, 16);
        const auto wait = std::min<std::chrono::milliseconds>(limits_.addressBackoff * (1LL << doublings), limits_.addressBackoffMax);
        record.lockedUntil = now + wait;
        line += "; refusing PIN handshakes from it for " + seconds(wait);
    }
    return line;
}

void PinGuessLimiter::forgetIdleAddresses(Clock::time_point now) {
    // An address quiet for twice the longest back-off starts afresh; beyond the memory bound the
    // longest-quiet one goes first (the global ceiling still bounds whoever it was).
    const auto idle = 2 * limits_.addressBackoffMax;
    std::erase_if(addresses_, [&](const auto& entry) { return now - entry.second.lastFailure >= idle; });
    while (!addresses_.empty() && addresses_.size() >= limits_.addressesTracked) {
        const auto oldest = std::min_element(addresses_.begin(), addresses_.end(),
                                             [](const auto& a, const auto& b) { return a.second.lastFailure < b.second.lastFailure; });
        addresses_.erase(oldest);
    }
}

}  // namespace steward::core
