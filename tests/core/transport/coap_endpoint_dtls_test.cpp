// DTLS-PSK between endpoints on loopback: key selection by identity and hint, refused handshakes,
// session reuse, key material, closing and shutdown with sessions open.
#include <gtest/gtest.h>

#include <set>

#include <algorithm>
#include <future>
#include <mutex>
#include <thread>

#include "steward/transport/coap_endpoint.hpp"
#include "steward/transport/transport_log.hpp"
#include "transport_test_support.hpp"

using namespace steward::core;
using namespace std::chrono_literals;
using steward::test::bytes;
using steward::test::EventRecorder;

namespace {

const PskBytes kDeviceHint = bytes("device-8e745791");
const PskBytes kGatewayIdentity = bytes("gateway-2b7c9f0e");
const PskBytes kOwnerKey = bytes("0123456789abcdef");

// What the server's PSK lookup was asked, recorded from the I/O thread.
struct IdentityLog {
    std::mutex mutex;
    std::vector<PskBytes> identities;
    void add(std::span<const std::uint8_t> identity) {
        const std::lock_guard guard(mutex);
        identities.emplace_back(identity.begin(), identity.end());
    }
    std::vector<PskBytes> snapshot() {
        const std::lock_guard guard(mutex);
        return identities;
    }
};

struct DtlsPair {
    IdentityLog serverSaw;
    EventRecorder serverEvents;
    EventRecorder clientEvents;
    std::unique_ptr<CoapEndpoint> server;
    std::unique_ptr<CoapEndpoint> client;

    std::string address;

    explicit DtlsPair(std::string bindAddress = "127.0.0.1") : address(std::move(bindAddress)) {
        EndpointOptions serverOptions;
        serverOptions.bindAddress = address;
        serverOptions.udpPort = std::nullopt;
        serverOptions.dtlsPort = 0;
        serverOptions.serverPsk =
            ServerPskConfig{kDeviceHint, [this](std::span<const std::uint8_t> identity, const PeerInfo&) {
                                serverSaw.add(identity);
                                const PskBytes asBytes(identity.begin(), identity.end());
                                return asBytes == kGatewayIdentity ? std::optional(SecretBytes(kOwnerKey)) : std::nullopt;
                            }};
        serverOptions.onSessionEvent = serverEvents.handler();
        serverOptions.serverHandshakeTimeout = 1s;
        server = std::make_unique<CoapEndpoint>(serverOptions);
        server->addResource("/oic/sec/doxm", [](const CoapRequest& request, const PeerInfo& peer) {
            if (!peer.secure) return CoapResponse::withCode(CoapCode::Unauthorized);
            auto reply = CoapResponse::withPayload(CoapCode::Changed, request.payload);
            reply.payload.insert(reply.payload.end(), peer.pskIdentity.begin(), peer.pskIdentity.end());
            return reply;
        });

        EndpointOptions clientOptions;
        clientOptions.bindAddress = address;
        clientOptions.onSessionEvent = clientEvents.handler();
        client = std::make_unique<CoapEndpoint>(clientOptions);
    }

    PeerAddress serverAddress() const { return PeerAddress{address, server->securePort()}; }
};

// A client lookup that records the hint it was given and answers with `key`.
struct HintLog {
    std::mutex mutex;
    std::vector<PskBytes> hints;
    ClientPskLookup lookup(PskBytes identity, PskBytes key) {
        return [this, identity, key](std::span<const std::uint8_t> hint) {
            {
                const std::lock_guard guard(mutex);
                hints.emplace_back(hint.begin(), hint.end());
            }
            return std::optional(ClientPskCredentials{identity, SecretBytes(key)});
        };
    }
    std::vector<PskBytes> snapshot() {
        const std::lock_guard guard(mutex);
        return hints;
    }
};

TEST(CoapTransportDtls, HandshakePicksKeysByIdentityAndHint) {
    DtlsPair pair;
    HintLog clientSaw;
    auto session = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(kGatewayIdentity, kOwnerKey), 3s);
    ASSERT_TRUE(session.ok()) << session.error().message;
    EXPECT_TRUE(session->valid());

    // Each side chose its key from what the other sent.
    EXPECT_EQ(pair.serverSaw.snapshot(), std::vector<PskBytes>{kGatewayIdentity});
    EXPECT_EQ(clientSaw.snapshot(), std::vector<PskBytes>{kDeviceHint});
    EXPECT_EQ(session->info().pskHint, kDeviceHint);
    EXPECT_EQ(session->info().pskIdentity, kGatewayIdentity);
    EXPECT_EQ(session->info().role, SessionRole::Client);
    EXPECT_TRUE(session->info().secure);
    // ocf-security.md: every PSK session uses 0xC037, on both sides (libcoap alone would pick
    // ECDHE-PSK-CHACHA20-POLY1305).
    EXPECT_EQ(session->info().cipher, "ECDHE-PSK-AES128-CBC-SHA256");

