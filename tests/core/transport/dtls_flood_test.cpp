// Half-open DTLS handshakes against a listener (issue 20.3): a hostile client echoes the cookie
// and goes silent, from one address or from many, while the owner opens sessions and uses one it
// already had. Real sockets on 127.0.0.x, the listener's default bounds unless a test says so.
#include <gtest/gtest.h>

#include <thread>

#include "dtls_half_open_flood.hpp"
#include "steward/transport/coap_endpoint.hpp"
#include "transport_test_support.hpp"

using namespace steward::core;
using namespace std::chrono_literals;
using steward::test::bytes;
using steward::test::HalfOpenDtlsFlood;

namespace {

const PskBytes kHint = bytes("device-flooded");
const PskBytes kOwnerIdentity = bytes("owner-identity");
const PskBytes kOwnerKey = bytes("0123456789abcdef");

std::unique_ptr<CoapEndpoint> makeServer(ServerHandshakeLimits limits = {}) {
    EndpointOptions o;
    o.udpPort = std::nullopt;
    o.dtlsPort = 0;
    o.serverPsk = ServerPskConfig{
        kHint, [](std::span<const std::uint8_t> identity, const PeerInfo&) {
            return PskBytes(identity.begin(), identity.end()) == kOwnerIdentity ? std::optional(SecretBytes(kOwnerKey)) : std::nullopt;
        }};
    o.serverHandshakes = limits;
    auto server = std::make_unique<CoapEndpoint>(std::move(o));
    server->addResource("/a/light", [](const CoapRequest&, const PeerInfo&) { return CoapResponse::withCode(CoapCode::Content); });
    return server;
}

ClientPskLookup ownerPsk() {
    return [](std::span<const std::uint8_t>) { return std::optional(ClientPskCredentials{kOwnerIdentity, SecretBytes(kOwnerKey)}); };
}

struct OwnerTally {
    int newSessions = 0;
    int newSessionFailures = 0;
    int requests = 0;
    int requestFailures = 0;
    std::chrono::milliseconds slowest{0};
};

// For `duration`: a new session and a request on it, and a request on `existing`, every 100 ms.
OwnerTally ownerWorks(CoapEndpoint& client, CoapEndpoint& server, const Session& existing, std::chrono::milliseconds duration) {
    OwnerTally tally;
    const auto end = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < end) {
        const auto started = std::chrono::steady_clock::now();
        auto session = client.openSession(PeerAddress{"127.0.0.1", server.securePort()}, ownerPsk(), 5s);
        ++tally.newSessions;
        if (session.ok() && client.request(session.value(), CoapRequest::get("/a/light"), 5s).ok()) {
            tally.slowest =
                std::max(tally.slowest, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started));
            client.closeSession(session.value());
        } else {
            ++tally.newSessionFailures;
        }
        ++tally.requests;
        if (!client.request(existing, CoapRequest::get("/a/light"), 5s).ok()) ++tally.requestFailures;
        std::this_thread::sleep_for(100ms);
    }
    return tally;
}

bool waitForEchoes(const HalfOpenDtlsFlood& flood, int wanted, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (flood.cookieEchoes() < wanted) {
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

TEST(DtlsHalfOpenFlood, OneFloodingAddressOnlyEvictsItsOwnHandshakes) {
    auto server = makeServer();
    EndpointOptions clientOptions;
    CoapEndpoint client(clientOptions);
    auto existing = client.openSession(PeerAddress{"127.0.0.1", server->securePort()}, ownerPsk(), 3s);
    ASSERT_TRUE(existing.ok()) << existing.error().message;

    HalfOpenDtlsFlood flood({{"127.0.0.2"}, "127.0.0.1", server->securePort(), 60, 20s});
    ASSERT_TRUE(waitForEchoes(flood, 40, 5s)) << flood.cookieEchoes() << " of " << flood.started();

    const auto tally = ownerWorks(client, *server, existing.value(), 3s);
    EXPECT_EQ(tally.newSessionFailures, 0) << "of " << tally.newSessions;
    EXPECT_EQ(tally.requestFailures, 0) << "of " << tally.requests;
    EXPECT_LT(tally.slowest, 5s);
    EXPECT_GT(flood.cookieEchoes(), 150) << "the attack ran all along";

    const auto stats = server->serverHandshakeStats();
    // The flooder's 4, and the owner's one at most.
    EXPECT_LE(stats.peakInProgress, ServerHandshakeLimits{}.perAddress + 1);
    EXPECT_GT(stats.evictedPerAddress, 100U);
    EXPECT_EQ(stats.evictedTotal, 0U);
}

TEST(DtlsHalfOpenFlood, ManyFloodingAddressesMeetTheListenerBoundAndTheOwnerStillGetsIn) {
    auto server = makeServer();
    EndpointOptions clientOptions;
    CoapEndpoint client(clientOptions);
    auto existing = client.openSession(PeerAddress{"127.0.0.1", server->securePort()}, ownerPsk(), 3s);
    ASSERT_TRUE(existing.ok()) << existing.error().message;

    std::vector<std::string> sources;
    for (int i = 2; i < 14; ++i) sources.push_back("127.0.0." + std::to_string(i));
    HalfOpenDtlsFlood flood({sources, "127.0.0.1", server->securePort(), 80, 20s});
    ASSERT_TRUE(waitForEchoes(flood, 60, 5s)) << flood.cookieEchoes() << " of " << flood.started();

    const auto tally = ownerWorks(client, *server, existing.value(), 3s);
    EXPECT_EQ(tally.newSessionFailures, 0) << "of " << tally.newSessions;
    EXPECT_EQ(tally.requestFailures, 0) << "of " << tally.requests;
    EXPECT_LT(tally.slowest, 5s);

    const auto stats = server->serverHandshakeStats();
    EXPECT_LE(stats.peakInProgress, ServerHandshakeLimits{}.total);
    EXPECT_GT(stats.evictedTotal, 0U) << "12 addresses x 4 exceed the listener's 32";
}

TEST(DtlsHalfOpenFlood, HalfOpenHandshakesTimeOutAndNothingIsLeft) {
    ServerHandshakeLimits limits;
    limits.timeout = 500ms;
    auto server = makeServer(limits);
    {
        HalfOpenDtlsFlood flood({{"127.0.0.2", "127.0.0.3"}, "127.0.0.1", server->securePort(), 8, 20s});
        ASSERT_TRUE(waitForEchoes(flood, 6, 5s));
    }
    // The server's first retransmission (1 s) comes after the timeout: the timeout ends them.
    std::this_thread::sleep_for(1s);
    const auto stats = server->serverHandshakeStats();
    EXPECT_EQ(stats.inProgress, 0U);
    EXPECT_GE(stats.timedOut, 6U);
    EXPECT_EQ(stats.evictedPerAddress, 0U);

    EndpointOptions clientOptions;
    CoapEndpoint client(clientOptions);
    auto session = client.openSession(PeerAddress{"127.0.0.1", server->securePort()}, ownerPsk(), 3s);
    EXPECT_TRUE(session.ok()) << session.error().message;
}

}  // namespace
