#pragma once
// Onboarding figures published for automation platforms: devices owned, failures by reason, and
// the time to own one device (p50/p99 over the last 1,000). Thread-safe.
#include <Poco/JSON/Object.h>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace steward::bridge {

class OnboardingMetrics {
public:
    void owned(std::chrono::milliseconds took);
    void failed(const std::string& reason);
    void retried();                        // an automatic retry of a device whose ownership had failed
    Poco::JSON::Object::Ptr json() const;  // {"devices_owned", "failures": {reason: n}, "retries", "time_to_own_ms": {"p50", "p99"}}

private:
    mutable std::mutex mutex_;
    std::uint64_t owned_ = 0;
    std::map<std::string, std::uint64_t> failures_;
    std::uint64_t retries_ = 0;
    std::deque<std::int64_t> durations_;  // milliseconds, newest last
};

// The failure reason for metrics: the step that failed, without details ("DTLS handshake", "PIN").
std::string failureReason(const std::string& failedStep);

}  // namespace steward::bridge
