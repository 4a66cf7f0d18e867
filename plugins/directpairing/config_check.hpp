#pragma once
// What a Direct Pairing configuration must satisfy before any device is touched (the device would
// refuse the rest with 4.00, after a round trip and with a less helpful answer).
#include <string>

#include "steward/plugin/pairing_provider.hpp"

namespace steward::plugins::directpairing {

// "" if `config` is acceptable, else why not (for the user; never contains the PIN): methods not
// empty, each 1 or 2 and listed once; the PIN empty (a random one is made) or exactly 8 ASCII
// digits; pdacl not empty, each entry with resources, none of them a security resource
// (/oic/sec/...), a permission of 1..31.
std::string configError(const core::DirectPairingConfig& config);

// "pre-configured PIN, random PIN" for outcome lines.
std::string methodNames(const std::vector<int>& methods);

}  // namespace steward::plugins::directpairing
