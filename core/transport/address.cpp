#include "transport/address.hpp"

#include <arpa/inet.h>
#include <net/if.h>

#include <charconv>
#include <cstring>

#include "transport/libcoap_runtime.hpp"

namespace steward::core::detail {

std::optional<coap_address_t> parseAddress(std::string_view host, std::uint16_t port) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    std::string_view scope;
    if (const auto percent = host.find('%'); percent != std::string_view::npos) {
        scope = host.substr(percent + 1);
        host = host.substr(0, percent);
    }
    const std::string text(host);
    // Plain memset rather than coap_address_init(): this runs on callers' threads, outside
    // libcoapLock(), and must not call into libcoap.
    coap_address_t address;
    std::memset(&address, 0, sizeof(address));
    if (scope.empty() && inet_pton(AF_INET, text.c_str(), &address.addr.sin.sin_addr) == 1) {
        address.addr.sin.sin_family = AF_INET;
        address.addr.sin.sin_port = htons(port);
        address.size = sizeof(address.addr.sin);
        return address;
    }
    if (inet_pton(AF_INET6, text.c_str(), &address.addr.sin6.sin6_addr) == 1) {
        address.addr.sin6.sin6_family = AF_INET6;
        address.addr.sin6.sin6_port = htons(port);
        if (!scope.empty()) {
            unsigned index = 0;
            const auto [end, ec] = std::from_chars(scope.data(), scope.data() + scope.size(), index);
            if (ec != std::errc() || end != scope.data() + scope.size()) {
                index = if_nametoindex(std::string(scope).c_str());
                if (index == 0) return std::nullopt;
            }
            address.addr.sin6.sin6_scope_id = index;
        }
        address.size = sizeof(address.addr.sin6);
        return address;
    }
    return std::nullopt;
}

HostPort describeAddress(const coap_address_t* address) {
    HostPort out;
    if (address == nullptr) return out;
    char text[INET6_ADDRSTRLEN] = {};
    if (address->addr.sa.sa_family == AF_INET) {
        inet_ntop(AF_INET, &address->addr.sin.sin_addr, text, sizeof(text));
        out.port = ntohs(address->addr.sin.sin_port);
    } else if (address->addr.sa.sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &address->addr.sin6.sin6_addr, text, sizeof(text));
        out.port = ntohs(address->addr.sin6.sin6_port);
    }
    out.host = text;
    return out;
}

std::uint16_t boundPort(const coap_endpoint_t* endpoint) {
    // libcoap 4.3.1 has no accessor for an endpoint's bound address; coap_endpoint_str() prints
    // it (as "127.0.0.1:5683 UDP" or "[::1]:5684 DTLS") after binding, with the real port.
    const std::lock_guard guard(libcoapLock());
    const char* text = coap_endpoint_str(endpoint);
    if (text == nullptr) return 0;
    std::string_view view(text);
    view = view.substr(0, view.find(' '));
    const auto colon = view.rfind(':');
    if (colon == std::string_view::npos) return 0;
    unsigned port = 0;
    const auto digits = view.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port > 0xFFFF) return 0;
    return static_cast<std::uint16_t>(port);
}

}  // namespace steward::core::detail
