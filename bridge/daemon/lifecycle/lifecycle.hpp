#pragma once
// Runs stewardd's subsystems so that start-up and shutdown order is structural: initialized in the
// order they were added, uninitialized in the reverse order. Poco's Application does not unwind:
// when one subsystem's initialize() throws, the ones already up are never uninitialized (Poco 1.11
// stops there; later versions log and go on initializing the rest). Here the one that failed and
// every one already up are uninitialized, in reverse order, and the failure is returned.
//
// Shutdown has a deadline: if the subsystems are not all down within it (a device operation that
// waits for an unreachable device, a stuck plugin), what is still running is logged and the process
// ends with _exit(). That is safe: every write of the state (SVR DB, PDM, CA) is transactional, and
// a killed daemon converges at its next start (the kill -9 tests prove it).
//
// Fault injection (tests): STEWARD_FAULT_FAIL_AT=<name> makes that subsystem's start fail after its
// initialize() did its set-up (so its own uninitialize() must take all of it back);
// STEWARD_FAULT_HANG_AT="stop <name>" makes its stop hang.
#include <Poco/AutoPtr.h>
#include <Poco/Message.h>
#include <Poco/Util/Application.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon_subsystem.hpp"

namespace steward::bridge {

class Lifecycle {
public:
    struct Failure {
        std::string step;    // the subsystem's name
        std::string reason;  // the exception's text
        int exitCode = 0;    // EXIT_CONFIG for a configuration error, else EXIT_SOFTWARE
    };
    // Where the lifecycle's own lines go (the daemon's logger once it is set up, else stderr).
    using Report = std::function<void(Poco::Message::Priority, const std::string&)>;

    // `deadline`: how long a stop (after SIGTERM, or unwinding a failed start) may take before the
    // process is ended with _exit(EXIT_SOFTWARE).
    Lifecycle(Report report, std::chrono::milliseconds deadline);
    ~Lifecycle();  // stop() if anything is still up
    Lifecycle(const Lifecycle&) = delete;
    Lifecycle& operator=(const Lifecycle&) = delete;

    // Registers the next subsystem (taking ownership). Only before start().
    void add(DaemonSubsystem* subsystem);
    // Called with each subsystem's name just before it starts (stewardd's STATUS= lines to systemd).
    // Only before start(); must not throw.
    void onStarting(std::function<void(const std::string& name)> hook) { onStarting_ = std::move(hook); }
    std::vector<std::string> names() const;

    // Initializes every subsystem in order; nullopt when all are up. On the first failure, that
    // subsystem and every one already up are uninitialized in reverse order (within the deadline)
    // and the failure is returned (and reported).
    std::optional<Failure> start(Poco::Util::Application& app);
    // Uninitializes every subsystem that is up, in reverse order, within the deadline. Idempotent.
    void stop();

    static constexpr int kDeadlineExitCode = Poco::Util::Application::EXIT_SOFTWARE;

private:
    void unwind();  // uninitializes up_ .. 0 under the deadline watchdog
    void uninitializeOne(DaemonSubsystem& subsystem);
    std::string stillRunning() const;

    Report report_;
    std::function<void(const std::string&)> onStarting_;
    std::chrono::milliseconds deadline_;
    std::vector<Poco::AutoPtr<DaemonSubsystem>> subsystems_;
    mutable std::mutex mutex_;  // guards up_ and stopping_ (read by the watchdog)
    std::size_t up_ = 0;        // subsystems_[0, up_) have been initialize()d and not yet uninitialize()d
    DaemonSubsystem* stopping_ = nullptr;
};

}  // namespace steward::bridge
