// discoverDevices(): checks the options, opens one socket per family needed and hands over to the
// probe/collect loop (discovery_loop.cpp).
#include "steward/discovery/device_discovery.hpp"

#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "discovery/discovery_loop.hpp"

namespace steward::core {

namespace {

[[noreturn]] void invalid(const std::string& message) {
    throw TransportException(TransportError{TransportErrorCode::InvalidArgument, message});
}

// True for IPv6, false for IPv4; throws unless `host` is a numeric unicast address (a multicast
// "target" would send to whatever interface the routing table picks, which is what naming
// interfaces exists to prevent).
bool targetIsIpv6(const PeerAddress& target) {
    std::string_view host = target.host;
    const std::string shown = detail::describePeer(target);
    if (target.port == 0) invalid("discovery target " + shown + " has port 0");
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    std::string_view zone;
    if (const auto percent = host.find('%'); percent != std::string_view::npos) {
        zone = host.substr(percent + 1);
        host = host.substr(0, percent);
    }
    const std::string address(host);
    std::array<std::uint8_t, 16> bytes{};
    if (zone.empty() && inet_pton(AF_INET, address.c_str(), bytes.data()) == 1) {
        if ((bytes[0] & 0xF0U) == 0xE0U || (bytes[0] == 255 && bytes[1] == 255 && bytes[2] == 255 && bytes[3] == 255)) {
            invalid("discovery target " + shown + " is a multicast or broadcast address; name interfaces instead");
        }
        return false;
    }
    if (inet_pton(AF_INET6, address.c_str(), bytes.data()) != 1) {
        invalid("discovery target " + shown + " is not a numeric IPv4/IPv6 address");
    }
    if (bytes[0] == 0xFF) invalid("discovery target " + shown + " is a multicast address; name interfaces instead");
    if (!zone.empty()) {
        unsigned index = 0;
        const auto [end, ec] = std::from_chars(zone.data(), zone.data() + zone.size(), index);
        const bool numeric = ec == std::errc() && end == zone.data() + zone.size();
        if (!numeric && if_nametoindex(std::string(zone).c_str()) == 0) {
            invalid("discovery target " + shown + " names an unknown interface");
        }
    }
    return true;
}

std::optional<UdpSocket> openSocket(const char* wildcard, const char* family, detail::DiscoveryReporter& reporter) {
    try {
        return UdpSocket::bind(wildcard, 0);
    } catch (const TransportException& e) {
        reporter.note(std::string("discovery: cannot open an ") + family + " socket: " + e.what());
        return std::nullopt;
    }
}

void limitToLink(std::optional<UdpSocket>& socket, detail::DiscoveryReporter& reporter) {
    try {
        socket->setMulticastHops(1);
    } catch (const TransportException& e) {
        reporter.note(std::string("discovery: cannot limit multicast hops: ") + e.what());
    }
}

}  // namespace

std::string_view toString(DiscoveryScope scope) {
    switch (scope) {
        case DiscoveryScope::All:
            return "all";
        case DiscoveryScope::Unowned:
            return "unowned";
        case DiscoveryScope::Owned:
            return "owned";
    }
    return "?";
}

DiscoveryResult discoverDevices(const DiscoveryOptions& options) {
    // Everything is checked before the first datagram leaves.
    if (options.timeout.count() < 0) invalid("discovery timeout is negative");
    if (options.reprobeInterval.count() < 0 ||
        (options.reprobeInterval.count() > 0 && options.reprobeInterval < std::chrono::milliseconds(100))) {
        invalid("discovery reprobe interval must be 0 or at least 100 ms");
    }
    std::vector<std::string> interfaces;
    for (const auto& name : options.multicastInterfaces) {
        if (name.empty() || if_nametoindex(name.c_str()) == 0) invalid("unknown interface \"" + name + "\"");
        if (std::find(interfaces.begin(), interfaces.end(), name) == interfaces.end()) interfaces.push_back(name);
    }
    std::vector<detail::UnicastProbe> targets;
    for (const auto& target : options.unicastTargets) targets.push_back({target, targetIsIpv6(target)});

    detail::DiscoveryReporter reporter(options.log);
    const bool multicastV4 = options.ipv4 && !interfaces.empty();
    const bool multicastV6 = options.ipv6 && !interfaces.empty();
    auto targetsOf = [&](bool ipv6) { return std::any_of(targets.begin(), targets.end(), [&](const auto& t) { return t.ipv6 == ipv6; }); };
    const bool needV4 = multicastV4 || targetsOf(false);
    const bool needV6 = multicastV6 || targetsOf(true);

    detail::DiscoverySockets sockets;
    if (needV4) sockets.v4 = openSocket("0.0.0.0", "IPv4", reporter);
    if (needV6) sockets.v6 = openSocket("::", "IPv6", reporter);
    if ((needV4 || needV6) && !sockets.v4 && !sockets.v6) {
        throw TransportException(TransportError{TransportErrorCode::SendFailed, "discovery: no UDP socket could be opened"});
    }

    std::vector<detail::MulticastProbe> multicast;
    if (multicastV4 && sockets.v4) limitToLink(sockets.v4, reporter);
    if (multicastV6 && sockets.v6) limitToLink(sockets.v6, reporter);
    for (const auto& name : interfaces) {
        if (multicastV4 && sockets.v4) multicast.push_back({false, name});
        if (multicastV6 && sockets.v6) multicast.push_back({true, name});
    }
    std::vector<detail::UnicastProbe> unicast;
    for (const auto& target : targets) {
        if (target.ipv6 ? sockets.v6.has_value() : sockets.v4.has_value()) {
            unicast.push_back(target);
        } else {
            reporter.note("discovery: target " + detail::describePeer(target.target) + " not probed: no socket of its family");
        }
    }
    return detail::runDiscovery(options, sockets, multicast, unicast, reporter);
}

}  // namespace steward::core
