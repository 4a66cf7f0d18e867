// PlainCoapServer: poll loop over the unicast and multicast sockets plus a wake-up eventfd.
#include "steward/transport/plain_coap_server.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <thread>

#include "steward/crypto/random.hpp"
#include "steward/transport/coap_wire.hpp"
#include "steward/transport/udp_socket.hpp"

namespace steward::core {
namespace {

constexpr std::size_t kAnswerCacheSize = 64;
// Options this server understands; an unknown critical (odd) option gets 4.02 (RFC 7252 5.4.1).
// Uri-Host (3) and Uri-Port (7) name this server and are ignored; a Block2 (23) wish is met by
// answering whole (our answers fit a datagram).
constexpr std::uint16_t kKnownOptions[] = {
    3, 7, 11, 12, 15, 17, 23, 60, kOptionOcfAcceptContentFormatVersion, kOptionOcfContentFormatVersion};

struct CachedAnswer {
    std::string peer;
    std::uint16_t messageId = 0;
    std::vector<std::uint8_t> bytes;
};

struct Delayed {
    std::chrono::steady_clock::time_point due;
    PeerAddress to;
    std::vector<std::uint8_t> bytes;
};

std::optional<std::uint16_t> unknownCriticalOption(const CoapWireMessage& m) {
    for (const auto& o : m.options) {
        if ((o.number & 1U) == 0) continue;
        if (std::find(std::begin(kKnownOptions), std::end(kKnownOptions), o.number) == std::end(kKnownOptions)) return o.number;
    }
    return std::nullopt;
}

constexpr std::uint16_t kBlock2 = 23;
constexpr unsigned kDefaultBlockSzx = 6;  // 1024 bytes: a larger answer would not fit a datagram

// Block-wise answers (RFC 7959): a payload over 1024 bytes, or one the client asked for in
// blocks, is cut into the requested block with a Block2 option saying whether more follow.
void applyBlock2(const CoapWireMessage& request, CoapResponse& response) {
    std::optional<std::uint32_t> asked;
    for (const auto& o : request.options) {
        if (o.number == kBlock2) asked = decodeUintOption(o.value);
    }
    if (!asked && response.payload.size() <= (1U << (kDefaultBlockSzx + 4))) return;
    if (!response.code.isSuccess()) return;
    const std::uint32_t num = asked ? *asked >> 4 : 0;
    const unsigned szx = std::min(asked ? static_cast<unsigned>(*asked & 7U) : kDefaultBlockSzx, kDefaultBlockSzx);
    const std::size_t size = std::size_t{1} << (szx + 4);
    const std::size_t offset = std::size_t{num} * size;
    if (offset >= response.payload.size() && !(offset == 0 && response.payload.empty())) {
        response = CoapResponse::withCode(CoapCode::BadOption);
        return;
    }
    const std::size_t end = std::min(response.payload.size(), offset + size);
    const bool more = end < response.payload.size();
    std::vector<std::uint8_t> slice(response.payload.begin() + static_cast<std::ptrdiff_t>(offset),
                                    response.payload.begin() + static_cast<std::ptrdiff_t>(end));
    response.payload = std::move(slice);
    response.otherOptions.push_back({kBlock2, encodeUintOption(num << 4 | (more ? 8U : 0U) | szx)});
}

bool speaksOcf(const CoapWireMessage& m) {
    return std::any_of(m.options.begin(), m.options.end(), [](const CoapOption& o) {
        return o.number == kOptionOcfContentFormatVersion || o.number == kOptionOcfAcceptContentFormatVersion;
    });
}

}  // namespace

class PlainCoapServer::Impl {
public:
    Impl(PlainServerOptions options, ResourceHandler handler)
        : options_(std::move(options)), handler_(std::move(handler)), unicast_(UdpSocket::bind(options_.bindAddress, options_.port)) {
        for (const auto& ifname : options_.multicastInterfaces) {
            auto socket = UdpSocket::bind(unicast_.family() == AF_INET6 ? "::" : "0.0.0.0", options_.multicastPort, true);
            socket.joinGroup(unicast_.family() == AF_INET6 ? kOcfMulticastIpv6LinkLocal : kOcfMulticastIpv4, ifname);
            multicast_.push_back(std::move(socket));
        }
        wakeFd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (wakeFd_ < 0) throw TransportException({TransportErrorCode::SendFailed, "eventfd failed"});
        thread_ = std::thread([this] { run(); });
    }

    ~Impl() {
        stop_ = true;
        const std::uint64_t one = 1;
        (void)!::write(wakeFd_, &one, sizeof(one));
        thread_.join();
        ::close(wakeFd_);
    }

    std::uint16_t port() const { return unicast_.localPort(); }

private:
    void log(const std::string& line) const {
        if (options_.log) options_.log(line);
    }

    void run() {
        while (!stop_) {
            std::vector<pollfd> fds;
            fds.push_back({wakeFd_, POLLIN, 0});
            fds.push_back({unicast_.fd(), POLLIN, 0});
            for (const auto& m : multicast_) fds.push_back({m.fd(), POLLIN, 0});
            int timeout = 500;
            if (!delayed_.empty()) {
                const auto wait =
                    std::chrono::duration_cast<std::chrono::milliseconds>(delayed_.front().due - std::chrono::steady_clock::now());
                timeout = static_cast<int>(std::clamp<long long>(wait.count(), 0, 500));
            }
            if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
                log(std::string("poll failed: ") + std::strerror(errno));
                return;
            }
            if (stop_) return;
            sendDueAnswers();
            if ((fds[1].revents & POLLIN) != 0) receiveFrom(unicast_, false);
            for (std::size_t i = 0; i < multicast_.size(); ++i) {
                if ((fds[i + 2].revents & POLLIN) != 0) receiveFrom(multicast_[i], true);
            }
        }
    }