    auto response = pair.client->request(session.value(), CoapRequest::post("/oic/sec/doxm", bytes("x:")), 2s);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->code, CoapCode::Changed);
    EXPECT_EQ(response->payload, bytes("x:gateway-2b7c9f0e"));  // the handler saw the identity

    const auto serverUp = pair.serverEvents.waitFor(SessionEventType::Established);
    ASSERT_TRUE(serverUp);
    EXPECT_EQ(serverUp->peer.role, SessionRole::Server);
    EXPECT_EQ(serverUp->peer.pskIdentity, kGatewayIdentity);
    EXPECT_EQ(serverUp->peer.pskHint, kDeviceHint);
    EXPECT_EQ(serverUp->peer.cipher, session->info().cipher);
    EXPECT_TRUE(pair.clientEvents.waitFor(SessionEventType::Established, session->id()));
}

TEST(CoapTransportDtls, WrongKeyFailsTheHandshake) {
    DtlsPair pair;
    HintLog clientSaw;
    // The server cannot authenticate the client's Finished and ends the handshake with
    // bad_record_mac: the client names that alert (a silent peer would instead be failed at the
    // deadline as "holds a different PSK").
    auto session = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(kGatewayIdentity, bytes("fedcba9876543210")), 1500ms);
    ASSERT_FALSE(session.ok());
    EXPECT_EQ(session.error().code, TransportErrorCode::HandshakeFailed) << session.error().message;
    const auto& why = session.error().message;
    EXPECT_TRUE(why.find("bad_record_mac (20): wrong key") != std::string::npos || why.find("different PSK") != std::string::npos) << why;
    EXPECT_EQ(clientSaw.snapshot(), std::vector<PskBytes>{kDeviceHint});
    EXPECT_TRUE(pair.clientEvents.waitFor(SessionEventType::Failed));
    const auto serverFailed = pair.serverEvents.waitFor(SessionEventType::Failed);
    ASSERT_TRUE(serverFailed);
    EXPECT_EQ(serverFailed->peer.pskIdentity, kGatewayIdentity);
    EXPECT_EQ(pair.clientEvents.count(SessionEventType::Established), 0u);
    EXPECT_EQ(pair.serverEvents.count(SessionEventType::Established), 0u);
}

TEST(CoapTransportDtls, UnknownIdentityIsRefused) {
    DtlsPair pair;
    HintLog clientSaw;
    auto session = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(bytes("stranger"), kOwnerKey), 3s);
    ASSERT_FALSE(session.ok());
    EXPECT_EQ(session.error().code, TransportErrorCode::HandshakeFailed) << session.error().message;
    // The client learns why from the server's alert, not "nothing listens".
    EXPECT_NE(session.error().message.find("alert unknown_psk_identity (115)"), std::string::npos) << session.error().message;
    EXPECT_EQ(pair.serverSaw.snapshot(), std::vector<PskBytes>{bytes("stranger")});
    const auto failed = pair.serverEvents.waitFor(SessionEventType::Failed);
    ASSERT_TRUE(failed);
    EXPECT_NE(failed->detail.find("unknown PSK identity"), std::string::npos) << failed->detail;
}

TEST(CoapTransportDtls, ClientWithoutKeyForHintAbandons) {
    DtlsPair pair;
    auto session = pair.client->openSession(
        pair.serverAddress(), [](std::span<const std::uint8_t>) { return std::optional<ClientPskCredentials>(); }, 3s);
    ASSERT_FALSE(session.ok());
    EXPECT_EQ(session.error().code, TransportErrorCode::HandshakeFailed);
    EXPECT_NE(session.error().message.find("no PSK for the server's identity hint"), std::string::npos) << session.error().message;
}

