// CoapEndpoint and Session: argument checking and URI handling in front of EndpointCore.
#include "steward/transport/coap_endpoint.hpp"

#include <charconv>

#include "transport/address.hpp"
#include "transport/endpoint_core.hpp"
#include "transport/libcoap_runtime.hpp"
#include "transport/pki_setup.hpp"

namespace steward::core {

namespace {

TransportError invalid(std::string message) { return {TransportErrorCode::InvalidArgument, std::move(message)}; }

struct ParsedUri {
    bool secure = false;
    std::string host;
    std::uint16_t port = 0;
    std::string path;
    std::vector<std::string> query;
};

// "coap://127.0.0.1:5683/a/b?x=1&y=2", "coaps://[::1]:5684/a". Numeric hosts only; the port
// defaults to 5683 / 5684.
std::optional<ParsedUri> parseUri(std::string_view uri) {
    ParsedUri out;
    if (uri.starts_with("coaps://")) {
        out.secure = true;
        uri.remove_prefix(8);
    } else if (uri.starts_with("coap://")) {
        uri.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    const auto pathStart = uri.find_first_of("/?");
    std::string_view authority = uri.substr(0, pathStart);
    std::string_view rest = pathStart == std::string_view::npos ? std::string_view() : uri.substr(pathStart);
    std::string_view portText;
    if (authority.starts_with("[")) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            portText = after.substr(1);
        }
    } else {
        const auto colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) portText = authority.substr(colon + 1);
    }
    out.port = out.secure ? 5684 : 5683;
    if (!portText.empty()) {
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
        if (ec != std::errc() || end != portText.data() + portText.size() || port == 0 || port > 0xFFFF) {
            return std::nullopt;
        }
        out.port = static_cast<std::uint16_t>(port);
    }
    const auto question = rest.find('?');
    out.path = std::string(rest.substr(0, question));
    if (question != std::string_view::npos) {
        std::string_view query = rest.substr(question + 1);
        while (!query.empty()) {
            const auto amp = query.find('&');
            if (amp != 0) out.query.emplace_back(query.substr(0, amp));
            if (amp == std::string_view::npos) break;
            query.remove_prefix(amp + 1);
        }
    }
    return out;
}

}  // namespace

std::string_view toString(SessionEventType type) {
    switch (type) {
        case SessionEventType::Established:
            return "established";
        case SessionEventType::Closed:
            return "closed";
        case SessionEventType::Failed:
            return "failed";
    }
    return "?";
}

Session::Session(std::weak_ptr<detail::EndpointCore> owner, PeerInfo info)
    : owner_(std::move(owner)), id_(info.sessionId), info_(std::move(info)) {}

Session::Session(Session&& other) noexcept
    : owner_(std::move(other.owner_)), id_(std::exchange(other.id_, 0)), info_(std::move(other.info_)) {}

Session& Session::operator=(Session&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::move(other.owner_);
        id_ = std::exchange(other.id_, 0);
        info_ = std::move(other.info_);
    }
    return *this;
}

Session::~Session() { release(); }

void Session::release() noexcept {
    if (id_ == 0) return;
    try {
        // Only queues the close: a Session may be destroyed anywhere, even inside a handler.
        if (auto owner = owner_.lock()) owner->closeSession(id_, false);
    } catch (...) {
        // Closing is best effort here; the endpoint frees the session at shutdown anyway.
    }
    id_ = 0;
    owner_.reset();
}

CoapEndpoint::CoapEndpoint(EndpointOptions options) : core_(std::make_shared<detail::EndpointCore>(std::move(options))) { core_->start(); }

CoapEndpoint::~CoapEndpoint() { core_->shutdown(); }

std::uint16_t CoapEndpoint::port() const { return core_->udpPort(); }
std::uint16_t CoapEndpoint::securePort() const { return core_->dtlsPort(); }

void CoapEndpoint::addResource(std::string_view path, ResourceHandler handler) {
    if (!handler) throw TransportException(invalid("empty resource handler"));
    core_->addResource(normalisePath(path), std::move(handler));
}

void CoapEndpoint::removeResource(std::string_view path) { core_->removeResource(normalisePath(path)); }

