#include "onboarding_metrics.hpp"

#include <algorithm>
#include <vector>

namespace steward::bridge {
namespace {

constexpr std::size_t kWindow = 1000;

std::int64_t percentile(std::vector<std::int64_t> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(rank, values.size() - 1)];
}

}  // namespace

void OnboardingMetrics::owned(std::chrono::milliseconds took) {
    const std::lock_guard lock(mutex_);
    ++owned_;
    durations_.push_back(took.count());
    if (durations_.size() > kWindow) durations_.pop_front();
}

void OnboardingMetrics::failed(const std::string& reason) {
    const std::lock_guard lock(mutex_);
    ++failures_[reason];
}

void OnboardingMetrics::retried() {
    const std::lock_guard lock(mutex_);
    ++retries_;
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
