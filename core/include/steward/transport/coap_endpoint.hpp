#pragma once
// A CoAP node that is a server and a client at once (a device serves its resources and, later,
// talks to other devices): plain UDP and/or DTLS listening ports (PSK, certificates, or both on one
// port), resource handlers by path, one-shot requests, and client DTLS sessions (PSK or
// certificate) kept open across many requests (the ownership transfer runs a dozen requests on one
// session and derives the owner PSK from its secrets).
//
// Threading model
// - Every endpoint owns one I/O thread, started by the constructor and joined by the destructor.
//   All CoAP/DTLS library state of the endpoint lives on that thread. The library (libcoap 4.3.1)
//   is not thread-safe, so the I/O threads of all endpoints in the process take one process-wide
//   lock while they run library code and release it while they wait for packets.
// - Resource handlers, PSK lookups and the session event callback run on the I/O thread with that
//   lock held. Keep them short. From there, tlsKeyMaterial(), sessionInfo(), setIdentityHint() and
//   setServerPki() of the same endpoint may be called (they run inline), and closeSession() or
//   destroying a Session only queues the close. Blocking calls — request(), openSession(),
//   addResource(), removeResource(), and any call on a *different* endpoint — would deadlock
//   there, so they are refused: requests return WrongThread, resource calls throw it,
//   tlsKeyMaterial()/sessionInfo() return nullopt, setIdentityHint()/setServerPki() false.
// - Every public member function may be called from any other thread, concurrently. Blocking calls
//   post their work to the I/O thread and wait for it; the I/O thread enforces their deadlines.
// - The destructor may not run on the I/O thread (i.e. inside a handler or callback). It closes
//   every session (close_notify to DTLS peers), fails pending requests with Shutdown and delivers
//   Closed events for sessions still open, on the I/O thread, before it returns.
//
// DTLS notes
// - DTLS 1.2 only (OpenSSL has no DTLS 1.3; libcoap caps PSK client sessions at 1.2).
// - The cipher suite cannot be restricted: libcoap 4.3.1 sets OpenSSL's list itself ("PSK:!NULL"
//   on client sessions, "TLSv1.2:!NULL" on the context) and offers no hook before the
//   ClientHello. The client offers ECDHE-PSK-AES128-CBC-SHA256 (OCF's 0xC037) among others, so
//   an OCF device that only accepts 0xC037 gets it; two Steward endpoints negotiate
//   ECDHE-PSK-CHACHA20-POLY1305. PeerInfo::cipher reports the suite, so a caller can refuse one.
// - The key material OCF derives the owner PSK from does not depend on the suite.
//
// Certificate (PKI) sessions, see pki.hpp
// - Mutual authentication by X.509 chains (OCF: EC P-256, ECDHE-ECDSA suites; OpenSSL picks the
//   suite, PeerInfo::cipher reports it). A peer is accepted when its chain verifies against the
//   trusted CAs given for that listener or session — exactly those, see pki.hpp — and is within its
//   validity period; no name is matched against the address. PeerInfo::peerCertificateCn tells who
//   it is ("uuid:..." for OCF).
// - One DTLS port serves PSK and certificate clients at once when both serverPsk and serverPki are
//   set: the client's offered suites decide (a PSK client offers only PSK suites).
// - libcoap 4.3.1 keeps certificate settings per library context and lets a client session
//   overwrite the server's, and its PSK set-up restricts every client session of a context to PSK
//   suites. So client certificate sessions run on a second library context of the endpoint,
//   created on first use and driven by the same I/O thread; callers see no difference.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steward/transport/coap_message.hpp"
#include "steward/transport/pki.hpp"
#include "steward/transport/psk.hpp"
#include "steward/transport/transport_error.hpp"

