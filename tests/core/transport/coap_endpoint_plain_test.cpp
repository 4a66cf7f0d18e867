// Plain CoAP over UDP between endpoints on loopback: round trips, OCF options, errors.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "steward/transport/coap_endpoint.hpp"
#include "transport_test_support.hpp"

using namespace steward::core;
using namespace std::chrono_literals;
using steward::test::bytes;
using steward::test::RawUdpSocket;

namespace {

EndpointOptions loopback(std::string address = "127.0.0.1") {
    EndpointOptions options;
    options.bindAddress = std::move(address);
    options.udpPort = 0;
    return options;
}

struct WireOption {
    std::uint16_t number;
    std::vector<std::uint8_t> value;
};

struct WireMessage {
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint16_t messageId = 0;
    std::vector<std::uint8_t> token;
    std::vector<WireOption> options;
    std::vector<std::uint8_t> payload;
};

// Just enough of RFC 7252 section 3 to read what the endpoint put on the wire.
std::optional<WireMessage> parseWire(const std::vector<std::uint8_t>& d) {
    if (d.size() < 4 || (d[0] >> 6) != 1) return std::nullopt;
    WireMessage m;
    m.type = static_cast<std::uint8_t>((d[0] >> 4) & 3);
    const std::size_t tkl = d[0] & 15U;
    m.code = d[1];
    m.messageId = static_cast<std::uint16_t>((d[2] << 8) | d[3]);
    std::size_t i = 4;
    if (d.size() < i + tkl) return std::nullopt;
    m.token.assign(d.begin() + 4, d.begin() + static_cast<std::ptrdiff_t>(4 + tkl));
    i += tkl;
    unsigned number = 0;
    auto extended = [&](unsigned nibble) -> std::optional<unsigned> {
        if (nibble < 13) return nibble;
        if (nibble == 13 && i < d.size()) return 13U + d[i++];
        if (nibble == 14 && i + 1 < d.size()) {
            const unsigned v = 269U + ((unsigned{d[i]} << 8) | d[i + 1]);
            i += 2;
            return v;
        }
        return std::nullopt;
    };
    while (i < d.size() && d[i] != 0xFF) {
        const unsigned deltaNibble = d[i] >> 4;
        const unsigned lengthNibble = d[i] & 15U;
        ++i;
        const auto delta = extended(deltaNibble);
        const auto length = extended(lengthNibble);
        if (!delta || !length || i + *length > d.size()) return std::nullopt;
        number += *delta;
        m.options.push_back(
            {static_cast<std::uint16_t>(number),
             std::vector<std::uint8_t>(d.begin() + static_cast<std::ptrdiff_t>(i), d.begin() + static_cast<std::ptrdiff_t>(i + *length))});
        i += *length;
    }
    if (i < d.size()) m.payload.assign(d.begin() + static_cast<std::ptrdiff_t>(i + 1), d.end());
    return m;
}

std::optional<std::vector<std::uint8_t>> optionValue(const WireMessage& m, std::uint16_t number) {
    for (const auto& option : m.options) {
        if (option.number == number) return option.value;
    }
    return std::nullopt;
}

TEST(CoapTransportPlain, GetRoundTripCarriesOcfOptions) {
    CoapEndpoint server(loopback());
    CoapEndpoint client(loopback());
    ASSERT_NE(server.port(), 0);
    EXPECT_EQ(server.securePort(), 0);

    std::promise<std::pair<CoapRequest, PeerInfo>> seen;
    server.addResource("/oic/sec/doxm", [&](const CoapRequest& request, const PeerInfo& peer) {
        seen.set_value({request, peer});
        return CoapResponse::withPayload(CoapCode::Content, bytes("doxm"));
    });

    auto request = CoapRequest::get("/oic/sec/doxm");
    request.query = {"owned=FALSE"};
    auto response = client.request(PeerAddress{"127.0.0.1", server.port()}, request, 2s);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->code, CoapCode::Content);
    EXPECT_EQ(response->payload, bytes("doxm"));
    EXPECT_EQ(response->contentFormat, kContentFormatOcfCbor);
    EXPECT_EQ(response->ocfContentFormatVersion, kOcfVersion1_0);

