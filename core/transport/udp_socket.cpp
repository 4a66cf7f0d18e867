#include "steward/transport/udp_socket.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

namespace steward::core {

namespace {

[[noreturn]] void throwError(TransportErrorCode code, std::string message) {
    throw TransportException(TransportError{code, std::move(message)});
}

[[noreturn]] void throwErrno(const std::string& what, int error) {
    throwError(TransportErrorCode::SendFailed, what + ": " + std::error_code(error, std::system_category()).message());
}

struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family() const { return storage.ss_family; }
    sockaddr* raw() { return reinterpret_cast<sockaddr*>(&storage); }
    const sockaddr* raw() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

unsigned interfaceIndex(std::string_view name) {
    if (name.empty()) throwError(TransportErrorCode::InvalidArgument, "no interface name given");
    const unsigned index = if_nametoindex(std::string(name).c_str());
    if (index == 0) throwError(TransportErrorCode::InvalidArgument, "unknown interface \"" + std::string(name) + "\"");
    return index;
}

// A numeric IPv4 or IPv6 literal, IPv6 optionally in brackets and with a "%ifname" or "%index"
// scope. nullopt for anything else; no name resolution.
std::optional<SocketAddress> parseAddress(std::string_view host, std::uint16_t port) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    std::string_view scope;
    if (const auto percent = host.find('%'); percent != std::string_view::npos) {
        scope = host.substr(percent + 1);
        host = host.substr(0, percent);
        if (scope.empty()) return std::nullopt;
    }
    const std::string text(host);
    SocketAddress out;
    if (scope.empty()) {
        auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
        if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
            v4->sin_family = AF_INET;
            v4->sin_port = htons(port);
            out.length = sizeof(sockaddr_in);
            return out;
        }
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) != 1) return std::nullopt;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    if (!scope.empty()) {
        unsigned index = 0;
        const auto [end, ec] = std::from_chars(scope.data(), scope.data() + scope.size(), index);
        if (ec != std::errc() || end != scope.data() + scope.size()) {
            index = if_nametoindex(std::string(scope).c_str());
            if (index == 0) return std::nullopt;
        }
        v6->sin6_scope_id = index;
    }
    out.length = sizeof(sockaddr_in6);
    return out;
}

SocketAddress requireAddress(std::string_view host, std::uint16_t port, const char* what) {
    auto address = parseAddress(host, port);
    if (!address) {
        throwError(TransportErrorCode::InvalidArgument,
                   std::string(what) + " \"" + std::string(host) + "\" is not a numeric IPv4/IPv6 address");
    }
    return *address;
}

PeerAddress describe(const sockaddr_storage& storage) {
    PeerAddress out;
    char text[INET6_ADDRSTRLEN] = {};
    if (storage.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
        out.host = text;
        out.port = ntohs(v4->sin_port);
    } else if (storage.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
        inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
        out.host = text;
        out.port = ntohs(v6->sin6_port);
        if (v6->sin6_scope_id != 0) {
            char name[IF_NAMESIZE] = {};
            out.host += '%';
            out.host += if_indextoname(v6->sin6_scope_id, name) != nullptr ? std::string(name) : std::to_string(v6->sin6_scope_id);
        }
    }
    return out;
}

void setOption(int fd, int level, int name, const void* value, socklen_t length, const char* what) {
    if (::setsockopt(fd, level, name, value, length) != 0) throwErrno(what, errno);
}

void setIntOption(int fd, int level, int name, int value, const char* what) { setOption(fd, level, name, &value, sizeof(value), what); }

}  // namespace

UdpSocket UdpSocket::bind(std::string_view address, std::uint16_t port, bool reuseAddress) {
    SocketAddress local = requireAddress(address, port, "bind address");
    const int fd = ::socket(local.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throwErrno("socket", errno);
    UdpSocket socket(fd, local.family(), port);  // closes fd if anything below throws
    if (reuseAddress) setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
    if (local.family() == AF_INET6) {
        setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY");
        setIntOption(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
    } else {
        setIntOption(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
    }
    if (::bind(fd, local.raw(), local.length) != 0) {
        throwErrno("bind to " + std::string(address) + ":" + std::to_string(port), errno);
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof(bound);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) throwErrno("getsockname", errno);
    socket.port_ = describe(bound).port;
    return socket;
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)), family_(other.family_), port_(other.port_) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        family_ = other.family_;
        port_ = other.port_;
    }
    return *this;
}

UdpSocket::~UdpSocket() { close(); }

void UdpSocket::close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void UdpSocket::joinGroup(std::string_view group, std::string_view interfaceName) {
    const SocketAddress address = requireAddress(group, 0, "multicast group");
    if (address.family() != family_) {
        throwError(TransportErrorCode::InvalidArgument, "group " + std::string(group) + " is not of the socket's family");
    }
    const unsigned index = interfaceIndex(interfaceName);
    if (family_ == AF_INET) {
        ip_mreqn request{};
        request.imr_multiaddr = reinterpret_cast<const sockaddr_in*>(&address.storage)->sin_addr;
        request.imr_address.s_addr = htonl(INADDR_ANY);
        request.imr_ifindex = static_cast<int>(index);
        setOption(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof(request), "IP_ADD_MEMBERSHIP");
    } else {
        ipv6_mreq request{};
        request.ipv6mr_multiaddr = reinterpret_cast<const sockaddr_in6*>(&address.storage)->sin6_addr;
        request.ipv6mr_interface = index;
        setOption(fd_, IPPROTO_IPV6, IPV6_JOIN_GROUP, &request, sizeof(request), "IPV6_JOIN_GROUP");
    }
}

