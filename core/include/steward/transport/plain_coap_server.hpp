#pragma once
// A device's unsecured CoAP listener: one unicast socket, and optionally the OCF multicast groups
// joined on named interfaces only (multicast never goes to interfaces nobody named). Answers to
// multicast requests leave from the unicast socket, as OCF devices do, so the client learns the
// device's own port; they are delayed by a random jitter and error answers are suppressed
// (RFC 7252 section 8.2). Confirmable requests get piggybacked answers; a retransmitted request is
// answered from a small cache instead of being handled twice.
//
// Built on the library-independent codec (coap_wire.hpp); the DTLS side stays on CoapEndpoint.
// One thread per server; the handler runs on it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "steward/transport/coap_endpoint.hpp"

namespace steward::core {

inline constexpr const char* kOcfMulticastIpv4 = "224.0.1.187";
inline constexpr const char* kOcfMulticastIpv6LinkLocal = "ff02::158";
inline constexpr std::uint16_t kCoapDefaultPort = 5683;

struct PlainServerOptions {
    std::string bindAddress = "127.0.0.1";         // numeric; its family decides the multicast group
    std::uint16_t port = 0;                        // 0: the OS picks
    std::vector<std::string> multicastInterfaces;  // empty: no multicast listener
    std::uint16_t multicastPort = kCoapDefaultPort;
    std::chrono::milliseconds multicastJitter{2000};  // answers wait a random 0..jitter
    std::function<void(const std::string&)> log;      // malformed datagrams, socket errors
};

class PlainCoapServer {
public:
    // Binds and starts the thread. Throws TransportException if a socket cannot be bound or a
    // group joined.
    PlainCoapServer(PlainServerOptions options, ResourceHandler handler);
    ~PlainCoapServer();
    PlainCoapServer(const PlainCoapServer&) = delete;
    PlainCoapServer& operator=(const PlainCoapServer&) = delete;

    std::uint16_t port() const;

    class Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace steward::core
