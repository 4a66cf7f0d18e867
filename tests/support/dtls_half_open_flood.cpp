#include "dtls_half_open_flood.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace steward::test {
namespace {

using Clock = std::chrono::steady_clock;

// OpenSSL offers PSK suites only with a client callback; it is never reached (we stop earlier).
unsigned int pskCallback(SSL*, const char*, char* identity, unsigned int maxIdentity, unsigned char* psk, unsigned int maxPsk) {
    if (maxIdentity < 2 || maxPsk < 16) return 0;
    std::strcpy(identity, "x");
    std::memset(psk, 0x5a, 16);
    return 16;
}

// Counts the ClientHellos this SSL wrote: the second one carries the server's cookie.
void countHellos(int write, int, int contentType, const void* buf, size_t len, SSL* ssl, void*) {
    if (write == 0 || contentType != SSL3_RT_HANDSHAKE || len == 0) return;
    if (static_cast<const unsigned char*>(buf)[0] != SSL3_MT_CLIENT_HELLO) return;
    auto* count = static_cast<int*>(SSL_get_app_data(ssl));
    if (count != nullptr) ++*count;
}

struct Attempt {
    int fd = -1;
    SSL* ssl = nullptr;
    int hellos = 0;
    bool echoed = false;
    Clock::time_point started{};

    Attempt() = default;
    Attempt(const Attempt&) = delete;
    Attempt& operator=(const Attempt&) = delete;
    ~Attempt() {
        if (ssl != nullptr) SSL_free(ssl);  // frees the BIO (BIO_NOCLOSE: not the socket)
        if (fd >= 0) ::close(fd);
    }
};

// Sends what the SSL wrote (one flight; several records in one datagram are fine for DTLS).
bool sendWritten(Attempt& a) {
    char buffer[4096];
    BIO* out = SSL_get_wbio(a.ssl);
    const int n = BIO_read(out, buffer, sizeof(buffer));
    if (n <= 0) return false;
    return ::send(a.fd, buffer, static_cast<std::size_t>(n), 0) == n;
}

// Feeds one datagram from the server to the SSL and sends its answer.
void answer(Attempt& a) {
    char buffer[4096];
    const auto n = ::recv(a.fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return;
    BIO_write(SSL_get_rbio(a.ssl), buffer, static_cast<int>(n));
    SSL_do_handshake(a.ssl);  // the HelloVerifyRequest in, the ClientHello with the cookie out
    ERR_clear_error();
    sendWritten(a);
}

std::unique_ptr<Attempt> startAttempt(SSL_CTX* ctx, const std::string& source, const std::string& server, std::uint16_t port) {
    auto a = std::make_unique<Attempt>();
    a->started = Clock::now();
    a->fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (a->fd < 0) return nullptr;
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    ::inet_pton(AF_INET, server.c_str(), &remote.sin_addr);
    if (::bind(a->fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0 ||
        ::connect(a->fd, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) != 0) {
        return nullptr;
    }
    a->ssl = SSL_new(ctx);
    if (a->ssl == nullptr) return nullptr;
    // Memory BIOs, the datagrams moved by hand: with the socket as BIO, OpenSSL would read the
    // server's flight (on loopback it is there at once) and carry on past the cookie echo.
    BIO* in = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(a->ssl, in, BIO_new(BIO_s_mem()));
    SSL_set_options(a->ssl, SSL_OP_NO_QUERY_MTU);
    SSL_set_mtu(a->ssl, 1200);
    SSL_set_app_data(a->ssl, &a->hellos);
    SSL_set_msg_callback(a->ssl, countHellos);
    SSL_set_connect_state(a->ssl);
    SSL_do_handshake(a->ssl);  // the ClientHello; WANT_READ
    ERR_clear_error();
    if (!sendWritten(*a)) return nullptr;
    return a;
}

}  // namespace

HalfOpenDtlsFlood::HalfOpenDtlsFlood(Options options) : options_(std::move(options)) {
    thread_ = std::thread([this] { run(); });
}

HalfOpenDtlsFlood::~HalfOpenDtlsFlood() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void HalfOpenDtlsFlood::run() {
    SSL_CTX* ctx = SSL_CTX_new(DTLS_client_method());
    if (ctx == nullptr) return;
    SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION);
    SSL_CTX_set_cipher_list(ctx, "ECDHE-PSK-AES128-CBC-SHA256");
    SSL_CTX_set_psk_client_callback(ctx, pskCallback);
    std::vector<std::unique_ptr<Attempt>> attempts;
    const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / options_.handshakesPerSecond));
    auto nextStart = Clock::now();
    std::size_t nextSource = 0;
    while (!stop_) {
        const auto now = Clock::now();
        if (now >= nextStart && !options_.sourceAddresses.empty()) {
            const auto& source = options_.sourceAddresses[nextSource++ % options_.sourceAddresses.size()];
            if (auto a = startAttempt(ctx, source, options_.server, options_.port)) attempts.push_back(std::move(a));
            ++started_;
            nextStart += interval;
            if (nextStart < now) nextStart = now;  // never burst to catch up
        }
        std::erase_if(attempts, [&](const auto& a) {
            // Held long enough, or never got its cookie (the server ignored it).
            return now - a->started >= options_.holdOpen || (!a->echoed && now - a->started >= std::chrono::seconds(3));
        });
        std::vector<pollfd> fds;
        std::vector<Attempt*> waiting;
        for (auto& a : attempts) {
            if (a->echoed) continue;
            fds.push_back({a->fd, POLLIN, 0});
            waiting.push_back(a.get());
        }
        const auto untilNext = std::chrono::duration_cast<std::chrono::milliseconds>(nextStart - Clock::now()).count();
        const int wait = static_cast<int>(std::clamp<long long>(untilNext, 0, 20));
        if (::poll(fds.data(), fds.size(), wait) <= 0) continue;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if ((fds[i].revents & POLLIN) == 0) continue;
            Attempt& a = *waiting[i];
            answer(a);
            if (a.hellos >= 2) {
                a.echoed = true;  // from here: silence
                ++cookieEchoes_;
            }
        }
    }
    attempts.clear();
    SSL_CTX_free(ctx);
}

}  // namespace steward::test