void UdpSocket::setMulticastInterface(std::string_view interfaceName) {
    const unsigned index = interfaceIndex(interfaceName);
    if (family_ == AF_INET) {
        ip_mreqn request{};
        request.imr_address.s_addr = htonl(INADDR_ANY);
        request.imr_ifindex = static_cast<int>(index);
        setOption(fd_, IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof(request), "IP_MULTICAST_IF");
    } else {
        setIntOption(fd_, IPPROTO_IPV6, IPV6_MULTICAST_IF, static_cast<int>(index), "IPV6_MULTICAST_IF");
    }
}

void UdpSocket::setMulticastLoop(bool on) {
    if (family_ == AF_INET) {
        setIntOption(fd_, IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0, "IP_MULTICAST_LOOP");
    } else {
        setIntOption(fd_, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, on ? 1 : 0, "IPV6_MULTICAST_LOOP");
    }
}

void UdpSocket::setMulticastHops(int hops) {
    if (hops < 0 || hops > 255) {
        throwError(TransportErrorCode::InvalidArgument, "multicast hops " + std::to_string(hops) + " outside 0..255");
    }
    if (family_ == AF_INET) {
        setIntOption(fd_, IPPROTO_IP, IP_MULTICAST_TTL, hops, "IP_MULTICAST_TTL");
    } else {
        setIntOption(fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hops, "IPV6_MULTICAST_HOPS");
    }
}

void UdpSocket::sendTo(const PeerAddress& to, std::span<const std::uint8_t> bytes) {
    const SocketAddress address = requireAddress(to.host, to.port, "destination");
    if (address.family() != family_) {
        throwError(TransportErrorCode::InvalidArgument, "destination " + to.host + " is not of the socket's address family");
    }
    if (to.port == 0) throwError(TransportErrorCode::InvalidArgument, "destination port 0");
    ssize_t sent = 0;
    do {
        sent = ::sendto(fd_, bytes.data(), bytes.size(), 0, address.raw(), address.length);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) throwErrno("send to " + to.host + ":" + std::to_string(to.port), errno);
    if (static_cast<std::size_t>(sent) != bytes.size()) {
        throwError(TransportErrorCode::SendFailed, "send to " + to.host + ": datagram cut short");
    }
}

std::optional<Datagram> UdpSocket::receive(std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::max(timeout, std::chrono::milliseconds(0));
    std::vector<std::uint8_t> buffer(kMaxUdpDatagram);
    // Room for either family's packet-info message.
    alignas(cmsghdr) std::uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo))];
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd pfd{fd_, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0)));
        if (ready < 0) {
            if (errno == EINTR) continue;
            throwErrno("poll", errno);
        }
        if (ready == 0) return std::nullopt;

        sockaddr_storage from{};
        iovec io{buffer.data(), buffer.size()};
        msghdr header{};
        header.msg_name = &from;
        header.msg_namelen = sizeof(from);
        header.msg_iov = &io;
        header.msg_iovlen = 1;
        header.msg_control = control;
        header.msg_controllen = sizeof(control);
        const ssize_t got = ::recvmsg(fd_, &header, MSG_DONTWAIT);
        if (got < 0) {
            // EAGAIN: someone else took it; ECONNREFUSED: an ICMP error for an earlier send.
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED) continue;
            throwErrno("recvmsg", errno);
        }
        if ((header.msg_flags & MSG_TRUNC) != 0) continue;  // longer than any CoAP message we accept

        Datagram datagram;
        datagram.bytes.assign(buffer.begin(), buffer.begin() + got);
        datagram.from = describe(from);
        for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                in_pktinfo info{};
                std::memcpy(&info, CMSG_DATA(c), sizeof(info));
                datagram.interfaceIndex = static_cast<unsigned>(info.ipi_ifindex);
                sockaddr_storage local{};
                auto* v4 = reinterpret_cast<sockaddr_in*>(&local);
                v4->sin_family = AF_INET;
                v4->sin_addr = info.ipi_addr;
                datagram.localAddress = describe(local).host;
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                in6_pktinfo info{};
                std::memcpy(&info, CMSG_DATA(c), sizeof(info));
                datagram.interfaceIndex = info.ipi6_ifindex;
                sockaddr_storage local{};
                auto* v6 = reinterpret_cast<sockaddr_in6*>(&local);
                v6->sin6_family = AF_INET6;
                v6->sin6_addr = info.ipi6_addr;
                if (IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr)) v6->sin6_scope_id = info.ipi6_ifindex;
                datagram.localAddress = describe(local).host;
            }
        }
        return datagram;
    }
}

}  // namespace steward::core
