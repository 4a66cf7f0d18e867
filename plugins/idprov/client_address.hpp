#pragma once
// The client address that IDProv's per-client limits are keyed by.
#include <string>

namespace steward::plugins::idprov {

// The address part of "1.2.3.4:5678" / "[::1]:5678" (Poco's SocketAddress::toString()); an IPv4
// client of a dual-stack ("::") listener shows as "::ffff:1.2.3.4" and is given as the plain IPv4
// address it is, so that it shares its limits with itself.
std::string hostOf(const std::string& peerAddress);

}  // namespace steward::plugins::idprov
