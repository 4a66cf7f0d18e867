#pragma once
// systemd's readiness protocol (sd_notify(3)) without libsystemd, and stewardd's use of it.
//
// The protocol is one datagram of "KEY=value" lines sent to the AF_UNIX socket named by
// $NOTIFY_SOCKET (a path, or an abstract name when it starts with '@'). Implemented here so that
// the daemon does not link libsystemd for a dozen lines. Without $NOTIFY_SOCKET (not started by
// systemd, or not Type=notify) every call does nothing.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace steward::bridge {

class SystemdNotifier {
public:
    // Where the first failure to notify is reported (once: a missing socket would otherwise be
    // reported on every message). Must not throw; if it does, the exception is swallowed.
    using Log = std::function<void(const std::string&)>;
    explicit SystemdNotifier(Log log = {});

    // Each returns whether the datagram was sent: false without $NOTIFY_SOCKET or on an error.
    // Never throw, never block (a full socket buffer is an error, not a wait).
    bool ready() noexcept;      // READY=1
    bool reloading() noexcept;  // RELOADING=1 and MONOTONIC_USEC=<CLOCK_MONOTONIC now, in µs>
    bool stopping() noexcept;   // STOPPING=1
    // STATUS=<text>, shown by `systemctl status`. A newline in `text` becomes a space: it would
    // start another assignment (a device name could otherwise say READY=1).
    bool status(std::string_view text) noexcept;
    // One datagram with `message` as is ("KEY=value" lines separated by '\n').
    bool send(std::string_view message) noexcept;

private:
    void failed(const std::string& why) noexcept;

    Log log_;
    std::atomic<bool> errorLogged_{false};
};

// stewardd's promises to systemd on top of the protocol:
// - READY=1 exactly once, when both the daemon has started (every subsystem up, so the plugins are
//   loaded) and the broker has answered (the first CONNACK), in whichever order they come. The
//   MQTT network thread only sets a flag: the datagram is sent by a thread of this class.
// - A reload is bracketed by RELOADING=1 and READY=1, but only once READY=1 was sent: systemd
//   takes a READY=1 while the service is still starting as the end of the start.
// - STOPPING=1 at the start of the shutdown; nothing after it but STATUS lines.
class Readiness {
public:
    // `readyStatus`: the STATUS line sent with each READY=1 (e.g. "ready: 3 owned devices, ...");
    // called on the sending thread, never on the MQTT network thread.
    Readiness(SystemdNotifier& notifier, std::function<std::string()> readyStatus);
    ~Readiness();  // ends the waiting thread
    Readiness(const Readiness&) = delete;
    Readiness& operator=(const Readiness&) = delete;

    void status(std::string_view text) noexcept;
    // Every subsystem is up. `waiting`: the STATUS line to show if the broker has not answered yet.
    void startedUp(const std::string& waiting) noexcept;
    // From the MQTT network thread, on every accepted connection: a flag and a wake-up, no I/O.
    void brokerAnswered() noexcept;
    // Around a SIGHUP reload (from the reloading thread).
    void reloading() noexcept;
    void reloaded() noexcept;
    void stopping() noexcept;

    bool readySent() const;

private:
    void waitThenAnnounce();
    void announceReady() noexcept;  // the first READY=1, unless sent already or stopping
    void sendReady() noexcept;      // STATUS=<readyStatus_()>, READY=1; with sendMutex_ held

    SystemdNotifier& notifier_;
    std::function<std::string()> readyStatus_;

    // Guards the flags the waiting thread waits on; never held while sending, so that the network
    // thread is never held up by a send.
    mutable std::mutex stateMutex_;
    std::condition_variable stateChanged_;
    bool started_ = false;
    bool brokerAnswered_ = false;
    bool stopping_ = false;
    std::thread waiter_;

    // Serializes what is sent, so that READY=1, RELOADING=1 and STOPPING=1 keep their order.
    mutable std::mutex sendMutex_;
    bool readySent_ = false;
    bool reloadAnnounced_ = false;
    bool stoppingSent_ = false;
};

}  // namespace steward::bridge