    const auto [received, peer] = seen.get_future().get();
    EXPECT_EQ(received.method, CoapMethod::Get);
    EXPECT_EQ(received.path, "/oic/sec/doxm");
    EXPECT_EQ(received.query, (std::vector<std::string>{"owned=FALSE"}));
    EXPECT_EQ(received.accept, kContentFormatOcfCbor);
    EXPECT_EQ(received.ocfContentFormatVersion, kOcfVersion1_0);
    EXPECT_EQ(received.ocfAcceptContentFormatVersion, kOcfVersion1_0);
    EXPECT_FALSE(received.contentFormat);  // no payload, no Content-Format
    EXPECT_TRUE(received.confirmable);
    EXPECT_FALSE(peer.secure);
    EXPECT_EQ(peer.sessionId, 0u);
    EXPECT_EQ(peer.remoteAddress, "127.0.0.1");
    EXPECT_NE(peer.remotePort, 0);
}

TEST(CoapTransportPlain, PostWithPayloadRoundTrip) {
    CoapEndpoint server(loopback());
    CoapEndpoint client(loopback());
    std::promise<CoapRequest> seen;
    server.addResource("/oic/sec/pstat", [&](const CoapRequest& request, const PeerInfo&) {
        seen.set_value(request);
        auto reply = CoapResponse::withPayload(CoapCode::Changed, request.payload);
        reply.payload.push_back(0x01);
        return reply;
    });
    const std::vector<std::uint8_t> body{0xA1, 0x62, 0x6F, 0x6D, 0x04};
    auto response = client.request(PeerAddress{"127.0.0.1", server.port()}, CoapRequest::post("oic/sec/pstat", body), 2s);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->code, CoapCode::Changed);
    auto expected = body;
    expected.push_back(0x01);
    EXPECT_EQ(response->payload, expected);

    const auto received = seen.get_future().get();
    EXPECT_EQ(received.method, CoapMethod::Post);
    EXPECT_EQ(received.payload, body);
    EXPECT_EQ(received.contentFormat, kContentFormatOcfCbor);
    EXPECT_EQ(received.ocfContentFormatVersion, kOcfVersion1_0);
}

TEST(CoapTransportPlain, OcfOptionsOnTheWireAndCriticalOptionInAnswerAccepted) {
    CoapEndpoint client(loopback());
    RawUdpSocket device;
    auto pending = std::async(std::launch::async, [&] {
        return client.request(PeerAddress{device.host(), device.port()}, CoapRequest::post("/oic/sec/doxm", {0xA0}), 3s);
    });

    const auto datagram = device.receive();
    ASSERT_TRUE(datagram);
    const auto message = parseWire(*datagram);
    ASSERT_TRUE(message);
    EXPECT_EQ(message->type, 0);     // confirmable
    EXPECT_EQ(message->code, 0x02);  // POST
    EXPECT_EQ(message->token.size(), 8u);
    EXPECT_EQ(optionValue(*message, 11), bytes("oic"));
    EXPECT_EQ(optionValue(*message, 12), (std::vector<std::uint8_t>{0x27, 0x10}));    // Content-Format 10000
    EXPECT_EQ(optionValue(*message, 17), (std::vector<std::uint8_t>{0x27, 0x10}));    // Accept 10000
    EXPECT_EQ(optionValue(*message, 2049), (std::vector<std::uint8_t>{0x08, 0x00}));  // 2048
    EXPECT_EQ(optionValue(*message, 2053), (std::vector<std::uint8_t>{0x08, 0x00}));  // 2048
    EXPECT_EQ(message->payload, (std::vector<std::uint8_t>{0xA0}));

    // Piggybacked 2.04 carrying Content-Format 10000 and the critical option 2053, as a real
    // OCF device answers: libcoap must not drop it as "unknown critical option".
    std::vector<std::uint8_t> answer{static_cast<std::uint8_t>(0x60 | message->token.size()), 0x44,
                                     static_cast<std::uint8_t>(message->messageId >> 8),
                                     static_cast<std::uint8_t>(message->messageId & 0xFF)};
    answer.insert(answer.end(), message->token.begin(), message->token.end());
    const std::vector<std::uint8_t> tail{0xC2, 0x27, 0x10, 0xE2, 0x06, 0xEC, 0x08, 0x00, 0xFF, 0xBF, 0xFF};
    answer.insert(answer.end(), tail.begin(), tail.end());
    device.reply(answer);

    auto response = pending.get();
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->code, CoapCode::Changed);
    EXPECT_EQ(response->contentFormat, kContentFormatOcfCbor);
    EXPECT_EQ(response->ocfContentFormatVersion, kOcfVersion1_0);
    EXPECT_EQ(response->payload, (std::vector<std::uint8_t>{0xBF, 0xFF}));
}

