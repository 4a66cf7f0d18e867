#pragma once
// Onboarding figures published for automation platforms: devices owned, failures by reason, and
// the time to own one device (p50/p99 over the last 1,000). Thread-safe.
//
// Attached to the PDM, they survive a restart: attach() loads what the PDM kept, and every change
// is written through at once (one small transaction). A write that fails is logged and the figure
// in memory still counts it; it never throws into the caller's flow.
#include <Poco/JSON/Object.h>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "steward/pdm/provisioning_database.hpp"

namespace steward::bridge {

class OnboardingMetrics {
public:
    using Log = std::function<void(const std::string&)>;

    OnboardingMetrics() = default;  // in memory only until attach()
    OnboardingMetrics(core::ProvisioningDatabase& pdm, Log log) { attach(pdm, std::move(log)); }

    // Loads the figures the PDM kept (replacing those in memory) and writes every later change
    // through to it. A PDM without figures yet (new, or upgraded from a schema without them) that
    // records owned devices starts devices_owned at their number: a restart must not say 0 while
    // devices are owned. Attaching again to the same PDM does nothing; a failure to load is logged
    // and the figures start from what is in memory.
    void attach(core::ProvisioningDatabase& pdm, Log log);
    bool attached() const;

    void owned(std::chrono::milliseconds took);
    void failed(const std::string& reason);
    void retried();                        // an automatic retry of a device whose ownership had failed
    Poco::JSON::Object::Ptr json() const;  // {"devices_owned", "failures": {reason: n}, "retries", "time_to_own_ms": {"p50", "p99"}}

    // The names the figures have in the PDM.
    static constexpr const char* kOwnedCounter = "devices_owned";
    static constexpr const char* kFailuresCounter = "ownership_failures";  // labelled with the reason
    static constexpr const char* kRetriesCounter = "ownership_retries";
    static constexpr const char* kTimeToOwnSeries = "time_to_own_ms";
    static constexpr std::size_t kWindow = 1000;  // durations kept for the percentiles

private:
    // Runs `write` on the attached PDM (if any), logging a failure as `what`.
    void writeThrough(const std::string& what, const std::function<void(core::ProvisioningDatabase&)>& write);

    mutable std::mutex mutex_;
    std::uint64_t owned_ = 0;
    std::map<std::string, std::uint64_t> failures_;
    std::uint64_t retries_ = 0;
    std::deque<std::int64_t> durations_;         // milliseconds, newest last
    core::ProvisioningDatabase* pdm_ = nullptr;  // guarded by mutex_
    Log log_;                                    // guarded by mutex_
};

// The failure reason for metrics: the step that failed, without details ("DTLS handshake", "PIN").
std::string failureReason(const std::string& failedStep);

}  // namespace steward::bridge
