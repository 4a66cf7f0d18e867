#pragma once
// steward-device --pair-with: the device whose SVR DB is `svrdbFile` pairs, as the client, with a
// direct-pairing server by PIN, without any gateway (ocf-security.md, "Direct Pairing"): reads
// its pconf, asks to pair (plain dpairing POST), opens the PIN session, confirms on it, and
// stores the pairing key it derived from that session, with the server as subject. Afterwards
// --call reaches the server with it.
#include <chrono>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/model/uuid.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::tools {

struct PairOptions {
    core::PeerAddress server;                      // its plain CoAP address (unless discovered)
    std::vector<std::string> multicastInterfaces;  // non-empty: find it by multicast pconf discovery
    std::optional<core::Uuid> serverId;            // pair only with this device
    std::optional<int> method;                     // pairing_method::*; nullopt: the PIN's kind decides
    std::optional<std::string> pin;                // nullopt: asked for on stdin (wiped after use)
    std::chrono::milliseconds timeout{5000};       // per request and for the handshake
    bool verbose = false;
};

// Exit status: 0 paired; 3 refused (pairing disabled, method not offered, already paired, a
// wrong PIN); 1 anything else (unreachable, unreadable or locked SVR DB), with a message on `err`.
// The PIN and keys are never printed.
int runPairing(const std::string& svrdbFile, PairOptions options, bool json, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace steward::tools