TEST(CoapTransportPlain, UnknownPathIsNotFound) {
    CoapEndpoint server(loopback());
    CoapEndpoint client(loopback());
    auto response = client.request(PeerAddress{"127.0.0.1", server.port()}, CoapRequest::get("/nothing/here"), 2s);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->code, CoapCode::NotFound);
}

TEST(CoapTransportPlain, ThrowingHandlerAnswersInternalServerError) {
    CoapEndpoint server(loopback());
    CoapEndpoint client(loopback());
    server.addResource("/boom", [](const CoapRequest&, const PeerInfo&) -> CoapResponse { throw std::runtime_error("handler failure"); });
    auto response = client.request(PeerAddress{"127.0.0.1", server.port()}, CoapRequest::get("/boom"), 2s);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->code, CoapCode::InternalServerError);
    // The endpoint keeps serving afterwards.
    server.addResource("/boom", [](const CoapRequest&, const PeerInfo&) { return CoapResponse::withCode(CoapCode::Deleted); });
    auto again = client.request(PeerAddress{"127.0.0.1", server.port()}, CoapRequest::del("/boom"), 2s);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->code, CoapCode::Deleted);
}

TEST(CoapTransportPlain, LargeBodiesTravelBlockwise) {
    CoapEndpoint server(loopback());
    CoapEndpoint client(loopback());
    std::vector<std::uint8_t> big(5000);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
    server.addResource("/oic/sec/cred", [&](const CoapRequest& request, const PeerInfo&) {
        if (request.payload != big) return CoapResponse::withCode(CoapCode::BadRequest);
        auto reversed = big;
        std::reverse(reversed.begin(), reversed.end());
        return CoapResponse::withPayload(CoapCode::Changed, reversed);
    });
    auto response = client.request(PeerAddress{"127.0.0.1", server.port()}, CoapRequest::post("/oic/sec/cred", big), 3s);
    ASSERT_TRUE(response.ok()) << response.error().message;
    ASSERT_EQ(response->code, CoapCode::Changed);
    auto reversed = big;
    std::reverse(reversed.begin(), reversed.end());
    EXPECT_EQ(response->payload, reversed);
}

TEST(CoapTransportPlain, Ipv6Loopback) {
    CoapEndpoint server(loopback("::1"));
    CoapEndpoint client(loopback("::1"));
    std::promise<PeerInfo> seen;
    server.addResource("/oic/res", [&](const CoapRequest&, const PeerInfo& peer) {
        seen.set_value(peer);
        return CoapResponse::withPayload(CoapCode::Content, bytes("res"));
    });
    auto response = client.request(PeerAddress{"[::1]", server.port()}, CoapRequest::get("/oic/res"), 2s);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->payload, bytes("res"));
    EXPECT_EQ(seen.get_future().get().remoteAddress, "::1");
}

TEST(CoapTransportPlain, RequestByUri) {
    CoapEndpoint server(loopback());
    CoapEndpoint client(loopback());
    std::promise<CoapRequest> seen;
    server.addResource("/oic/res", [&](const CoapRequest& request, const PeerInfo&) {
        seen.set_value(request);
        return CoapResponse::withCode(CoapCode::Content);
    });
    RequestOptions options;
    options.timeout = 2s;
    auto response =
        client.request("coap://127.0.0.1:" + std::to_string(server.port()) + "/oic/res?rt=oic.r.doxm&if=baseline", CoapRequest{}, options);
    ASSERT_TRUE(response.ok()) << response.error().message;
    const auto received = seen.get_future().get();
    EXPECT_EQ(received.path, "/oic/res");
    EXPECT_EQ(received.query, (std::vector<std::string>{"rt=oic.r.doxm", "if=baseline"}));

    EXPECT_EQ(client.request("http://127.0.0.1/x", CoapRequest{}, options).error().code, TransportErrorCode::InvalidArgument);
    EXPECT_EQ(client.request("coaps://127.0.0.1:1/x", CoapRequest{}, options).error().code,
              TransportErrorCode::InvalidArgument);  // no PSK given
}

TEST(CoapTransportPlain, SilentPeerTimesOut) {
    CoapEndpoint client(loopback());
    RawUdpSocket silent;
    const auto started = std::chrono::steady_clock::now();
    auto response = client.request(PeerAddress{silent.host(), silent.port()}, CoapRequest::get("/x"), 500ms);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, TransportErrorCode::Timeout);
    EXPECT_GE(elapsed, 450ms);
    EXPECT_LT(elapsed, 2s);
    EXPECT_TRUE(silent.receive(0ms));  // the request did go out
}

