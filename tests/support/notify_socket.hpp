#pragma once
// The receiving end of systemd's notification socket for a test: an AF_UNIX datagram socket bound
// to a path or, for a name starting with '@', an abstract name (what $NOTIFY_SOCKET says). Every
// datagram is kept as received, byte for byte, in arrival order.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace steward::test {

class NotifySocket {
public:
    explicit NotifySocket(std::string name) : name_(std::move(name)) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const bool abstract = !name_.empty() && name_[0] == '@';
        if (name_.empty() || name_.size() > sizeof(address.sun_path) - (abstract ? 0 : 1)) {
            throw std::invalid_argument("unusable socket name: " + name_);
        }
        std::memcpy(address.sun_path, name_.data(), name_.size());
        if (abstract) address.sun_path[0] = '\0';
        const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size() + (abstract ? 0 : 1));
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
            const std::string why = std::strerror(errno);
            if (fd_ >= 0) ::close(fd_);
            throw std::runtime_error("cannot bind " + name_ + ": " + why);
        }
    }
    ~NotifySocket() {
        ::close(fd_);
        if (name_[0] == '/') ::unlink(name_.c_str());
    }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    // What NOTIFY_SOCKET must say for a sender to reach this socket.
    const std::string& name() const { return name_; }

    // The next datagram, or nullopt if none comes within `timeout`.
    std::optional<std::string> receive(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd p{fd_, POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0)));
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return std::nullopt;
            char buffer[4096];
            const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                return std::nullopt;
            }
            received_.emplace_back(buffer, static_cast<std::size_t>(n));
            return received_.back();
        }
    }

    // Receives until a datagram satisfies `match` (returned), or nullopt at the deadline.
    std::optional<std::string> waitFor(const std::function<bool(const std::string&)>& match, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() < 0) return std::nullopt;
            const auto message = receive(left);
            if (!message) return std::nullopt;
            if (match(*message)) return message;
        }
    }
    std::optional<std::string> waitFor(const std::string& exactly, std::chrono::milliseconds timeout) {
        return waitFor([&](const std::string& m) { return m == exactly; }, timeout);
    }

    const std::vector<std::string>& received() const { return received_; }
    // Every datagram so far, one per line (newlines inside shown as \n), for failure messages.
    std::string dump() const {
        std::string out;
        for (const auto& m : received_) {
            for (const char c : m) out += c == '\n' ? std::string("\\n") : std::string(1, c);
            out += '\n';
        }
        return out;
    }

private:
    std::string name_;
    int fd_ = -1;
    std::vector<std::string> received_;
};

}  // namespace steward::test
