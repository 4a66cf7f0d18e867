#include "lifecycle.hpp"

#include <unistd.h>

#include <condition_variable>
#include <thread>

#include "daemon_config.hpp"
#include "steward/util/fault_injection.hpp"

namespace steward::bridge {
namespace {

std::string describe(std::chrono::milliseconds d) {
    return d.count() % 1000 == 0 ? std::to_string(d.count() / 1000) + " s" : std::to_string(d.count()) + " ms";
}

}  // namespace

Lifecycle::Lifecycle(Report report, std::chrono::milliseconds deadline) : report_(std::move(report)), deadline_(deadline) {}

Lifecycle::~Lifecycle() { stop(); }

void Lifecycle::add(DaemonSubsystem* subsystem) { subsystems_.emplace_back(subsystem); }

std::vector<std::string> Lifecycle::names() const {
    std::vector<std::string> out;
    for (const auto& s : subsystems_) out.emplace_back(s->name());
    return out;
}

std::optional<Lifecycle::Failure> Lifecycle::start(Poco::Util::Application& app) {
    for (auto& subsystem : subsystems_) {
        const std::string name = subsystem->name();
        std::optional<Failure> failure;
        {
            const std::lock_guard lock(mutex_);
            ++up_;  // counted before initialize(): a half-done set-up is taken back too
        }
        report_(Poco::Message::PRIO_DEBUG, "starting " + name);
        if (onStarting_) onStarting_(name);
        try {
            subsystem->initialize(app);
            core::failIfFaultInjectedAt(name);
        } catch (const ConfigError& e) {
            failure = Failure{name, e.what(), Poco::Util::Application::EXIT_CONFIG};
        } catch (const std::exception& e) {
            failure = Failure{name, e.what(), Poco::Util::Application::EXIT_SOFTWARE};
        } catch (...) {
            failure = Failure{name, "an exception of an unknown type", Poco::Util::Application::EXIT_SOFTWARE};
        }
        if (!failure) {
            report_(Poco::Message::PRIO_DEBUG, name + " up");
            continue;
        }
        // A configuration error is reported as it always was: FILE:LINE:COLUMN: key: problem.
        report_(Poco::Message::PRIO_CRITICAL,
                failure->exitCode == Poco::Util::Application::EXIT_CONFIG
                    ? failure->reason
                    : "start-up failed at " + name + ": " + failure->reason + "; stopping what was started, in reverse order");
        unwind();
        report_(Poco::Message::PRIO_INFORMATION,
                "stewardd stopped after a failed start-up (exit " + std::to_string(failure->exitCode) + ")");
        return failure;
    }
    return std::nullopt;
}

void Lifecycle::stop() { unwind(); }

void Lifecycle::unwind() {
    {
        const std::lock_guard lock(mutex_);
        if (up_ == 0) return;
    }
    // The watchdog: the stop gets `deadline_`, then the process ends.
    std::mutex doneMutex;
    std::condition_variable doneChanged;
    bool done = false;
    std::thread watchdog([&] {
        std::unique_lock lock(doneMutex);
        if (doneChanged.wait_for(lock, deadline_, [&] { return done; })) return;
        report_(Poco::Message::PRIO_CRITICAL, "stop deadline (" + describe(deadline_) + ") passed; still running: " + stillRunning() +
                                                  "; ending the process now (exit " + std::to_string(kDeadlineExitCode) +
                                                  "): every write of the state is transactional, the next start carries on");
        ::_exit(kDeadlineExitCode);
    });
    for (;;) {
        DaemonSubsystem* next = nullptr;
        {
            const std::lock_guard lock(mutex_);
            if (up_ == 0) break;
            next = subsystems_[up_ - 1].get();
            stopping_ = next;
        }
        uninitializeOne(*next);
        const std::lock_guard lock(mutex_);
        stopping_ = nullptr;
        --up_;
    }
    {
        const std::lock_guard lock(doneMutex);
        done = true;
    }
    doneChanged.notify_all();
    watchdog.join();
}

void Lifecycle::uninitializeOne(DaemonSubsystem& subsystem) {
    const std::string name = subsystem.name();
    report_(Poco::Message::PRIO_DEBUG, "stopping " + name);
    core::hangIfFaultInjectedAt("stop " + name);
    try {
        subsystem.uninitialize();
    } catch (const std::exception& e) {
        report_(Poco::Message::PRIO_ERROR, "stopping " + name + " failed: " + e.what());
    } catch (...) {
        report_(Poco::Message::PRIO_ERROR, "stopping " + name + " failed with an exception of an unknown type");
    }
    subsystem.setActivity("");
    report_(Poco::Message::PRIO_DEBUG, name + " stopped");
}

std::string Lifecycle::stillRunning() const {
    const std::lock_guard lock(mutex_);
    std::string out;
    for (std::size_t i = up_; i > 0; --i) {
        const auto& s = subsystems_[i - 1];
        if (!out.empty()) out += ", ";
        out += s->name();
        if (s.get() == stopping_) {
            const auto what = s->activity();
            out += " (stopping" + (what.empty() ? std::string() : ": " + what) + ")";
        }
    }
    return out;
}

}  // namespace steward::bridge