TEST(CoapTransportPlain, NobodyListeningIsAnErrorNotAHang) {
    CoapEndpoint client(loopback());
    const auto started = std::chrono::steady_clock::now();
    auto response = client.request(PeerAddress{"127.0.0.1", steward::test::unusedPort()}, CoapRequest::get("/x"), 1500ms);
    ASSERT_FALSE(response.ok());
    EXPECT_TRUE(response.error().code == TransportErrorCode::ConnectionRefused || response.error().code == TransportErrorCode::Timeout)
        << toString(response.error().code) << ": " << response.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    std::cout << "nobody listening: " << toString(response.error().code) << '\n';
}

TEST(CoapTransportPlain, NonConfirmableRequestGetsAnAnswer) {
    CoapEndpoint server(loopback());
    CoapEndpoint client(loopback());
    std::promise<bool> confirmable;
    server.addResource("/oic/res", [&](const CoapRequest& request, const PeerInfo&) {
        confirmable.set_value(request.confirmable);
        return CoapResponse::withPayload(CoapCode::Content, bytes("links"));
    });
    auto request = CoapRequest::get("/oic/res");
    request.confirmable = false;
    auto response = client.request(PeerAddress{"127.0.0.1", server.port()}, request, 2s);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->payload, bytes("links"));
    EXPECT_FALSE(confirmable.get_future().get());
}

TEST(CoapTransportPlain, BadArgumentsAreRefused) {
    CoapEndpoint client(loopback());
    EXPECT_EQ(client.request(PeerAddress{"localhost", 5683}, CoapRequest::get("/x"), 1s).error().code, TransportErrorCode::InvalidArgument);
    EXPECT_EQ(client.request(PeerAddress{"127.0.0.1", 0}, CoapRequest::get("/x"), 1s).error().code, TransportErrorCode::InvalidArgument);

    auto badBind = loopback("not-an-address");
    EXPECT_THROW(CoapEndpoint{badBind}, TransportException);
    auto dtlsWithoutPsk = loopback();
    dtlsWithoutPsk.dtlsPort = 0;
    EXPECT_THROW(CoapEndpoint{dtlsWithoutPsk}, TransportException);
}

TEST(CoapTransportPlain, BlockingCallsInsideAHandlerAreRefused) {
    CoapEndpoint server(loopback());
    CoapEndpoint client(loopback());
    CoapEndpoint other(loopback());
    std::promise<std::vector<TransportErrorCode>> nested;
    server.addResource("/nested", [&](const CoapRequest&, const PeerInfo&) {
        std::vector<TransportErrorCode> codes;
        auto code = [](const TransportResult<CoapResponse>& r) { return r.ok() ? TransportErrorCode::SendFailed : r.error().code; };
        // Same endpoint: its I/O thread would wait for itself.
        codes.push_back(code(server.request(PeerAddress{"127.0.0.1", server.port()}, CoapRequest::get("/x"), 1s)));
        // Another endpoint: this thread holds the lock that endpoint's I/O thread needs.
        codes.push_back(code(other.request(PeerAddress{"127.0.0.1", server.port()}, CoapRequest::get("/x"), 1s)));
        try {
            other.addResource("/late", [](const CoapRequest&, const PeerInfo&) { return CoapResponse{}; });
            codes.push_back(TransportErrorCode::SendFailed);
        } catch (const TransportException& error) {
            codes.push_back(error.error().code);
        }
        nested.set_value(codes);
        return CoapResponse::withCode(CoapCode::Content);
    });
    auto response = client.request(PeerAddress{"127.0.0.1", server.port()}, CoapRequest::get("/nested"), 2s);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(nested.get_future().get(), std::vector<TransportErrorCode>(3, TransportErrorCode::WrongThread));
}

TEST(CoapTransportPlain, ConcurrentRequestsFromManyThreads) {
    CoapEndpoint server(loopback());
    CoapEndpoint client(loopback());
    server.addResource(
        "/echo", [](const CoapRequest& request, const PeerInfo&) { return CoapResponse::withPayload(CoapCode::Changed, request.payload); });
    std::vector<std::future<bool>> results;
    for (int t = 0; t < 4; ++t) {
        results.push_back(std::async(std::launch::async, [&, t] {
            for (int i = 0; i < 5; ++i) {
                const auto body = bytes("t" + std::to_string(t) + "i" + std::to_string(i));
                auto response = client.request(PeerAddress{"127.0.0.1", server.port()}, CoapRequest::post("/echo", body), 2s);
                if (!response.ok() || response->payload != body) return false;
            }
            return true;
        }));
    }
    for (auto& result : results) EXPECT_TRUE(result.get());
}

}  // namespace