namespace steward::core {

// Identifies a DTLS session of one endpoint; 0 means "no session" (plain UDP). Never reused
// within an endpoint's lifetime.
using SessionId = std::uint64_t;

enum class SessionRole {
    Client,  // this endpoint opened it (openSession, coaps:// request)
    Server,  // a peer connected to this endpoint's DTLS port
};

// Who is on the other side of a request or session.
struct PeerInfo {
    SessionId sessionId = 0;
    SessionRole role = SessionRole::Server;
    bool secure = false;        // DTLS
    std::string remoteAddress;  // numeric, e.g. "127.0.0.1" or "::1" (no brackets)
    std::uint16_t remotePort = 0;
    std::string localAddress;  // numeric address the request arrived at (a device puts it in its eps)
    PskBytes pskIdentity;      // DTLS: the client's PSK identity (ours when role == Client)
    PskBytes pskHint;          // DTLS-PSK: the server's identity hint (ours when role == Server)
    std::string cipher;        // DTLS, once established: OpenSSL suite name
    // Certificate sessions, once established: the subject CN of the peer's (verified) certificate,
    // e.g. "uuid:8e745791-bc63-4a15-7e33-93e1b25fef99". "" for PSK sessions, for a client that
    // sent no certificate (requireClientCertificate = false), and for a certificate whose subject
    // has no CN, several CNs, or a CN with a 0x00 character.
    std::string peerCertificateCn;
    // Certificate sessions: the peer's certificate carries OCF's identity-certificate extended key
    // usage (1.3.6.1.4.1.44924.1.6), which only credential management issues. A "uuid:" CN names
    // an OCF device only with it (an IDProv or admin certificate from the same CA never has it).
    bool peerCertificateOcfIdentity = false;
};

enum class SessionEventType {
    Established,  // DTLS handshake completed
    Closed,       // an established session ended (either side, or endpoint shutdown)
    Failed,       // the handshake failed, or the session broke on a DTLS error
};

std::string_view toString(SessionEventType type);

struct SessionEvent {
    SessionEventType type = SessionEventType::Established;
    PeerInfo peer;
    std::string detail;  // human-readable reason, for logs
};

using SessionEventHandler = std::function<void(const SessionEvent& event)>;

// The secrets of an established DTLS 1.2 session, for OCF's owner-PSK derivation. Identical on
// both sides of one session. Wiped from memory when destroyed.
struct TlsKeyMaterial {
    std::array<std::uint8_t, 48> masterSecret{};
    std::array<std::uint8_t, 32> clientRandom{};
    std::array<std::uint8_t, 32> serverRandom{};
    std::string cipher;
    ~TlsKeyMaterial();
    TlsKeyMaterial() = default;
    TlsKeyMaterial(const TlsKeyMaterial&) = default;
    TlsKeyMaterial& operator=(const TlsKeyMaterial&) = default;
};

// A numeric IPv4/IPv6 address ("::1" or "[::1]") and a port. No name resolution.
struct PeerAddress {
    std::string host;
    std::uint16_t port = 0;
};

// "127.0.0.1:5683", "[::1]:5683", "[fe80::1%eth0]:5683" (the host is not resolved or checked
// further); nullopt for anything else, a port 0 included.
std::optional<PeerAddress> parseHostPort(std::string_view text);

// A request handler: gets the request and who sent it, returns the response. Runs on the I/O
// thread. An exception becomes a 5.00 response (and a log line).
using ResourceHandler = std::function<CoapResponse(const CoapRequest& request, const PeerInfo& peer)>;

// For a handler about to block (an fsync'd write, slow crypto): runs `work` with the process-wide
// transport lock let go, so that the process's other endpoints carry on meanwhile; the calling
// endpoint waits for it, and its reply still leaves only after `work` returned. Elsewhere (not on
// an I/O thread) it just runs `work`. `work` must not call into any endpoint, and must release
// every lock a handler may take before it returns: handlers take theirs with the transport lock
// held, so holding one while the transport lock is taken back would invert the order.
void runWithoutTransportLock(const std::function<void()>& work);

// A DTLS listener's bounds on handshakes in progress (the client echoed our cookie, so its address
// is real, but the session is not established yet): a LAN host that opens handshakes and goes
// silent must not fill the listener and lock the owner out (issue 20.3). When a bound is passed,
// the oldest handshake of the address holding the most goes first, so a flooding address only
// ever evicts its own handshakes while it holds more than anyone else; a client that completes
// its handshake in time is never affected. Established sessions are never counted nor evicted
// (libcoap's idle-session cap, which would evict them, stays unset). Details: docs/device-dos.md.
struct ServerHandshakeLimits {
    std::size_t perAddress = 4;  // concurrent handshakes from one IP address (any port)
    std::size_t total = 32;      // concurrent handshakes on this listener
    // A handshake not established this long after its cookie echo is dropped (and reported
    // Failed if it got as far as the key exchange).
    std::chrono::milliseconds timeout{5000};
};

// What the listener did about handshakes in progress (see ServerHandshakeLimits).
struct ServerHandshakeStats {
    std::size_t inProgress = 0;           // now
    std::size_t peakInProgress = 0;       // the most at once so far
    std::uint64_t timedOut = 0;           // dropped after ServerHandshakeLimits::timeout
    std::uint64_t evictedPerAddress = 0;  // dropped for the per-address bound
    std::uint64_t evictedTotal = 0;       // dropped for the listener's bound
};

struct EndpointOptions {
    // Numeric address to listen on: "127.0.0.1", "::1", "0.0.0.0", "::".
    std::string bindAddress = "127.0.0.1";
    // Plain CoAP port; 0 lets the OS pick (see port()); nullopt: no plain listener.
    std::optional<std::uint16_t> udpPort = 0;
    // DTLS port; 0 lets the OS pick (see securePort()); nullopt: no DTLS listener.
    // Requires serverPsk or serverPki (or both: one port then serves PSK and certificate clients).
    std::optional<std::uint16_t> dtlsPort;
    std::optional<ServerPskConfig> serverPsk;
    // Certificate handshakes on the DTLS port: our chain and key (both required) and the CAs a
    // client certificate must lead to. Checked by the constructor (InvalidArgument if unusable).
    std::optional<PkiCredentials> serverPki;
    // Certificate handshakes: refuse a client that sends no certificate. When false such a client
    // is served (PeerInfo::peerCertificateCn is ""); a certificate that is sent is still verified.
    bool requireClientCertificate = true;
    // DTLS session events, for client and server sessions. Runs on the I/O thread; an event
    // caused by openSession()/closeSession() has been delivered before that call returns.
    SessionEventHandler onSessionEvent;
    // Seconds an idle server session is kept; 0 keeps libcoap's default (300 s).
    unsigned serverSessionIdleSeconds = 0;
    // A client that sends its identity but never a valid Finished (DTLS silently drops records it
    // cannot authenticate, which is what a wrong PSK looks like) is reported Failed after this.
    std::chrono::milliseconds serverHandshakeTimeout{10000};
    // Bounds on server handshakes in progress, so that half-open ones cannot fill the listener.
    ServerHandshakeLimits serverHandshakes;
};

class CoapEndpoint;
namespace detail {
class EndpointCore;  // the I/O thread and its library state (core/transport/)
}

// A client DTLS session opened by CoapEndpoint::openSession. Move-only. Destroying it (or calling
// CoapEndpoint::closeSession) closes the session; destroying it after its endpoint is fine.
class Session {
public:
    Session() = default;
    Session(Session&& other) noexcept;
    Session& operator=(Session&& other) noexcept;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    bool valid() const { return id_ != 0; }
    SessionId id() const { return id_; }
    // As of the handshake: peer address, the hint we got, the identity we sent, the suite, the
    // server certificate's CN (certificate sessions).
    const PeerInfo& info() const { return info_; }

private:
    friend class CoapEndpoint;
    Session(std::weak_ptr<detail::EndpointCore> owner, PeerInfo info);
    void release() noexcept;

