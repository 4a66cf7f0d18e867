#include "onboarding_metrics.hpp"

#include <algorithm>
#include <vector>

namespace steward::bridge {
namespace {

std::int64_t percentile(std::vector<std::int64_t> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(rank, values.size() - 1)];
}

}  // namespace

void OnboardingMetrics::attach(core::ProvisioningDatabase& pdm, Log log) {
    {
        const std::lock_guard lock(mutex_);
        if (pdm_ == &pdm) return;
    }
    std::uint64_t owned = 0;
    std::map<std::string, std::uint64_t> failures;
    std::uint64_t retries = 0;
    std::deque<std::int64_t> durations;
    try {
        const auto counters = pdm.counters();
        for (const auto& c : counters) {
            if (c.name == kOwnedCounter) {
                owned = c.value;
            } else if (c.name == kFailuresCounter) {
                failures[c.label] = c.value;
            } else if (c.name == kRetriesCounter) {
                retries = c.value;
            }
        }
        for (const auto ms : pdm.samples(kTimeToOwnSeries)) durations.push_back(ms);
        while (durations.size() > kWindow) durations.pop_front();
        if (counters.empty() && durations.empty()) {
            // Figures never kept (a new PDM, or one from before they were): devices owned is at
            // least what the PDM owns; recorded, so that the next start reads it back.
            owned = pdm.devicesInState(core::DeviceRecordState::Owned).size();
            if (owned != 0) {
                pdm.addToCounter(kOwnedCounter, "", owned);
                if (log) log("metrics: none kept yet; devices_owned starts at the " + std::to_string(owned) + " owned devices of the PDM");
            }
        }
    } catch (const std::exception& e) {
        if (log) log("metrics: cannot load them from the PDM (they start from what is in memory): " + std::string(e.what()));
        const std::lock_guard lock(mutex_);
        pdm_ = &pdm;
        log_ = std::move(log);
        return;
    }
    const std::lock_guard lock(mutex_);
    owned_ = owned;
    failures_ = std::move(failures);
    retries_ = retries;
    durations_ = std::move(durations);
    pdm_ = &pdm;
    log_ = std::move(log);
}

bool OnboardingMetrics::attached() const {
    const std::lock_guard lock(mutex_);
    return pdm_ != nullptr;
}

void OnboardingMetrics::writeThrough(const std::string& what, const std::function<void(core::ProvisioningDatabase&)>& write) {
    core::ProvisioningDatabase* pdm = nullptr;
    Log log;
    {
        const std::lock_guard lock(mutex_);
        pdm = pdm_;
        log = log_;
    }
    if (pdm == nullptr) return;
    try {
        write(*pdm);
    } catch (const std::exception& e) {
        // The figure in memory counts it; a restart would not.
        if (log) log("metrics: " + what + " not recorded in the PDM: " + e.what());
    }
}

void OnboardingMetrics::owned(std::chrono::milliseconds took) {
    {
        const std::lock_guard lock(mutex_);
        ++owned_;
        durations_.push_back(took.count());
        if (durations_.size() > kWindow) durations_.pop_front();
    }
    writeThrough("a device owned", [&](core::ProvisioningDatabase& pdm) {
        pdm.transaction([&] {
            pdm.addToCounter(kOwnedCounter, "", 1);
            pdm.addSample(kTimeToOwnSeries, took.count(), kWindow);
        });
    });
}

void OnboardingMetrics::failed(const std::string& reason) {
    {
        const std::lock_guard lock(mutex_);
        ++failures_[reason];
    }
    writeThrough("a failure (" + reason + ")", [&](core::ProvisioningDatabase& pdm) { pdm.addToCounter(kFailuresCounter, reason, 1); });
}

void OnboardingMetrics::retried() {
    {
        const std::lock_guard lock(mutex_);
        ++retries_;
    }
    writeThrough("a retry", [&](core::ProvisioningDatabase& pdm) { pdm.addToCounter(kRetriesCounter, "", 1); });
}

Poco::JSON::Object::Ptr OnboardingMetrics::json() const {
    const std::lock_guard lock(mutex_);
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("devices_owned", owned_);
    Poco::JSON::Object::Ptr failures = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    std::uint64_t total = 0;
    for (const auto& [reason, n] : failures_) {
        failures->set(reason, n);
        total += n;
    }
    o->set("failures_total", total);
    o->set("failures", failures);
    o->set("retries", retries_);
    const std::vector<std::int64_t> values(durations_.begin(), durations_.end());
    Poco::JSON::Object::Ptr times = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    times->set("p50", percentile(values, 0.5));
    times->set("p99", percentile(values, 0.99));
    o->set("time_to_own_ms", times);
    return o;
}

std::string failureReason(const std::string& failedStep) {
    if (failedStep.rfind("POST ", 0) == 0 || failedStep.rfind("GET ", 0) == 0 || failedStep.rfind("DELETE ", 0) == 0) {
        const auto brace = failedStep.find(" {");
        return brace == std::string::npos ? failedStep : failedStep.substr(0, brace);
    }
    return failedStep.empty() ? "unknown" : failedStep;
}

}  // namespace steward::bridge