TEST(CoapTransportDtls, IdentityWithNulByteIsRefusedNotTruncated) {
    DtlsPair pair;
    HintLog clientSaw;
    PskBytes identity = kGatewayIdentity;
    identity.push_back(0x00);
    identity.push_back(0x41);
    auto session = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(identity, kOwnerKey), 3s);
    ASSERT_FALSE(session.ok());
    EXPECT_EQ(session.error().code, TransportErrorCode::HandshakeFailed);
    EXPECT_NE(session.error().message.find("0x00"), std::string::npos) << session.error().message;
    EXPECT_TRUE(pair.serverSaw.snapshot().empty());

    EndpointOptions badHint;
    badHint.dtlsPort = 0;
    badHint.serverPsk = ServerPskConfig{PskBytes{0x41, 0x00, 0x42},
                                        [](std::span<const std::uint8_t>, const PeerInfo&) { return std::optional<SecretBytes>(); }};
    EXPECT_THROW(CoapEndpoint{badHint}, TransportException);
}

TEST(CoapTransportDtls, BothSidesSeeTheSameKeyMaterial) {
    DtlsPair pair;
    HintLog clientSaw;
    std::promise<std::optional<TlsKeyMaterial>> serverSide;
    // The device derives the owner PSK inside a handler, on the I/O thread.
    pair.server->addResource("/oic/sec/cred", [&](const CoapRequest&, const PeerInfo& peer) {
        serverSide.set_value(pair.server->tlsKeyMaterial(peer.sessionId));
        return CoapResponse::withCode(CoapCode::Changed);
    });
    auto session = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(kGatewayIdentity, kOwnerKey), 3s);
    ASSERT_TRUE(session.ok()) << session.error().message;
    auto response = pair.client->request(session.value(), CoapRequest::post("/oic/sec/cred", {0xA0}), 2s);
    ASSERT_TRUE(response.ok()) << response.error().message;

    const auto client = pair.client->tlsKeyMaterial(session.value());
    const auto server = serverSide.get_future().get();
    ASSERT_TRUE(client);
    ASSERT_TRUE(server);
    EXPECT_EQ(client->masterSecret.size(), 48u);
    EXPECT_EQ(client->clientRandom.size(), 32u);
    EXPECT_EQ(client->serverRandom.size(), 32u);
    EXPECT_EQ(client->masterSecret, server->masterSecret);
    EXPECT_EQ(client->clientRandom, server->clientRandom);
    EXPECT_EQ(client->serverRandom, server->serverRandom);
    EXPECT_NE(client->clientRandom, client->serverRandom);
    EXPECT_TRUE(std::any_of(client->masterSecret.begin(), client->masterSecret.end(), [](auto b) { return b != 0; }));
    EXPECT_EQ(client->cipher, session->info().cipher);

    // Also readable from outside the I/O thread by the id the server's event carried.
    const auto serverUp = pair.serverEvents.waitFor(SessionEventType::Established);
    ASSERT_TRUE(serverUp);
    const auto again = pair.server->tlsKeyMaterial(serverUp->peer.sessionId);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->masterSecret, client->masterSecret);
    EXPECT_FALSE(pair.server->tlsKeyMaterial(12345));
}

TEST(CoapTransportDtls, SeveralRequestsReuseOneSession) {
    DtlsPair pair;
    HintLog clientSaw;
    std::mutex mutex;
    std::vector<SessionId> serverSessions;
    pair.server->addResource("/oic/sec/pstat", [&](const CoapRequest& request, const PeerInfo& peer) {
        const std::lock_guard guard(mutex);
        serverSessions.push_back(peer.sessionId);
        return CoapResponse::withPayload(CoapCode::Changed, request.payload);
    });
    auto session = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(kGatewayIdentity, kOwnerKey), 3s);
    ASSERT_TRUE(session.ok()) << session.error().message;
    const auto before = pair.client->tlsKeyMaterial(session.value());
    ASSERT_TRUE(before);
    for (int i = 0; i < 12; ++i) {
        const auto body = bytes("step " + std::to_string(i));
        auto response = pair.client->request(session.value(), CoapRequest::post("/oic/sec/pstat", body), 2s);
        ASSERT_TRUE(response.ok()) << i << ": " << response.error().message;
        EXPECT_EQ(response->payload, body);
    }
    {
        const std::lock_guard guard(mutex);
        ASSERT_EQ(serverSessions.size(), 12u);
        EXPECT_NE(serverSessions.front(), 0u);
        EXPECT_TRUE(std::all_of(serverSessions.begin(), serverSessions.end(), [&](SessionId id) { return id == serverSessions.front(); }));
    }
    EXPECT_EQ(pair.serverEvents.count(SessionEventType::Established), 1u);
    EXPECT_EQ(clientSaw.snapshot().size(), 1u);  // one handshake
    EXPECT_EQ(pair.client->tlsKeyMaterial(session.value())->masterSecret, before->masterSecret);
}

