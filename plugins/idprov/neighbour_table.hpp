#pragma once
// The MAC address the kernel's neighbour table (ARP, /proc/net/arp) holds for an IPv4 address: what
// the server compares a provisioning request's `mac` with. Only meaningful on the same link; a
// request that crossed a router shows the router's MAC, so a mismatch is logged, never refused.
#include <optional>
#include <string>

namespace steward::plugins::idprov {

// Lowercase "aa:bb:cc:dd:ee:ff", or nullopt if the table has no complete entry for `ipv4`.
std::optional<std::string> neighbourMac(const std::string& ipv4, const std::string& table = "/proc/net/arp");

// Whether two MAC spellings name the same address (case and ':' / '-' separators ignored).
bool sameMac(const std::string& a, const std::string& b);

}  // namespace steward::plugins::idprov
