#pragma once
// The machinery behind CoapEndpoint: one libcoap context owned by one I/O thread.
//
// Contexts: context_ holds the listeners, the plain and PSK client sessions; pkiClientContext_
// (created on the first openSession with certificates) holds only client certificate sessions,
// because libcoap 4.3.1 keeps certificate settings per context (a client session would overwrite
// the server's) and restricts every client session of a context with PSK set-up to PSK suites.
// Both have this core as app data and the same callbacks; the I/O thread drives both.
//
// Ownership: every coap_* object (context, endpoints, sessions, resources) is created and freed on
// the I/O thread, or in the constructor/destructor while that thread is not running, always with
// libcoapLock() held. Other threads reach it only through post()/call(): a task queue guarded by
// queueMutex_ plus an eventfd that wakes the thread's poll(). Results come back through
// std::promise, so nothing below is shared between threads except the queue and the atomics.
//
// Sessions: a SessionRecord per DTLS session we know about, referenced from the coap_session_t's
// app data. Server records die when libcoap closes the session (app data is cleared first, so
// libcoap never points at a freed record); client records live until closeSession() releases
// our libcoap reference.

#include <coap3/coap.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "steward/transport/coap_endpoint.hpp"
#include "transport/pki_setup.hpp"

namespace steward::core::detail {

using Clock = std::chrono::steady_clock;

struct SessionRecord {
    enum class State { Handshaking, Established, Closed };

    SessionId id = 0;
    coap_session_t* session = nullptr;
    State state = State::Handshaking;
    PeerInfo info;
    bool ownsReference = false;  // client sessions: the reference coap_new_client_session_* gave us
    std::string failure;         // why the handshake or session failed, for the event/error
    // The handshake got as far as PSK selection (we saw the hint, or the client's identity):
    // the peer speaks DTLS, so a later failure is a refusal, not an unreachable peer.
    bool keyExchangeReached = false;
    // Client certificate sessions: the server sent something (a HelloVerifyRequest at least), so
    // a close during the handshake is a refusal by alert, not an unreachable port.
    bool peerAnswered = false;
    // Server side: a wrong PSK makes DTLS drop the client's Finished silently (RFC 6347 4.1.2.7),
    // so a handshake that stalls after the key exchange is failed at this deadline.
    std::optional<Clock::time_point> stallDeadline;
    // Server side: tracked from the first ClientHello (libcoap's "hello" session) without telling
    // the application, until a PSK lookup, an alert or the handshake's end shows it is a real
    // handshake; a quiet record ends without an event.
    bool quiet = false;
    // Server side: when the client echoed our cookie (libcoap made the session a server session
    // with its own SSL): from then on it counts against ServerHandshakeLimits.
    std::optional<Clock::time_point> cookieEchoedAt;
    // The first fatal DTLS alert of the session (TLS AlertDescription): the peer's, or ours.
    std::optional<int> alertReceived;
    std::optional<int> alertSent;

    // Client handshake.
    ClientPskLookup clientPsk;
    std::shared_ptr<const PreparedPki> clientPki;  // certificate sessions
    PskBytes replyIdentity;
    SecretBytes replyKey;
    coap_dtls_cpsk_info_t reply{};  // points into the two vectors above while libcoap copies them
    std::shared_ptr<std::promise<TransportResult<PeerInfo>>> connectWaiter;
    Clock::time_point connectDeadline{};

    // Server handshake: the key the lookup returned, pointed to while libcoap copies it.
    SecretBytes serverKey;
    coap_bin_const_t serverKeyView{};

    SessionRecord() = default;
    SessionRecord(const SessionRecord&) = delete;
    SessionRecord& operator=(const SessionRecord&) = delete;
};

struct PendingRequest {
    coap_session_t* session = nullptr;
    SessionId sessionId = 0;
    bool releaseSession = false;  // a one-shot plain session that we own and free when done
    Clock::time_point deadline{};
    std::shared_ptr<std::promise<TransportResult<CoapResponse>>> promise;
};

struct ResourceEntry {
    std::string path;
    ResourceHandler handler;
    coap_resource_t* resource = nullptr;
};

class EndpointCore : public std::enable_shared_from_this<EndpointCore> {
public:
    // Creates the context and listeners (throws TransportException); start() runs the thread.
    explicit EndpointCore(EndpointOptions options);
    ~EndpointCore();
    EndpointCore(const EndpointCore&) = delete;
    EndpointCore& operator=(const EndpointCore&) = delete;