TEST(CoapTransportDtls, ClosingASessionNotifiesThePeer) {
    DtlsPair pair;
    HintLog clientSaw;
    auto session = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(kGatewayIdentity, kOwnerKey), 3s);
    ASSERT_TRUE(session.ok()) << session.error().message;
    const SessionId id = session->id();
    ASSERT_TRUE(pair.client->sessionInfo(id));
    Session copy = std::move(session.value());
    pair.client->closeSession(copy);
    EXPECT_FALSE(copy.valid());
    EXPECT_TRUE(pair.clientEvents.waitFor(SessionEventType::Closed, id));
    EXPECT_TRUE(pair.serverEvents.waitFor(SessionEventType::Closed));
    EXPECT_FALSE(pair.client->sessionInfo(id));
    EXPECT_FALSE(pair.client->tlsKeyMaterial(id));
    auto late = pair.client->request(copy, CoapRequest::get("/oic/sec/doxm"), 1s);
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().code, TransportErrorCode::SessionClosed);
    pair.client->closeSession(copy);  // idempotent
}

TEST(CoapTransportDtls, DestroyingAnEndpointWithOpenSessionsIsClean) {
    DtlsPair pair;
    HintLog clientSaw;
    auto first = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(kGatewayIdentity, kOwnerKey), 3s);
    auto second = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(kGatewayIdentity, kOwnerKey), 3s);
    ASSERT_TRUE(first.ok()) << first.error().message;
    ASSERT_TRUE(second.ok()) << second.error().message;
    ASSERT_TRUE(pair.client->request(first.value(), CoapRequest::get("/oic/sec/doxm"), 2s).ok());

    // The client goes away with both sessions open: its peer hears close_notify for both, and the
    // Session handles outlive their endpoint harmlessly.
    pair.client.reset();
    EXPECT_TRUE(pair.clientEvents.waitFor(SessionEventType::Closed, first->id(), 0s));
    EXPECT_TRUE(pair.clientEvents.waitFor(SessionEventType::Closed, second->id(), 0s));
    EXPECT_TRUE(pair.serverEvents.waitForCount(SessionEventType::Closed, 2));

    // And a server going away with a session open from a fresh client.
    EndpointOptions clientOptions;
    EventRecorder lateEvents;
    clientOptions.onSessionEvent = lateEvents.handler();
    CoapEndpoint client(clientOptions);
    auto third = client.openSession(pair.serverAddress(), clientSaw.lookup(kGatewayIdentity, kOwnerKey), 3s);
    ASSERT_TRUE(third.ok()) << third.error().message;
    pair.server.reset();
    EXPECT_TRUE(lateEvents.waitFor(SessionEventType::Closed, third->id()));
    auto after = client.request(third.value(), CoapRequest::get("/oic/sec/doxm"), 1s);
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().code, TransportErrorCode::SessionClosed);
}

TEST(CoapTransportDtls, Ipv6Loopback) {
    DtlsPair pair("::1");
    HintLog clientSaw;
    auto session = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(kGatewayIdentity, kOwnerKey), 3s);
    ASSERT_TRUE(session.ok()) << session.error().message;
    EXPECT_EQ(session->info().remoteAddress, "::1");
    auto response = pair.client->request(session.value(), CoapRequest::post("/oic/sec/doxm", bytes("v6:")), 2s);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->payload, bytes("v6:gateway-2b7c9f0e"));
    const auto up = pair.serverEvents.waitFor(SessionEventType::Established);
    ASSERT_TRUE(up);
    EXPECT_EQ(up->peer.remoteAddress, "::1");
}

TEST(CoapTransportDtls, CoapsUriRequestUsesAOneShotSession) {
    DtlsPair pair;
    HintLog clientSaw;
    RequestOptions options;
    options.timeout = 3s;
    options.psk = clientSaw.lookup(kGatewayIdentity, kOwnerKey);
    auto response = pair.client->request("coaps://127.0.0.1:" + std::to_string(pair.server->securePort()) + "/oic/sec/doxm",
                                         CoapRequest::post("", bytes("u:")), options);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->payload, bytes("u:gateway-2b7c9f0e"));
    EXPECT_TRUE(pair.serverEvents.waitFor(SessionEventType::Closed));
}

