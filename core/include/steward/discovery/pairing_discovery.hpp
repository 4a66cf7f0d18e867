#pragma once
// Direct Pairing's discovery (ocf-security.md, "Direct Pairing" step 2): a client multicasts
// GET /oic/sec/pconf on named interfaces and keeps the devices that answer with pairing enabled.
// Devices with pairing disabled stay silent (a multicast listener suppresses error answers).
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "steward/model/pconf.hpp"

namespace steward::core {

struct PairingDiscoveryOptions {
    // Interfaces to multicast on (224.0.1.187 / ff02::158, port 5683, one hop). Never empty:
    // there is no "all interfaces".
    std::vector<std::string> multicastInterfaces;
    std::chrono::milliseconds timeout{3000};  // devices jitter their answers by up to 2 s
    bool ipv4 = true;
    bool ipv6 = true;
    std::uint16_t port = 5683;
    std::function<void(const std::string&)> log;  // dropped answers; may be empty
};

struct PairingServer {
    std::string address;  // numeric host that answered (IPv6 link-local with %ifname)
    std::uint16_t port = 0;
    Pconf pconf;  // as answered: edp true, no pin
};

// Throws TransportException (InvalidArgument) for no or unknown interfaces. One entry per device
// (pconf deviceuuid), first answer wins; malformed answers and edp=false are dropped and logged.
std::vector<PairingServer> discoverPairingServers(const PairingDiscoveryOptions& options);

}  // namespace steward::core
