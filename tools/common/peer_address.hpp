#pragma once
// "HOST:PORT" on the command line: "127.0.0.1:5683", "[::1]:5683", "[fe80::1%eth0]:5683".
#include <string>

#include "steward/transport/coap_endpoint.hpp"

namespace steward::tools {

// Throws UsageError naming `option` for anything else.
core::PeerAddress parsePeerAddress(const std::string& text, const std::string& option);

}  // namespace steward::tools
