#pragma once
// A hostile DTLS client's half: a UDP relay between a DTLS client and a server that forwards the
// handshake up to the client's key exchange and drops everything from its ChangeCipherSpec on.
// The server has then chosen the key for the client's identity and waits for a Finished that
// never comes — the half-open handshake an attacker holds to keep a server busy (or to hold a
// PIN key while other guesses run).
//
// The client connects to listenPort() on `relayAddress`; the server sees the relay's own socket,
// bound to the same address (so a test can make the attacker a different loopback host).
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace steward::test {

class DtlsStallingRelay {
public:
    DtlsStallingRelay(const std::string& relayAddress, const std::string& serverAddress, std::uint16_t serverPort);
    ~DtlsStallingRelay();
    DtlsStallingRelay(const DtlsStallingRelay&) = delete;
    DtlsStallingRelay& operator=(const DtlsStallingRelay&) = delete;

    std::uint16_t listenPort() const { return listenPort_; }
    // Client datagrams cut short at a ChangeCipherSpec record (the handshake is stalled from then).
    int stalledFlights() const { return stalledFlights_.load(); }

private:
    void run();

    int clientSide_ = -1;  // the client talks to this one
    int serverSide_ = -1;  // this one talks to the server
    std::uint16_t listenPort_ = 0;
    int wake_ = -1;
    std::atomic<int> stalledFlights_{0};
    std::thread thread_;
};

}  // namespace steward::test
