// discoverPairingServers(): one multicast GET /oic/sec/pconf per interface and family, then the
// answers until the deadline.
#include "steward/discovery/pairing_discovery.hpp"

#include <net/if.h>
#include <poll.h>

#include <algorithm>
#include <optional>

#include "steward/cbor/decode_error.hpp"
#include "steward/crypto/random.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/transport/coap_wire.hpp"
#include "steward/transport/transport_error.hpp"
#include "steward/transport/udp_socket.hpp"

namespace steward::core {
namespace {

constexpr const char* kGroupV4 = "224.0.1.187";
constexpr const char* kGroupV6 = "ff02::158";
constexpr std::size_t kMaxServers = 256;

[[noreturn]] void invalid(const std::string& message) {
    throw TransportException(TransportError{TransportErrorCode::InvalidArgument, message});
}

void note(const PairingDiscoveryOptions& o, const std::string& line) {
    if (o.log) o.log(line);
}

}  // namespace

std::vector<PairingServer> discoverPairingServers(const PairingDiscoveryOptions& options) {
    if (options.multicastInterfaces.empty()) invalid("direct-pairing discovery needs at least one named interface");
    for (const auto& name : options.multicastInterfaces) {
        if (name.empty() || if_nametoindex(name.c_str()) == 0) invalid("unknown interface \"" + name + "\"");
    }
    const std::vector<std::uint8_t> token = randomBytes(8);
    CoapRequest probe = CoapRequest::get("/oic/sec/pconf");
    probe.confirmable = false;
    const auto bytes = encodeCoapMessage(requestToWire(probe, static_cast<std::uint16_t>(token[0] << 8 | token[1]), token));

    std::vector<UdpSocket> sockets;
    for (const bool v6 : {false, true}) {
        if (v6 ? !options.ipv6 : !options.ipv4) continue;
        try {
            auto socket = UdpSocket::bind(v6 ? "::" : "0.0.0.0", 0);
            socket.setMulticastHops(1);
            for (const auto& name : options.multicastInterfaces) {
                socket.setMulticastInterface(name);
                const std::string group = v6 ? std::string(kGroupV6) + "%" + name : std::string(kGroupV4);
                try {
                    socket.sendTo(PeerAddress{group, options.port}, bytes);
                } catch (const TransportException& e) {
                    note(options, "direct-pairing discovery: sending on " + name + " failed: " + e.what());
                }
            }
            sockets.push_back(std::move(socket));
        } catch (const TransportException& e) {
            note(options, std::string("direct-pairing discovery: no ") + (v6 ? "IPv6" : "IPv4") + " socket: " + e.what());
        }
    }

    std::vector<PairingServer> found;
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    while (!sockets.empty() && found.size() < kMaxServers) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) break;
        std::vector<pollfd> fds;
        for (const auto& s : sockets) fds.push_back(pollfd{s.fd(), POLLIN, 0});
        if (::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left, 60'000))) <= 0) continue;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if ((fds[i].revents & POLLIN) == 0) continue;
            while (auto d = sockets[i].receive(std::chrono::milliseconds(0))) {
                const std::string from = d->from.host + ":" + std::to_string(d->from.port);
                try {
                    const auto message = decodeCoapMessage(d->bytes);
                    if (message.token != token) continue;  // not an answer to us
                    const auto response = responseFromWire(message);
                    if (response.code != CoapCode::Content) continue;
                    auto pconf = decodePconf(response.payload);
                    if (!pconf.edp) {
                        note(options, "direct-pairing discovery: " + from + " answered with pairing disabled");
                        continue;
                    }
                    if (pconf.deviceuuid.isNil()) throw DecodeError(DecodeErrorKind::InvalidValue, "pconf.deviceuuid", "nil");
                    const bool known = std::any_of(found.begin(), found.end(),
                                                   [&](const PairingServer& s) { return s.pconf.deviceuuid == pconf.deviceuuid; });
                    if (!known) found.push_back({d->from.host, d->from.port, std::move(pconf)});
                } catch (const std::exception& e) {
                    note(options, "direct-pairing discovery: dropped an answer from " + from + ": " + e.what());
                }
            }
        }
    }
    return found;
}

}  // namespace steward::core