    std::weak_ptr<detail::EndpointCore> owner_;
    SessionId id_ = 0;
    PeerInfo info_;
};

struct RequestOptions {
    std::chrono::milliseconds timeout{5000};
    // Needed for coaps:// one-shot requests (a session is opened, used once and closed).
    ClientPskLookup psk;
};

class CoapEndpoint {
public:
    // Creates the library context, binds the listeners and starts the I/O thread.
    // Throws TransportException (InvalidArgument) for a bad address, a DTLS port without PSK or
    // certificate configuration, or unusable certificate credentials (the message says why), and
    // (SendFailed) if a port cannot be bound.
    explicit CoapEndpoint(EndpointOptions options);
    ~CoapEndpoint();
    CoapEndpoint(const CoapEndpoint&) = delete;
    CoapEndpoint& operator=(const CoapEndpoint&) = delete;

    // Bound ports; 0 when that listener is not configured. Fixed after construction.
    std::uint16_t port() const;
    std::uint16_t securePort() const;

    // Serves `path` (e.g. "/oic/sec/doxm") with `handler` for GET/POST/PUT/DELETE, on both the
    // plain and the DTLS port; replaces an earlier handler for that path. Unknown paths get 4.04.
    // Blocks until the I/O thread has installed it. Throws TransportException (WrongThread,
    // InvalidArgument).
    void addResource(std::string_view path, ResourceHandler handler);
    void removeResource(std::string_view path);