    void start();
    // Stops and joins the I/O thread and frees every libcoap object. Idempotent. Not on the I/O
    // thread.
    void shutdown();

    std::uint16_t udpPort() const { return udpPort_; }
    std::uint16_t dtlsPort() const { return dtlsPort_; }
    // This endpoint's I/O thread.
    bool onIoThread() const { return std::this_thread::get_id() == ioThreadId_.load(); }
    // Any endpoint's I/O thread. Blocking on another endpoint from there would deadlock: the
    // waiting thread holds the process-wide libcoap lock that the other I/O thread needs.
    static bool onAnyIoThread();

    // Blocking operations for other threads (they return WrongThread / Shutdown errors).
    TransportResult<CoapResponse> requestPlain(const coap_address_t& peer, const CoapRequest& request, std::chrono::milliseconds timeout);
    TransportResult<PeerInfo> openSession(const coap_address_t& peer, ClientPskLookup psk, std::chrono::milliseconds timeout);
    TransportResult<PeerInfo> openSession(const coap_address_t& peer, std::shared_ptr<const PreparedPki> pki,
                                          std::chrono::milliseconds timeout);
    TransportResult<CoapResponse> requestOnSession(SessionId id, const CoapRequest& request, std::chrono::milliseconds timeout);
    // Waits until the session is closed when `wait`; otherwise only queues the close.
    void closeSession(SessionId id, bool wait);
    void addResource(const std::string& path, ResourceHandler handler);
    void removeResource(const std::string& path);

    // Inline on the I/O thread, posted and waited for elsewhere.
    std::optional<TlsKeyMaterial> keyMaterial(SessionId id);
    bool setIdentityHint(PskBytes hint);
    bool setServerPki(std::shared_ptr<const PreparedPki> pki);
    std::optional<PeerInfo> sessionInfo(SessionId id);
    ServerHandshakeStats serverHandshakeStats();

    // libcoap callbacks, entered through the static trampolines in endpoint_callbacks.cpp.
    coap_response_t onResponse(coap_session_t* session, const coap_pdu_t* received);
    void onNack(coap_session_t* session, const coap_pdu_t* sent, coap_nack_reason_t reason);
    void onEvent(coap_session_t* session, coap_event_t event);
    void onRequest(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request, const coap_string_t* query,
                   coap_pdu_t* response);
    const coap_bin_const_t* onClientIdentity(coap_session_t* session, const coap_bin_const_t* identity);
    const coap_dtls_cpsk_info_t* onServerHint(coap_session_t* session, const coap_str_const_t* hint);
    // A certificate of the peer's chain passed OpenSSL's checks (depth 0: the peer's own).
    void onPeerCertificate(coap_session_t* session, unsigned depth);
    // A certificate handshake is starting on this server's DTLS port: the SSL libcoap set up.
    bool onServerCertificateHandshake(void* tls);
    // A client certificate session received a DTLS record during its handshake.
    void onPeerDtlsRecord(SSL* ssl);
    // A fatal DTLS alert was sent or received on `session`.
    void onDtlsAlert(coap_session_t* session, bool received, int alert);

private:
    using Task = std::function<void()>;

    // Queue `task` for the I/O thread; false once shutdown has begun.
    bool post(Task task);
    // Runs `fn` on the I/O thread and returns its result (or rethrows its exception); `fallback`
    // if the endpoint is shutting down. Runs inline when already on the I/O thread.
    template <typename R, typename Fn>
    R call(Fn fn, R fallback);

    void run();
    bool installServerPsk();  // on the I/O thread (or in the constructor), libcoap lock held
    bool installServerPki();  // likewise, from serverPki_
    // Block mode, OCF options and callbacks: everything a context of ours needs.
    void configureContext(coap_context_t* context);
    // The context for client certificate sessions, created on first use; nullptr if that failed.
    coap_context_t* pkiClientContext();
    static void refuseCrossEndpointCall();
    void runTasks();
    void teardown();
    int nextWaitMs();
    void expireDeadlines();
    void runDeferred();