TransportResult<CoapResponse> CoapEndpoint::request(const PeerAddress& peer, const CoapRequest& request,
                                                    std::chrono::milliseconds timeout) {
    const auto address = detail::parseAddress(peer.host, peer.port);
    if (!address || peer.port == 0) return invalid("not a numeric IP address and port: " + peer.host);
    return core_->requestPlain(*address, request, timeout);
}

TransportResult<CoapResponse> CoapEndpoint::request(std::string_view uri, const CoapRequest& request, const RequestOptions& options) {
    const auto parsed = parseUri(uri);
    if (!parsed) return invalid("not a coap:// or coaps:// URI with a numeric host: " + std::string(uri));
    CoapRequest effective = request;
    if (effective.path.empty()) {
        effective.path = parsed->path;
        if (effective.query.empty()) effective.query = parsed->query;
    }
    const PeerAddress peer{parsed->host, parsed->port};
    if (!parsed->secure) return this->request(peer, effective, options.timeout);
    if (!options.psk) return invalid("coaps:// needs RequestOptions::psk");
    const auto started = std::chrono::steady_clock::now();
    auto session = openSession(peer, options.psk, options.timeout);
    if (!session) return session.error();
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    auto response = this->request(session.value(), effective, std::max(options.timeout - spent, std::chrono::milliseconds(1)));
    closeSession(session.value());
    return response;
}

TransportResult<Session> CoapEndpoint::openSession(const PeerAddress& peer, ClientPskLookup psk, std::chrono::milliseconds timeout) {
    const auto address = detail::parseAddress(peer.host, peer.port);
    if (!address || peer.port == 0) return invalid("not a numeric IP address and port: " + peer.host);
    auto info = core_->openSession(*address, std::move(psk), timeout);
    if (!info) return info.error();
    return Session(core_, std::move(info.value()));
}

TransportResult<Session> CoapEndpoint::openSession(const PeerAddress& peer, const PkiCredentials& credentials,
                                                   std::chrono::milliseconds timeout) {
    const auto address = detail::parseAddress(peer.host, peer.port);
    if (!address || peer.port == 0) return invalid("not a numeric IP address and port: " + peer.host);
    std::string problem;
    auto prepared = detail::PreparedPki::prepare(credentials, false, problem);
    if (!prepared) return invalid("certificate credentials: " + problem);
    auto info = core_->openSession(*address, std::move(prepared), timeout);
    if (!info) return info.error();
    return Session(core_, std::move(info.value()));
}

TransportResult<CoapResponse> CoapEndpoint::request(const Session& session, const CoapRequest& request, std::chrono::milliseconds timeout) {
    if (!session.valid() || session.owner_.lock() != core_) {
        return TransportError{TransportErrorCode::SessionClosed, "not an open session of this endpoint"};
    }
    return core_->requestOnSession(session.id(), request, timeout);
}

void CoapEndpoint::closeSession(Session& session) {
    if (!session.valid()) return;
    if (session.owner_.lock() == core_) {
        core_->closeSession(session.id(), true);  // only queued when called from an I/O thread
    }
    session.id_ = 0;
    session.owner_.reset();
}

bool CoapEndpoint::setIdentityHint(PskBytes hint) { return core_->setIdentityHint(std::move(hint)); }

bool CoapEndpoint::setServerPki(PkiCredentials credentials) {
    std::string problem;
    auto prepared = detail::PreparedPki::prepare(credentials, true, problem);
    if (!prepared) {
        detail::transportLog(TransportLogLevel::Warning, "setServerPki: " + problem);
        return false;
    }
    return core_->setServerPki(std::move(prepared));
}

std::optional<TlsKeyMaterial> CoapEndpoint::tlsKeyMaterial(SessionId session) const {
    if (session == 0) return std::nullopt;
    return core_->keyMaterial(session);
}

std::optional<PeerInfo> CoapEndpoint::sessionInfo(SessionId session) const {
    if (session == 0) return std::nullopt;
    return core_->sessionInfo(session);
}

ServerHandshakeStats CoapEndpoint::serverHandshakeStats() const { return core_->serverHandshakeStats(); }

}  // namespace steward::core
