#include "hostile_clients.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <stdexcept>

namespace steward::test {
namespace {

using Clock = std::chrono::steady_clock;

void ignoreSigpipe() {
    static std::once_flag once;
    std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

SSL_CTX* clientContext() {
    static SSL_CTX* ctx = [] {
        SSL_CTX* c = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
        return c;
    }();
    return ctx;
}

// A TCP connection from `source` to 127.0.0.1:port; -1 if refused.
int connectFrom(const std::string& source, std::uint16_t port, std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Whether the server has closed (or reset) the connection, without waiting. POLLRDHUP sees the
// server's FIN even behind data it sent first (a TLS 1.3 session ticket).
bool closedByPeer(int fd) {
    pollfd p{fd, POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

// The bytes of a real ClientHello (made by OpenSSL into memory).
std::string clientHello() {
    SSL* ssl = SSL_new(clientContext());
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, in, out);
    SSL_connect(ssl);  // wants to read the ServerHello: the ClientHello is in `out`
    std::string hello;
    char buffer[4096];
    int n = 0;
    while ((n = BIO_read(out, buffer, sizeof buffer)) > 0) hello.append(buffer, static_cast<std::size_t>(n));
    SSL_free(ssl);
    return hello;
}

}  // namespace

std::string attackerAddress(int i) { return "127.0.0." + std::to_string(2 + i); }

HttpsReply httpsRequest(const std::string& source, std::uint16_t port, const std::string& method, const std::string& path,
                        const std::string& body, std::chrono::milliseconds timeout) {
    ignoreSigpipe();
    HttpsReply reply;
    const int fd = connectFrom(source, port, timeout);
    if (fd < 0) return reply;
    SSL* ssl = SSL_new(clientContext());
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
        const std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                                    "\r\nConnection: close\r\n\r\n" + body;
        if (SSL_write(ssl, request.data(), static_cast<int>(request.size())) == static_cast<int>(request.size())) {
            std::string answer;
            char buffer[4096];
            int n = 0;
            while ((n = SSL_read(ssl, buffer, sizeof buffer)) > 0) answer.append(buffer, static_cast<std::size_t>(n));
            if (answer.rfind("HTTP/1.", 0) == 0 && answer.size() > 12) reply.status = std::atoi(answer.substr(9, 3).c_str());
            if (const auto split = answer.find("\r\n\r\n"); split != std::string::npos) reply.body = answer.substr(split + 4);
        }
    }
    SSL_free(ssl);
    ::close(fd);
    ERR_clear_error();
    return reply;
}

SlowDrip::SlowDrip(Kind kind, std::uint16_t port, std::vector<std::string> sources, int connectionsPerSource,
                   std::chrono::milliseconds byteInterval)
    : kind_(kind), port_(port), interval_(byteInterval) {
    ignoreSigpipe();
    for (const auto& source : sources) {
        for (int i = 0; i < connectionsPerSource; ++i) threads_.emplace_back([this, source] { run(source); });
    }
}

SlowDrip::~SlowDrip() {
    stop_ = true;
    for (auto& t : threads_) t.join();
}

SlowDrip::Stats SlowDrip::stats() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return stats_;
}

void SlowDrip::run(const std::string& source) {
    const std::string hello = clientHello();
    const std::string request =
        "POST /idprov/provreq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{";
    while (!stop_) {
        const int fd = connectFrom(source, port_, std::chrono::seconds(5));
        if (fd < 0) {
            std::this_thread::sleep_for(interval_);
            continue;
        }
        const auto opened = Clock::now();
        {
            const std::lock_guard<std::mutex> hold(mutex_);
            ++stats_.connections;
        }
        SSL* ssl = nullptr;
        bool closed = false;
        if (kind_ == Kind::HttpAfterHandshake) {
            ssl = SSL_new(clientContext());
            SSL_set_fd(ssl, fd);
            if (SSL_connect(ssl) != 1) {
                closed = closedByPeer(fd);
                if (!closed) {  // our own timeout, not the server's doing: not counted
                    SSL_free(ssl);
                    ::close(fd);
                    ERR_clear_error();
                    continue;
                }
            }
        }
        for (std::size_t sent = 0; !stop_ && !closed; ++sent) {
            // Sliced into short sleeps so that stopping is quick.
            for (auto waited = std::chrono::milliseconds(0); waited < interval_ && !stop_ && !closed;
                 waited += std::chrono::milliseconds(20)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                closed = closedByPeer(fd);
            }
            if (stop_ || closed) break;
            if (kind_ == Kind::TlsClientHello) {
                if (sent + 1 >= hello.size()) sent = hello.size() - 2;  // never the last byte
                closed = ::send(fd, &hello[sent], 1, MSG_NOSIGNAL) != 1;
            } else {
                const char byte = sent < request.size() ? request[sent] : ' ';
                closed = SSL_write(ssl, &byte, 1) != 1;
            }
        }
        if (closed) {
            const double heldMs = std::chrono::duration<double, std::milli>(Clock::now() - opened).count();
            const std::lock_guard<std::mutex> hold(mutex_);
            (heldMs < 500 ? stats_.closedAtOnce : stats_.closedLater)++;
            stats_.longestHeldMs = std::max(stats_.longestHeldMs, heldMs);
        }
        if (ssl != nullptr) SSL_free(ssl);
        ::close(fd);
        ERR_clear_error();
        if (closed && !stop_) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // then straight back
    }
}

RequestFlood::RequestFlood(std::uint16_t port, std::vector<std::string> sources, std::string path, std::function<std::string(int n)> body) {
    ignoreSigpipe();
    for (const auto& source : sources) {
        threads_.emplace_back([this, port, source, path, body] {
            for (int n = 0; !stop_; ++n) {
                const auto started = Clock::now();
                const HttpsReply r = httpsRequest(source, port, "POST", path, body(n), std::chrono::seconds(10));
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
                const std::lock_guard<std::mutex> hold(mutex_);
                ++counts_[r.status];
                slowestMs_ = std::max(slowestMs_, ms);
                if (samples_.size() < 8) samples_.push_back(r.body);
            }
        });
    }
}

RequestFlood::~RequestFlood() {
    stop_ = true;
    for (auto& t : threads_) t.join();
}

std::map<int, int> RequestFlood::statusCounts() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return counts_;
}

double RequestFlood::slowestAnswerMs() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return slowestMs_;
}

std::vector<std::string> RequestFlood::sampleBodies() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return samples_;
}

}  // namespace steward::test
