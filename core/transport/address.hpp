#pragma once
// Numeric socket addresses for libcoap. No name resolution: OCF peers are addressed by IP.

#include <coap3/coap.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace steward::core::detail {

// "127.0.0.1", "::1", "[::1]" or "fe80::1%eth0" plus a port; nullopt if not a numeric literal.
std::optional<coap_address_t> parseAddress(std::string_view host, std::uint16_t port);

struct HostPort {
    std::string host;  // numeric, IPv6 without brackets
    std::uint16_t port = 0;
};
HostPort describeAddress(const coap_address_t* address);

// The port an endpoint is bound to (after binding port 0). Holds libcoapLock() while reading
// libcoap's static buffer; 0 if it cannot be read.
std::uint16_t boundPort(const coap_endpoint_t* endpoint);

}  // namespace steward::core::detail
