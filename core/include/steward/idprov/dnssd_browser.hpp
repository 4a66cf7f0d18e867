#pragma once
// Finds DNS-SD services through avahi-daemon (Avahi client API): browses the type, resolves each
// instance, and returns what it found within the time limit. This is how a device finds the
// gateway's IDProv server with no address configured.
#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace steward::idprov {

struct DiscoveredService {
    std::string instanceName;
    std::string hostName;  // e.g. "gateway.local"
    std::string address;   // numeric IPv4, or IPv6 (link-local with "%ifname")
    std::uint16_t port = 0;
    std::string interfaceName;
    std::map<std::string, std::string> txt;  // key -> value ("" for a bare key)
};

class DnssdError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Browses `type` (all interfaces, IPv4 and IPv6) for up to `timeout`, resolving each instance.
// Returns early once Avahi reports ALL_FOR_NOW: `settle` after that report or after the first
// resolution, whichever is later, and only when no resolution is still pending. One entry per
// (address, port); IPv4 results come before IPv6 ones. Empty if nothing answered.
// `interfaceName` (and an IPv6 link-local zone) is looked up from avahi-daemon's interface index in
// the caller's network namespace, so it is right only when the caller shares avahi-daemon's.
// Blocks the calling thread; safe to call from several threads at once (each call has its own
// client). Throws DnssdError if avahi-daemon cannot be reached ("avahi-daemon is not running
// (...)"), the connection is lost during the browse, or `type` is not a valid service type.
std::vector<DiscoveredService> browseServices(const std::string& type, std::chrono::milliseconds timeout,
                                              std::chrono::milliseconds settle = std::chrono::milliseconds(300));

// The IDProv directory URL of a discovered server: https://<address>:<port><txt path, default
// "/idprov/directory">, with an IPv6 address in brackets (zone as "%25ifname"). A TXT path
// without a leading '/' gets one. Never throws (beyond std::bad_alloc).
std::string idprovDirectoryUrl(const DiscoveredService& service);

}  // namespace steward::idprov
