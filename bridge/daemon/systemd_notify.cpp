#include "systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace steward::bridge {
namespace {

std::string errnoText(int error) { return std::error_code(error, std::generic_category()).message(); }

}  // namespace

SystemdNotifier::SystemdNotifier(Log log) : log_(std::move(log)) {}

bool SystemdNotifier::ready() noexcept { return send("READY=1"); }

bool SystemdNotifier::reloading() noexcept {
    // systemd 253 (Type=notify-reload) matches the reload to its SIGHUP by this timestamp; older
    // versions ignore the extra line.
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1000000ULL + static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    char message[64];
    const int length = std::snprintf(message, sizeof(message), "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
    if (length <= 0 || static_cast<std::size_t>(length) >= sizeof(message)) return false;
    return send(std::string_view(message, static_cast<std::size_t>(length)));
}

bool SystemdNotifier::stopping() noexcept { return send("STOPPING=1"); }

bool SystemdNotifier::status(std::string_view text) noexcept {
    try {
        std::string message = "STATUS=";
        message.reserve(message.size() + text.size());
        // A newline would end the assignment; systemd drops a datagram with a NUL in it.
        for (const char c : text) message += (c == '\n' || c == '\r' || c == '\0') ? ' ' : c;
        return send(message);
    } catch (...) {
        return false;  // bad_alloc: a status line is not worth more
    }
}

bool SystemdNotifier::send(std::string_view message) noexcept {
    // Read on every call and never unset (unlike sd_notify's unset_environment): the daemon
    // notifies many times over its life.
    const char* socketName = std::getenv("NOTIFY_SOCKET");
    if (socketName == nullptr || socketName[0] == '\0') return false;
    const std::string_view name(socketName);

    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const bool abstract = name[0] == '@';
    if (!abstract && name[0] != '/') {
        failed("NOTIFY_SOCKET is neither an absolute path nor an abstract name ('@...')");
        return false;
    }
    // A path needs its terminating NUL in sun_path; an abstract name is counted by the length alone.
    if (name.size() > sizeof(address.sun_path) - (abstract ? 0 : 1)) {
        failed("NOTIFY_SOCKET is longer than a socket address can be");
        return false;
    }
    std::memcpy(address.sun_path, name.data(), name.size());
    if (abstract) address.sun_path[0] = '\0';
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + (abstract ? 0 : 1));

    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        failed("socket(AF_UNIX, SOCK_DGRAM): " + errnoText(errno));
        return false;
    }
    // MSG_DONTWAIT: a receiver that does not read must not hang the daemon (a lost status line is
    // better); MSG_NOSIGNAL: no SIGPIPE.
    ssize_t sent = -1;
    do {
        sent =
            ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&address), length);
    } while (sent < 0 && errno == EINTR);
    const int error = errno;
    ::close(fd);
    if (sent < 0) {
        failed("sending to " + std::string(name) + ": " + errnoText(error));
        return false;
    }
    if (static_cast<std::size_t>(sent) != message.size()) {
        failed("sending to " + std::string(name) + ": the datagram was cut short");
        return false;
    }
    return true;
}

void SystemdNotifier::failed(const std::string& why) noexcept {
    if (errorLogged_.exchange(true) || !log_) return;
    try {
        log_("systemd notification failed: " + why + " (further failures are not logged)");
    } catch (...) {
    }
}

Readiness::Readiness(SystemdNotifier& notifier, std::function<std::string()> readyStatus)
    : notifier_(notifier), readyStatus_(std::move(readyStatus)) {}

Readiness::~Readiness() {
    {
        const std::lock_guard lock(stateMutex_);
        stopping_ = true;
    }
    stateChanged_.notify_all();
    if (waiter_.joinable()) waiter_.join();
}

void Readiness::status(std::string_view text) noexcept {
    const std::lock_guard lock(sendMutex_);
    notifier_.status(text);
}

void Readiness::startedUp(const std::string& waiting) noexcept {
    bool answered = false;
    {
        const std::lock_guard lock(stateMutex_);
        if (started_ || stopping_) return;
        started_ = true;
        answered = brokerAnswered_;
    }
    if (answered) {
        announceReady();
        return;
    }
    status(waiting);
    try {
        waiter_ = std::thread([this] { waitThenAnnounce(); });
    } catch (...) {
        // No thread: READY=1 is never sent and systemd's start timeout reports it.
        status("cannot start the readiness thread");
    }
}

void Readiness::brokerAnswered() noexcept {
    {
        const std::lock_guard lock(stateMutex_);
        if (brokerAnswered_) return;
        brokerAnswered_ = true;
    }
    stateChanged_.notify_all();
}

void Readiness::waitThenAnnounce() {
    {
        std::unique_lock lock(stateMutex_);
        stateChanged_.wait(lock, [this] { return brokerAnswered_ || stopping_; });
        if (stopping_) return;
    }
    announceReady();
}

void Readiness::announceReady() noexcept {
    const std::lock_guard lock(sendMutex_);
    if (readySent_ || stoppingSent_) return;
    sendReady();
    readySent_ = true;
}

void Readiness::sendReady() noexcept {
    try {
        if (readyStatus_) notifier_.status(readyStatus_());
    } catch (...) {
        // The status line is decoration; READY=1 is what counts.
    }
    notifier_.ready();
}

void Readiness::reloading() noexcept {
    const std::lock_guard lock(sendMutex_);
    // Before READY=1 systemd is still starting the service: nothing to bracket.
    reloadAnnounced_ = readySent_ && !stoppingSent_;
    if (reloadAnnounced_) notifier_.reloading();
}

void Readiness::reloaded() noexcept {
    const std::lock_guard lock(sendMutex_);
    if (!reloadAnnounced_) return;
    reloadAnnounced_ = false;
    if (!stoppingSent_) sendReady();
}

void Readiness::stopping() noexcept {
    {
        const std::lock_guard lock(sendMutex_);
        if (!stoppingSent_) notifier_.stopping();
        stoppingSent_ = true;
    }
    {
        const std::lock_guard lock(stateMutex_);
        stopping_ = true;
    }
    stateChanged_.notify_all();
    if (waiter_.joinable()) waiter_.join();
}

bool Readiness::readySent() const {
    const std::lock_guard lock(sendMutex_);
    return readySent_;
}

}  // namespace steward::bridge
