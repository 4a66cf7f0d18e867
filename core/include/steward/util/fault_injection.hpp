#pragma once
// Crash-consistency tests kill the daemon (SIGKILL, no cleanup at all) when it reaches a named
// step: STEWARD_FAULT_KILL_AT=<step line>, or <prefix>* for any line that starts so; with
// STEWARD_FAULT_KILL_COUNT=N, at the Nth such line. Unset in normal use, where this does nothing.
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>
#include <string_view>

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

}  // namespace steward::core
