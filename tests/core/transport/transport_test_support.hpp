#pragma once
// Helpers for the transport tests: a thread-safe session-event recorder that tests wait on (no
// sleeps), a bare UDP socket on loopback for "silent peer" and wire-level checks, and a free port
// nobody listens on.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "steward/transport/coap_endpoint.hpp"

namespace steward::test {

using namespace std::chrono_literals;

class EventRecorder {
public:
    core::SessionEventHandler handler() {
        return [this](const core::SessionEvent& event) {
            const std::lock_guard guard(mutex_);
            events_.push_back(event);
            changed_.notify_all();
        };
    }

    // Waits until an event of `type` (optionally for `session`) has arrived; returns it.
    std::optional<core::SessionEvent> waitFor(core::SessionEventType type, core::SessionId session = 0,
                                              std::chrono::milliseconds timeout = 3s) {
        std::unique_lock lock(mutex_);
        std::optional<core::SessionEvent> found;
        changed_.wait_for(lock, timeout, [&] {
            for (const auto& event : events_) {
                if (event.type == type && (session == 0 || event.peer.sessionId == session)) {
                    found = event;
                    return true;
                }
            }
            return false;
        });
        return found;
    }

    bool waitForCount(core::SessionEventType type, std::size_t wanted, std::chrono::milliseconds timeout = 3s) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return countLocked(type) >= wanted; });
    }

    std::size_t count(core::SessionEventType type) {
        const std::lock_guard guard(mutex_);
        return countLocked(type);
    }

private:
    std::size_t countLocked(core::SessionEventType type) const {
        std::size_t n = 0;
        for (const auto& event : events_) n += event.type == type ? 1 : 0;
        return n;
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<core::SessionEvent> events_;
};

// A UDP socket bound to loopback on a port the OS picks. It answers nothing unless told to.
class RawUdpSocket {
public:
    explicit RawUdpSocket(bool ipv6 = false) : ipv6_(ipv6) {
        fd_ = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
        if (fd_ < 0) throw std::runtime_error("socket");
        sockaddr_storage storage{};
        socklen_t length = 0;
        if (ipv6) {
            auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
            a->sin6_family = AF_INET6;
            a->sin6_addr = in6addr_loopback;
            length = sizeof(sockaddr_in6);
        } else {
            auto* a = reinterpret_cast<sockaddr_in*>(&storage);
            a->sin_family = AF_INET;
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            length = sizeof(sockaddr_in);
        }
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&storage), length) != 0) throw std::runtime_error("bind");
        length = sizeof(storage);
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &length);
        port_ =
            ipv6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port) : ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
    }
    RawUdpSocket(const RawUdpSocket&) = delete;
    RawUdpSocket& operator=(const RawUdpSocket&) = delete;
    ~RawUdpSocket() {
        if (fd_ >= 0) ::close(fd_);
    }

    std::uint16_t port() const { return port_; }
    std::string host() const { return ipv6_ ? "::1" : "127.0.0.1"; }

    // Waits (poll, not sleep) for one datagram; remembers its sender for reply().
    std::optional<std::vector<std::uint8_t>> receive(std::chrono::milliseconds timeout = 3s) {
        pollfd pfd{fd_, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
        std::vector<std::uint8_t> buffer(2048);
        peerLength_ = sizeof(peer_);
        const auto got = ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&peer_), &peerLength_);
        if (got < 0) return std::nullopt;
        buffer.resize(static_cast<std::size_t>(got));
        return buffer;
    }

    void reply(const std::vector<std::uint8_t>& datagram) {
        ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&peer_), peerLength_);
    }

    // Closes the socket: the port is then (almost certainly) free and unanswered.
    void close() {
        ::close(fd_);
        fd_ = -1;
    }

private:
    bool ipv6_ = false;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    sockaddr_storage peer_{};
    socklen_t peerLength_ = 0;
};

// A loopback port that had a socket a moment ago and now has none.
inline std::uint16_t unusedPort(bool ipv6 = false) {
    RawUdpSocket socket(ipv6);
    return socket.port();
}

inline std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace steward::test
