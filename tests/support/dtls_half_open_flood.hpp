#pragma once
// A hostile LAN host that floods a DTLS server with half-open handshakes (issue 20.3): each from a
// fresh UDP port on one of its source addresses, a real ClientHello (OpenSSL, offering OCF's PSK
// suite), the server's cookie echoed — so the server commits an SSL to it — then silence. Its
// sockets stay open for `holdOpen` (closing one would let an ICMP port-unreachable end the
// server's session early, which a real attacker would not allow).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace steward::test {

class HalfOpenDtlsFlood {
public:
    struct Options {
        std::vector<std::string> sourceAddresses{"127.0.0.2"};  // round robin, one per handshake
        std::string server = "127.0.0.1";
        std::uint16_t port = 0;
        double handshakesPerSecond = 8;
        std::chrono::milliseconds holdOpen{20000};
    };

    explicit HalfOpenDtlsFlood(Options options);
    ~HalfOpenDtlsFlood();  // stops the flood and closes every socket
    HalfOpenDtlsFlood(const HalfOpenDtlsFlood&) = delete;
    HalfOpenDtlsFlood& operator=(const HalfOpenDtlsFlood&) = delete;

    int started() const { return started_.load(); }
    // Handshakes whose cookie the server accepted and that were then left half-open.
    int cookieEchoes() const { return cookieEchoes_.load(); }

private:
    void run();

    Options options_;
    std::atomic<bool> stop_{false};
    std::atomic<int> started_{0};
    std::atomic<int> cookieEchoes_{0};
    std::thread thread_;
};

}  // namespace steward::test
