#pragma once
// The device's discovery resources: /oic/res (its links, each with the endpoints it is reachable
// at), /oic/d and /oic/p, encoded as OCF 1.0 CBOR (ocf-security.md, "Discovery").
#include <cstdint>
#include <string>
#include <vector>

#include "steward/model/uuid.hpp"

namespace steward::tools {

struct DeviceDescription {
    core::Uuid id;
    std::string name;
    std::string deviceType = "oic.d.light";
};

struct ReachableAt {
    std::string address;           // numeric, no brackets
    std::uint16_t port = 0;        // plain CoAP
    std::uint16_t securePort = 0;  // DTLS
    // RFOTM before any DTLS peer: security resources list their plain endpoint too.
    bool securityOverPlain = false;
    bool directPairing = false;  // pconf/dpairing hosted
};

// /oic/res; `query` may filter by "rt=...". Empty result when nothing matches.
std::vector<std::uint8_t> encodeResourceLinks(const DeviceDescription& device, const ReachableAt& at, const std::vector<std::string>& query,
                                              bool& anyMatched);
std::vector<std::uint8_t> encodeDeviceInfo(const DeviceDescription& device);
std::vector<std::uint8_t> encodePlatformInfo(const DeviceDescription& device);

// The paths the device serves.
std::vector<std::string> hostedPaths(bool directPairing);

}  // namespace steward::tools
