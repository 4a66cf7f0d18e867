#pragma once
// Crash-consistency tests kill the daemon (SIGKILL, no cleanup at all) when it reaches a named
// step: STEWARD_FAULT_KILL_AT=<step line>, or <prefix>* for any line that starts so; with
// STEWARD_FAULT_KILL_COUNT=N, at the Nth such line. Unset in normal use, where this does nothing.
//
// Start-up and shutdown tests of a daemon: STEWARD_FAULT_FAIL_AT=<step> makes that step throw
// InjectedFault (failIfFaultInjectedAt); STEWARD_FAULT_HANG_AT=<step> makes it hang for a minute
// (hangIfFaultInjectedAt), as a device operation that never ends would. Exact step names only.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace steward::core {

inline void killIfFaultInjectedAt(std::string_view step) {
    static const char* const killAt = std::getenv("STEWARD_FAULT_KILL_AT");
    if (killAt == nullptr) return;
    static const int wanted = [] {
        const char* count = std::getenv("STEWARD_FAULT_KILL_COUNT");
        return count != nullptr ? std::atoi(count) : 1;
    }();
    static std::atomic<int> seen{0};
    const std::string_view pattern(killAt);
    const bool matches = !pattern.empty() && pattern.back() == '*'
                             ? step.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1)
                             : step == pattern;
    if (matches && ++seen >= wanted) std::raise(SIGKILL);
}

class InjectedFault : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline void failIfFaultInjectedAt(std::string_view step) {
    static const char* const failAt = std::getenv("STEWARD_FAULT_FAIL_AT");
    if (failAt == nullptr || step != failAt) return;
    throw InjectedFault("fault injected at " + std::string(step) + " (STEWARD_FAULT_FAIL_AT)");
}

inline void hangIfFaultInjectedAt(std::string_view step) {
    static const char* const hangAt = std::getenv("STEWARD_FAULT_HANG_AT");
    if (hangAt == nullptr || step != hangAt) return;
    std::this_thread::sleep_for(std::chrono::minutes(1));
}

}  // namespace steward::core