    // I/O-thread halves of the blocking operations.
    void startPlainRequest(const coap_address_t& peer, const CoapRequest& request, Clock::time_point deadline,
                           std::shared_ptr<std::promise<TransportResult<CoapResponse>>> promise);
    void startSessionRequest(SessionId id, const CoapRequest& request, Clock::time_point deadline,
                             std::shared_ptr<std::promise<TransportResult<CoapResponse>>> promise);
    void sendRequest(coap_session_t* session, SessionId id, bool releaseSession, const CoapRequest& request, Clock::time_point deadline,
                     std::shared_ptr<std::promise<TransportResult<CoapResponse>>> promise);
    void startHandshake(const coap_address_t& peer, ClientPskLookup psk, Clock::time_point deadline,
                        std::shared_ptr<std::promise<TransportResult<PeerInfo>>> promise);
    void startPkiHandshake(const coap_address_t& peer, std::shared_ptr<const PreparedPki> pki, Clock::time_point deadline,
                           std::shared_ptr<std::promise<TransportResult<PeerInfo>>> promise);
    std::unique_ptr<SessionRecord> newClientRecord(const coap_address_t& peer, Clock::time_point deadline);
    // Takes over a client session libcoap just created (ClientHello sent): the record waits for
    // the handshake.
    void trackClientSession(std::unique_ptr<SessionRecord> record, coap_session_t* session,
                            std::shared_ptr<std::promise<TransportResult<PeerInfo>>> promise);
    void closeSessionNow(SessionId id, const std::string& why);

    // Session bookkeeping.
    SessionRecord* recordOf(const coap_session_t* session) const;
    SessionRecord* findRecord(SessionId id) const;
    // The record of a server DTLS session, created on first sight. `quietly`: from libcoap's
    // new-session event (see SessionRecord::quiet); any other caller makes the record heard.
    SessionRecord* adoptServerSession(coap_session_t* session, bool quietly = false);
    // Applies ServerHandshakeLimits (handshake_guard.hpp) after each turn of the I/O loop.
    void enforceHandshakeLimits();
    // Ends a server handshake in progress: Failed event (unless quiet), and libcoap drops the SSL
    // at once and the session at its next coap_io_prepare_epoll().
    void evictServerHandshake(SessionRecord& record, const std::string& why);
    void markEstablished(SessionRecord& record);
    // Ends a record: Closed/Failed event, waiter and pending requests failed; server records are
    // unlinked from libcoap and destroyed.
    void finishRecord(SessionRecord& record, SessionEventType type, TransportErrorCode waiterError, const std::string& detail);
    void failPendingOn(coap_session_t* session, TransportErrorCode code, const std::string& message);
    void emit(SessionEventType type, const SessionRecord& record, const std::string& detail);
    PeerInfo plainPeer(const coap_session_t* session) const;
    std::uint64_t tokenKey(const coap_bin_const_t& token) const;

    EndpointOptions options_;
    coap_context_t* context_ = nullptr;
    coap_context_t* pkiClientContext_ = nullptr;  // I/O thread only
    int pkiClientFd_ = -1;
    // The DTLS listener's certificate credentials; libcoap's context points into them until the
    // next installServerPki(). Constructor, then I/O thread only.
    std::shared_ptr<const PreparedPki> serverPki_;
    std::uint16_t udpPort_ = 0;
    std::uint16_t dtlsPort_ = 0;
    int wakeFd_ = -1;
    int coapFd_ = -1;
    std::thread thread_;
    std::atomic<std::thread::id> ioThreadId_{};

    std::mutex queueMutex_;
    std::deque<Task> tasks_;
    bool accepting_ = true;       // guarded by queueMutex_
    bool stopRequested_ = false;  // guarded by queueMutex_
    std::once_flag shutdownOnce_;

    // I/O-thread state.
    bool shuttingDown_ = false;
    SessionId nextSessionId_ = 1;
    std::uint64_t tokenBase_ = 0;
    std::uint64_t tokenCounter_ = 0;
    std::map<SessionId, std::unique_ptr<SessionRecord>> records_;
    std::map<std::uint64_t, PendingRequest> pending_;
    std::map<std::string, std::unique_ptr<ResourceEntry>> resources_;
    std::vector<coap_session_t*> deferredReleases_;
    std::vector<SessionId> deferredErases_;
    ServerHandshakeStats handshakeStats_;
};

// Defined here because the operations in several .cpp files use it.
template <typename R, typename Fn>
R EndpointCore::call(Fn fn, R fallback) {
    if (onIoThread()) return fn();
    if (onAnyIoThread()) {
        refuseCrossEndpointCall();
        return fallback;
    }
    auto promise = std::make_shared<std::promise<R>>();
    auto future = promise->get_future();
    const bool posted = post([this, promise, fn, fallback]() mutable {
        if (shuttingDown_) {
            promise->set_value(fallback);
            return;
        }
        try {
            promise->set_value(fn());
        } catch (...) {
            promise->set_exception(std::current_exception());  // rethrown in the caller's thread
        }
    });
    if (!posted) return fallback;
    return future.get();
}

}  // namespace steward::core::detail