TEST(CoapTransportDtls, HandshakeWithNobodyListeningFailsFast) {
    EndpointOptions options;
    EventRecorder events;
    options.onSessionEvent = events.handler();
    CoapEndpoint client(options);
    HintLog clientSaw;
    const auto started = std::chrono::steady_clock::now();
    auto session =
        client.openSession(PeerAddress{"127.0.0.1", steward::test::unusedPort()}, clientSaw.lookup(kGatewayIdentity, kOwnerKey), 1500ms);
    ASSERT_FALSE(session.ok());
    EXPECT_TRUE(session.error().code == TransportErrorCode::ConnectionRefused || session.error().code == TransportErrorCode::Timeout)
        << toString(session.error().code) << ": " << session.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    EXPECT_TRUE(events.waitFor(SessionEventType::Failed, 0, 0s));
}

TEST(CoapTransportDtls, SilentServerTimesOutTheHandshake) {
    CoapEndpoint client(EndpointOptions{});
    steward::test::RawUdpSocket silent;
    HintLog clientSaw;
    auto session = client.openSession(PeerAddress{silent.host(), silent.port()}, clientSaw.lookup(kGatewayIdentity, kOwnerKey), 500ms);
    ASSERT_FALSE(session.ok());
    EXPECT_EQ(session.error().code, TransportErrorCode::Timeout) << session.error().message;
    EXPECT_TRUE(silent.receive(0ms));  // a ClientHello went out
}

TEST(CoapTransportDtls, LogSinkReceivesLibraryMessages) {
    std::mutex mutex;
    std::vector<std::string> lines;
    setTransportLogSink([&](TransportLogLevel, std::string_view message) {
        const std::lock_guard guard(mutex);
        lines.emplace_back(message);
    });
    setTransportLogLevel(TransportLogLevel::Info);
    {
        DtlsPair pair;
        HintLog clientSaw;
        auto session = pair.client->openSession(pair.serverAddress(), clientSaw.lookup(bytes("stranger"), bytes("wrong-key-here!!")), 3s);
        EXPECT_FALSE(session.ok());
    }
    setTransportLogLevel(TransportLogLevel::Warning);
    setTransportLogSink(nullptr);
    const std::lock_guard guard(mutex);
    EXPECT_FALSE(lines.empty());
    for (const auto& line : lines) {
        EXPECT_EQ(line.find("0123456789abcdef"), std::string::npos) << line;  // never key bytes
        EXPECT_EQ(line.find("wrong-key-here!!"), std::string::npos) << line;
    }
}

}  // namespace

namespace steward::core {
namespace {

// An OCF device changes its hint when it is owned ("oic.sec.doxm.rdp:" + UUID -> UUID); the
// next handshake must carry the new one, with no restart of the listener.
TEST(CoapTransportDtlsHint, ANewHintAppliesToTheNextHandshake) {
    DtlsPair pair;
    const PskBytes newHint = bytes("device-owned-hint");
    HintLog before;
    auto first = pair.client->openSession(pair.serverAddress(), before.lookup(kGatewayIdentity, kOwnerKey), 3s);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(before.snapshot(), std::vector<PskBytes>{kDeviceHint});

    ASSERT_TRUE(pair.server->setIdentityHint(newHint));
    for (int i = 0; i < 2; ++i) {
        HintLog after;
        auto next = pair.client->openSession(pair.serverAddress(), after.lookup(kGatewayIdentity, kOwnerKey), 3s);
        ASSERT_TRUE(next.ok()) << next.error().message;
        EXPECT_EQ(after.snapshot(), std::vector<PskBytes>{newHint}) << "handshake " << i;
    }
    EXPECT_FALSE(pair.server->setIdentityHint(PskBytes{'a', 0, 'b'}));  // unusable: refused, old one kept
}

}  // namespace
}  // namespace steward::core

namespace steward::core {
namespace {

// libcoap listens with SO_REUSEADDR; for UDP the kernel could then give two "port 0" listeners
// the same port, and one device would answer another's handshakes (seen with 1,000 devices in
// one steward-device process). Every listener must get a port of its own.
TEST(CoapTransportPorts, ListenersOnPortZeroNeverSharePorts) {
    std::vector<std::unique_ptr<CoapEndpoint>> endpoints;
    std::set<std::uint16_t> ports;
    for (int i = 0; i < 600; ++i) {  // ~6 collisions expected without the fix (birthday bound)
        EndpointOptions o;
        o.dtlsPort = 0;
        o.serverPsk =
            ServerPskConfig{bytes("hint"), [](std::span<const std::uint8_t>, const PeerInfo&) { return std::optional<SecretBytes>(); }};
        endpoints.push_back(std::make_unique<CoapEndpoint>(o));
        ports.insert(endpoints.back()->port());
        ports.insert(endpoints.back()->securePort());
    }
    EXPECT_EQ(ports.size(), 1200U);
}

}  // namespace
}  // namespace steward::core