    void sendDueAnswers() {
        const auto now = std::chrono::steady_clock::now();
        while (!delayed_.empty() && delayed_.front().due <= now) {
            send(delayed_.front().to, delayed_.front().bytes);
            delayed_.pop_front();
        }
    }

    void send(const PeerAddress& to, const std::vector<std::uint8_t>& bytes) {
        try {
            unicast_.sendTo(to, bytes);
        } catch (const TransportException& e) {
            log(std::string("could not answer ") + to.host + ": " + e.what());
        }
    }

    void receiveFrom(UdpSocket& socket, bool viaMulticast) {
        auto datagram = socket.receive(std::chrono::milliseconds(0));
        if (!datagram) return;
        const std::string peerKey = datagram->from.host + "|" + std::to_string(datagram->from.port);
        CoapWireMessage message;
        try {
            message = decodeCoapMessage(datagram->bytes);
        } catch (const CoapWireError& e) {
            log("dropped a malformed CoAP datagram from " + datagram->from.host + ": " + e.what());
            return;
        }
        if (message.code == 0 || (message.code >> 5) != 0) {
            // Empty messages (pings) get a Reset; responses are not for a server.
            if (message.code == 0 && message.type == CoapMessageType::Confirmable && !viaMulticast) {
                CoapWireMessage rst;
                rst.type = CoapMessageType::Reset;
                rst.messageId = message.messageId;
                send(datagram->from, encodeCoapMessage(rst));
            }
            return;
        }
        if (message.type == CoapMessageType::Confirmable && !viaMulticast) {
            for (const auto& cached : cache_) {
                if (cached.peer == peerKey && cached.messageId == message.messageId) {
                    send(datagram->from, cached.bytes);
                    return;
                }
            }
        }
        CoapResponse response = answer(message, *datagram);
        if (viaMulticast && !response.code.isSuccess()) return;
        applyBlock2(message, response);

        const bool piggyback = message.type == CoapMessageType::Confirmable && !viaMulticast;
        auto wire = responseToWire(response, piggyback ? CoapMessageType::Acknowledgement : CoapMessageType::NonConfirmable,
                                   piggyback ? message.messageId : nextMessageId(), message.token);
        if (!speaksOcf(message)) {
            // A plain CoAP client (no OCF version options) would drop an answer carrying the
            // critical option 2053 it does not know; answer it in its own dialect.
            std::erase_if(wire.options, [](const CoapOption& o) { return o.number == kOptionOcfContentFormatVersion; });
        }
        auto bytes = encodeCoapMessage(wire);
        if (piggyback) {
            cache_.push_back({peerKey, message.messageId, bytes});
            if (cache_.size() > kAnswerCacheSize) cache_.pop_front();
        }
        if (viaMulticast && options_.multicastJitter.count() > 0) {
            const auto r = randomBytes(2);
            const auto jitterMs = (r[0] << 8 | r[1]) % (options_.multicastJitter.count() + 1);
            Delayed d{std::chrono::steady_clock::now() + std::chrono::milliseconds(jitterMs), datagram->from, std::move(bytes)};
            const auto pos =
                std::upper_bound(delayed_.begin(), delayed_.end(), d.due, [](auto due, const Delayed& e) { return due < e.due; });
            delayed_.insert(pos, std::move(d));
            return;
        }
        send(datagram->from, bytes);
    }

    CoapResponse answer(const CoapWireMessage& message, const Datagram& datagram) {
        if (auto option = unknownCriticalOption(message)) {
            log("answered 4.02 to " + datagram.from.host + ": unknown critical option " + std::to_string(*option));
            return CoapResponse::withCode(CoapCode::BadOption);
        }
        CoapRequest request;
        try {
            request = requestFromWire(message);
        } catch (const CoapWireError& e) {
            log("answered 4.00 to " + datagram.from.host + ": " + e.what());
            return CoapResponse::withCode(CoapCode::BadRequest);
        }
        PeerInfo peer;
        peer.secure = false;
        peer.remoteAddress = datagram.from.host;
        peer.remotePort = datagram.from.port;
        peer.localAddress = datagram.localAddress.empty() ? options_.bindAddress : datagram.localAddress;
        try {
            return handler_(request, peer);
        } catch (const std::exception& e) {
            log(std::string("handler failed: ") + e.what());
            return CoapResponse::withCode(CoapCode::InternalServerError);
        }
    }

    std::uint16_t nextMessageId() { return messageId_++; }

    PlainServerOptions options_;
    ResourceHandler handler_;
    UdpSocket unicast_;
    std::vector<UdpSocket> multicast_;
    int wakeFd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::deque<CachedAnswer> cache_;
    std::deque<Delayed> delayed_;
    std::uint16_t messageId_ = static_cast<std::uint16_t>(randomBytes(2)[0] << 8 | randomBytes(2)[1]);
};

PlainCoapServer::PlainCoapServer(PlainServerOptions options, ResourceHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

PlainCoapServer::~PlainCoapServer() = default;

std::uint16_t PlainCoapServer::port() const { return impl_->port(); }

}  // namespace steward::core
