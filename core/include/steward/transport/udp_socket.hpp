#pragma once
// A plain POSIX UDP socket, for what the CoAP library cannot do: send one request to a multicast
// group on chosen interfaces and collect every answer (discovery), and read datagrams with the
// interface they arrived on.
//
// Ownership: move-only; the destructor closes the descriptor. A moved-from socket holds none.
// Threading: no state changes after bind(), so sendTo() and receive() may run on different
// threads at once; moving or destroying a socket must not overlap any other call on it.
// Failure: every call throws TransportException — InvalidArgument when nothing was attempted (an
// address that is not a numeric literal of the socket's family, an unknown interface), SendFailed
// when the OS refused (the message carries the errno text; receive() uses it too, as the error
// codes have no separate receive failure). Nothing here resolves names.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "steward/transport/coap_endpoint.hpp"

namespace steward::core {

// The largest datagram receive() returns; anything longer is dropped.
inline constexpr std::size_t kMaxUdpDatagram = 65536;

struct Datagram {
    std::vector<std::uint8_t> bytes;
    // Sender: numeric host without brackets; an IPv6 address with a scope (link-local) carries
    // "%ifname" (or "%index" if the interface has no name any more).
    PeerAddress from;
    unsigned interfaceIndex = 0;  // the interface it arrived on; 0 if the OS did not say
    // The address it was sent to (ours, or a multicast group), as `from.host` is written; empty if
    // the OS did not say. A device bound to a wildcard names this address in its endpoints.
    std::string localAddress;
};

class UdpSocket {
public:
    // Binds to a numeric address: "0.0.0.0", "127.0.0.1", "::" (IPV6_V6ONLY: IPv6 only, so an
    // IPv4 socket can share the port), "::1", "[::1]", "fe80::1%eth0"; port 0 lets the OS pick.
    // `reuseAddress` sets SO_REUSEADDR, for several listeners on the CoAP multicast port.
    static UdpSocket bind(std::string_view address, std::uint16_t port, bool reuseAddress = false);

    UdpSocket(UdpSocket&& other) noexcept;
    UdpSocket& operator=(UdpSocket&& other) noexcept;
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;
    ~UdpSocket();

    int family() const { return family_; }             // AF_INET or AF_INET6
    std::uint16_t localPort() const { return port_; }  // the bound port (the OS's pick for 0)
    int fd() const { return fd_; }                     // for poll() across sockets; still owned here

    // Joins `group` (e.g. "224.0.1.187", "ff02::158") on the named interface.
    void joinGroup(std::string_view group, std::string_view interfaceName);
    // The interface outgoing multicast leaves by. Without it the OS picks by its routing table,
    // which on a gateway may be the wrong network.
    void setMulticastInterface(std::string_view interfaceName);
    void setMulticastLoop(bool on);
    void setMulticastHops(int hops);  // TTL for IPv4; 0-255

    // Sends one datagram. `to.host` as for bind() plus scopes: "ff02::158%v0", "[::1]".
    void sendTo(const PeerAddress& to, std::span<const std::uint8_t> bytes);

    // Waits up to `timeout` for one datagram; nullopt when none came. Signals do not cut the wait
    // short, and truncated datagrams (over kMaxUdpDatagram) are dropped without ending it.
    std::optional<Datagram> receive(std::chrono::milliseconds timeout);

private:
    UdpSocket(int fd, int family, std::uint16_t port) : fd_(fd), family_(family), port_(port) {}
    void close() noexcept;

    int fd_ = -1;
    int family_ = 0;
    std::uint16_t port_ = 0;
};

}  // namespace steward::core
