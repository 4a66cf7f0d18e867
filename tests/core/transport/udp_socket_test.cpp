// The POSIX UDP socket on loopback: binding, datagrams both ways with sender and interface,
// timeouts, address checks and multicast settings (none of which sends anything).
#include <gtest/gtest.h>
#include <net/if.h>
#include <sys/socket.h>

#include <chrono>

#include "steward/transport/udp_socket.hpp"

using namespace steward::core;
using namespace std::chrono_literals;

namespace {

using Bytes = std::vector<std::uint8_t>;

TransportErrorCode errorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const TransportException& e) {
        return e.error().code;
    }
    ADD_FAILURE() << "no TransportException";
    return TransportErrorCode::Shutdown;
}

// ::1 may be missing (IPv6 disabled in a container); those tests skip then.
std::optional<UdpSocket> bindIpv6Loopback() {
    try {
        return UdpSocket::bind("::1", 0);
    } catch (const TransportException&) {
        return std::nullopt;
    }
}

void exchange(UdpSocket& a, UdpSocket& b, const std::string& host) {
    const Bytes hello = {'h', 'i', 0, 0xFF};
    a.sendTo(PeerAddress{host, b.localPort()}, hello);
    const auto got = b.receive(3s);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->bytes, hello);
    EXPECT_EQ(got->from.port, a.localPort());
    EXPECT_EQ(got->interfaceIndex, if_nametoindex("lo"));
    // Where it was sent: what a wildcard-bound device advertises in its endpoints.
    EXPECT_EQ(got->localAddress, host.starts_with('[') ? host.substr(1, host.size() - 2) : host);

    // And back, to the address the datagram came from.
    b.sendTo(got->from, Bytes{1});
    const auto back = a.receive(3s);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->bytes, Bytes{1});
    EXPECT_EQ(back->from.port, b.localPort());
}

TEST(UdpSocket, ExchangesDatagramsOverIpv4Loopback) {
    auto a = UdpSocket::bind("127.0.0.1", 0);
    auto b = UdpSocket::bind("127.0.0.1", 0);
    EXPECT_EQ(a.family(), AF_INET);
    EXPECT_NE(a.localPort(), 0);
    EXPECT_GE(a.fd(), 0);
    exchange(a, b, "127.0.0.1");
    b.sendTo(PeerAddress{"127.0.0.1", a.localPort()}, Bytes{2});
    const auto got = a.receive(3s);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->from.host, "127.0.0.1");
}

TEST(UdpSocket, ExchangesDatagramsOverIpv6Loopback) {
    auto a = bindIpv6Loopback();
    if (!a) GTEST_SKIP() << "IPv6 loopback (::1) is not available here";
    auto b = UdpSocket::bind("[::1]", 0);
    EXPECT_EQ(a->family(), AF_INET6);
    exchange(*a, b, "[::1]");
    a->sendTo(PeerAddress{"::1", b.localPort()}, Bytes{3});
    const auto got = b.receive(3s);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->from.host, "::1");  // numeric, no brackets
}

TEST(UdpSocket, WildcardSocketsAnswerOnLoopback) {
    auto any4 = UdpSocket::bind("0.0.0.0", 0);
    auto peer4 = UdpSocket::bind("127.0.0.1", 0);
    exchange(peer4, any4, "127.0.0.1");
    auto peer6 = bindIpv6Loopback();
    if (!peer6) GTEST_SKIP() << "IPv6 loopback (::1) is not available here";
    auto any6 = UdpSocket::bind("::", 0);
    exchange(*peer6, any6, "::1");
    // IPV6_V6ONLY: the IPv6 wildcard socket takes no IPv4 traffic, so both can share a port.
    EXPECT_NO_THROW(UdpSocket::bind("0.0.0.0", any6.localPort()));
}

TEST(UdpSocket, LargeDatagramsArriveWhole) {
    auto a = UdpSocket::bind("127.0.0.1", 0);
    auto b = UdpSocket::bind("127.0.0.1", 0);
    Bytes big(60000);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
    a.sendTo(PeerAddress{"127.0.0.1", b.localPort()}, big);
    const auto got = b.receive(3s);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->bytes, big);
}

