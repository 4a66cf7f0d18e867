// Our DTLS client against a server we did not write: `openssl s_server -dtls1_2` with a PSK. It
// negotiates OCF's suite when offered it, and when the server allows only another suite the
// handshake fails with the alert named (not "nothing listens on that port").
#include <gtest/gtest.h>

#include <string>

#include "background_process.hpp"
#include "process_runner.hpp"
#include "transport_test_support.hpp"

namespace steward::test {
namespace {

const core::PskBytes kKey = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
const char* kKeyHex = "00112233445566778899aabbccddeeff";

// s_server runs until its standard input ends: BackgroundProcess keeps that pipe open, and
// closes it (with SIGTERM) at the end.
class OpensslServer {
public:
    explicit OpensslServer(const std::string& cipher)
        : port_(unusedPort()),
          process_(findOnPath("openssl"), {"s_server", "-dtls1_2", "-accept", "127.0.0.1:" + std::to_string(port_), "-nocert", "-psk",
                                           kKeyHex, "-psk_hint", "device", "-cipher", cipher}) {}
    core::PeerAddress address() const { return {"127.0.0.1", port_}; }
    bool ready() {
        return process_.waitForLine([](const std::string& l) { return l.find("ACCEPT") != std::string::npos; }, 10s).has_value();
    }
    std::string output() const { return process_.output(); }

private:
    std::uint16_t port_;
    BackgroundProcess process_;
};

core::ClientPskLookup gatewayPsk() { return core::fixedClientPsk(core::ClientPskCredentials{{'g', 'w'}, core::SecretBytes(kKey)}); }

std::unique_ptr<core::CoapEndpoint> client() {
    core::EndpointOptions o;
    o.udpPort = std::nullopt;
    return std::make_unique<core::CoapEndpoint>(o);
}

TEST(OpensslPeer, NegotiatesTheOcfPskSuite) {
    if (findOnPath("openssl") == "openssl") GTEST_SKIP() << "openssl (the command) is not installed";
    OpensslServer server("ECDHE-PSK-AES128-CBC-SHA256:ECDHE-PSK-CHACHA20-POLY1305:PSK-AES128-GCM-SHA256");
    ASSERT_TRUE(server.ready()) << server.output();
    auto endpoint = client();
    auto session = endpoint->openSession(server.address(), gatewayPsk(), 5s);
    ASSERT_TRUE(session.ok()) << session.error().message << "\n" << server.output();
    // Offered alone by us, so chosen whatever the server prefers.
    EXPECT_EQ(session->info().cipher, "ECDHE-PSK-AES128-CBC-SHA256");
}

TEST(OpensslPeer, AServerWithoutTheOcfSuiteRefusesWithANamedAlert) {
    if (findOnPath("openssl") == "openssl") GTEST_SKIP() << "openssl (the command) is not installed";
    OpensslServer server("ECDHE-PSK-CHACHA20-POLY1305:PSK-AES128-GCM-SHA256");
    ASSERT_TRUE(server.ready()) << server.output();
    auto endpoint = client();
    auto session = endpoint->openSession(server.address(), gatewayPsk(), 5s);
    ASSERT_FALSE(session.ok());
    EXPECT_EQ(session.error().code, core::TransportErrorCode::HandshakeFailed) << session.error().message;
    EXPECT_NE(session.error().message.find("handshake_failure (40)"), std::string::npos) << session.error().message;
    EXPECT_EQ(session.error().message.find("nothing listens"), std::string::npos) << session.error().message;
}

}  // namespace
}  // namespace steward::test