    // One plain-UDP request to `peer`, on a fresh client socket.
    TransportResult<CoapResponse> request(const PeerAddress& peer, const CoapRequest& request, std::chrono::milliseconds timeout);
    // One request to "coap://host:port/path?q" or "coaps://..." (then options.psk is required and
    // a session is opened, used once and closed). The URI's path and query are used when
    // request.path is empty.
    TransportResult<CoapResponse> request(std::string_view uri, const CoapRequest& request, const RequestOptions& options);

    // Opens a DTLS-PSK session and waits for the handshake. `psk` is asked for the identity/key
    // once the server's hint arrives. Errors:
    // - HandshakeFailed: the server refused with an alert (unknown identity), `psk` gave no usable
    //   credentials, or — a wrong key — the server went silent after the key exchange and the
    //   deadline passed (DTLS drops records it cannot authenticate, so a wrong key is never an
    //   immediate error);
    // - ConnectionRefused: no DTLS answer at all and the handshake was dropped (ICMP port
    //   unreachable);
    // - Timeout: nothing DTLS came back before the deadline.
    TransportResult<Session> openSession(const PeerAddress& peer, ClientPskLookup psk, std::chrono::milliseconds timeout);
    // Opens a DTLS session authenticated by certificates and waits for the handshake. We present
    // credentials.certificateChainPem (unless empty: then we authenticate the server only) and
    // accept the server only if its chain leads to credentials.trustedCaPem (no name check: the
    // caller checks Session::info().peerCertificateCn). `credentials` is copied; the call keeps
    // no reference to it. Errors:
    // - InvalidArgument: unusable credentials (see pki.hpp) or address; nothing was sent;
    // - HandshakeFailed: the server's certificate was refused (unknown CA, expired, ...; the
    //   message says why), or the server refused ours (a fatal alert: unknown CA, expired, none
    //   sent), or no common suite;
    // - ConnectionRefused, Timeout: as for PSK sessions.
    // Blocking; WrongThread on an I/O thread.
    TransportResult<Session> openSession(const PeerAddress& peer, const PkiCredentials& credentials, std::chrono::milliseconds timeout);
    // A request on an open session. Errors: SessionClosed, Timeout, Reset.
    TransportResult<CoapResponse> request(const Session& session, const CoapRequest& request, std::chrono::milliseconds timeout);
    // Sends close_notify and forgets the session; `session` becomes invalid. Idempotent. Blocks
    // until done, except on the I/O thread, where it only queues the close.
    void closeSession(Session& session);

    // Master secret and randoms of an established DTLS session, client or server side (a server
    // handler passes peer.sessionId). nullopt if the session is unknown, closed or not secure.
    std::optional<TlsKeyMaterial> tlsKeyMaterial(SessionId session) const;
    std::optional<TlsKeyMaterial> tlsKeyMaterial(const Session& session) const { return tlsKeyMaterial(session.id()); }
    // Replaces the PSK identity hint sent to DTLS clients from the next handshake on (an OCF
    // device sends another hint once owned). Runs inline on the I/O thread, so a handler may call
    // it. False if the endpoint has no DTLS listener, the hint is unusable (see psk.hpp) or the
    // endpoint is shutting down.
    bool setIdentityHint(PskBytes hint);
    // Replaces the DTLS listener's certificate credentials, or enables certificate handshakes on a
    // listener that had only PSK (a device gets its certificate from the gateway while running),
    // from the next handshake on; sessions already established keep theirs. The credentials are
    // checked first (see pki.hpp); EndpointOptions::requireClientCertificate still applies. Runs
    // inline on the I/O thread, so a handler may call it. False (and a log line saying why) if the
    // endpoint has no DTLS listener, the credentials are unusable, libcoap refused them, or the
    // endpoint is shutting down; the previous credentials then stay in force. Certificate
    // handshakes cannot be switched off again (libcoap 4.3.1 has no call for it).
    bool setServerPki(PkiCredentials credentials);
    // Current view of a session; nullopt once it is closed.
    std::optional<PeerInfo> sessionInfo(SessionId session) const;
    // The DTLS listener's handshake bookkeeping (all zero without a listener, or once shutting
    // down). Waits for the I/O thread; from a handler it runs inline.
    ServerHandshakeStats serverHandshakeStats() const;

private:
    std::shared_ptr<detail::EndpointCore> core_;
};

}  // namespace steward::core