TEST(UdpSocket, ReceiveTimesOutWithNothing) {
    auto a = UdpSocket::bind("127.0.0.1", 0);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(a.receive(100ms));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 90ms);
    EXPECT_FALSE(a.receive(0ms));
}

TEST(UdpSocket, RefusesBadAddresses) {
    EXPECT_EQ(errorOf([] { UdpSocket::bind("localhost", 0); }), TransportErrorCode::InvalidArgument);
    EXPECT_EQ(errorOf([] { UdpSocket::bind("", 0); }), TransportErrorCode::InvalidArgument);
    EXPECT_EQ(errorOf([] { UdpSocket::bind("::1%no-such-if0", 0); }), TransportErrorCode::InvalidArgument);
    auto a = UdpSocket::bind("127.0.0.1", 0);
    EXPECT_EQ(errorOf([&] { a.sendTo(PeerAddress{"::1", 9}, Bytes{1}); }), TransportErrorCode::InvalidArgument);
    EXPECT_EQ(errorOf([&] { a.sendTo(PeerAddress{"example.org", 9}, Bytes{1}); }), TransportErrorCode::InvalidArgument);
    EXPECT_EQ(errorOf([&] { a.sendTo(PeerAddress{"127.0.0.1", 0}, Bytes{1}); }), TransportErrorCode::InvalidArgument);
}

TEST(UdpSocket, ReportsABusyPortWithTheOsReason) {
    auto a = UdpSocket::bind("127.0.0.1", 0);
    try {
        UdpSocket::bind("127.0.0.1", a.localPort());
        FAIL() << "bound a busy port";
    } catch (const TransportException& e) {
        EXPECT_EQ(e.error().code, TransportErrorCode::SendFailed);
        EXPECT_NE(e.error().message.find("in use"), std::string::npos) << e.error().message;
    }
}

TEST(UdpSocket, MulticastSettingsOnLoopbackOnly) {
    auto a = UdpSocket::bind("0.0.0.0", 0);
    EXPECT_NO_THROW(a.setMulticastInterface("lo"));
    EXPECT_NO_THROW(a.setMulticastLoop(false));
    EXPECT_NO_THROW(a.setMulticastHops(1));
    EXPECT_NO_THROW(a.joinGroup("224.0.1.187", "lo"));
    EXPECT_EQ(errorOf([&] { a.setMulticastInterface("no-such-if0"); }), TransportErrorCode::InvalidArgument);
    EXPECT_EQ(errorOf([&] { a.joinGroup("224.0.1.187", "no-such-if0"); }), TransportErrorCode::InvalidArgument);
    EXPECT_EQ(errorOf([&] { a.joinGroup("ff02::158", "lo"); }), TransportErrorCode::InvalidArgument);
    EXPECT_EQ(errorOf([&] { a.setMulticastHops(256); }), TransportErrorCode::InvalidArgument);

    auto six = bindIpv6Loopback();
    if (!six) GTEST_SKIP() << "IPv6 loopback (::1) is not available here";
    auto any6 = UdpSocket::bind("::", 0);
    EXPECT_NO_THROW(any6.setMulticastInterface("lo"));
    EXPECT_NO_THROW(any6.setMulticastHops(1));
    EXPECT_NO_THROW(any6.setMulticastLoop(true));
}

TEST(UdpSocket, MovesOwnership) {
    auto a = UdpSocket::bind("127.0.0.1", 0);
    const int fd = a.fd();
    const auto port = a.localPort();
    UdpSocket b = std::move(a);
    EXPECT_EQ(a.fd(), -1);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    EXPECT_EQ(b.fd(), fd);
    EXPECT_EQ(b.localPort(), port);
    auto c = UdpSocket::bind("127.0.0.1", 0);
    c = std::move(b);
    EXPECT_EQ(c.fd(), fd);
    auto d = UdpSocket::bind("127.0.0.1", 0);
    d.sendTo(PeerAddress{"127.0.0.1", port}, Bytes{5});
    const auto got = c.receive(3s);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->bytes, Bytes{5});
}

}  // namespace
