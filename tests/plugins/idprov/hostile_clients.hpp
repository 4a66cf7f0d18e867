#pragma once
// Hostile clients of the IDProv server for the denial-of-service tests and benchmark (issue 20),
// all on loopback: each attacker binds its own source address 127.0.0.<2+i> (every 127/8 address
// is local on Linux), so per-address limits see separate hosts, and connects to 127.0.0.1.
//  - SlowDrip: connections that send their bytes one at a time (a TLS ClientHello, or after a
//    completed handshake an HTTP request), reconnecting whenever the server closes them;
//  - RequestFlood: one thread per source posting request bodies back to back;
//  - httpsRequest(): one HTTPS request from a chosen source (no certificate checks).
// Raw sockets and OpenSSL, so that nothing in Steward's own client can soften the attack.
// SIGPIPE is ignored process-wide once any of these runs.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace steward::test {

// "127.0.0.<2+i>".
std::string attackerAddress(int i);

struct HttpsReply {
    int status = 0;  // 0: no answer (refused, cut, timed out)
    std::string body;
};
HttpsReply httpsRequest(const std::string& source, std::uint16_t port, const std::string& method, const std::string& path,
                        const std::string& body = "", std::chrono::milliseconds timeout = std::chrono::seconds(10));

class SlowDrip {
public:
    enum class Kind { TlsClientHello, HttpAfterHandshake };
    SlowDrip(Kind kind, std::uint16_t port, std::vector<std::string> sources, int connectionsPerSource,
             std::chrono::milliseconds byteInterval);
    ~SlowDrip();  // stops and joins
    SlowDrip(const SlowDrip&) = delete;
    SlowDrip& operator=(const SlowDrip&) = delete;

    struct Stats {
        int connections = 0;       // connections made
        int closedAtOnce = 0;      // closed by the server within 500 ms (refused at admission)
        int closedLater = 0;       // closed by the server after that (cut at the deadline)
        double longestHeldMs = 0;  // the longest a connection stayed open before the server closed it
    };
    Stats stats() const;

private:
    void run(const std::string& source);
    Kind kind_;
    std::uint16_t port_;
    std::chrono::milliseconds interval_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    Stats stats_;
    std::vector<std::thread> threads_;
};

class RequestFlood {
public:
    // `body(n)` is the n-th request body (POSTed to `path`) of a source.
    RequestFlood(std::uint16_t port, std::vector<std::string> sources, std::string path, std::function<std::string(int n)> body);
    ~RequestFlood();  // stops and joins
    RequestFlood(const RequestFlood&) = delete;
    RequestFlood& operator=(const RequestFlood&) = delete;

    std::map<int, int> statusCounts() const;  // HTTP status -> answers (0: no answer)
    double slowestAnswerMs() const;
    std::vector<std::string> sampleBodies() const;  // the first few answers' bodies

private:
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::map<int, int> counts_;
    double slowestMs_ = 0;
    std::vector<std::string> samples_;
    std::vector<std::thread> threads_;
};

}  // namespace steward::test
