// EndpointCore: DTLS sessions — handshakes, PSK selection, events, closing, key material.
// (Certificate specifics: endpoint_pki.cpp.)
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstdio>

#include "steward/crypto/random.hpp"
#include "transport/address.hpp"
#include "transport/endpoint_callbacks.hpp"
#include "transport/endpoint_core.hpp"
#include "transport/handshake_guard.hpp"
#include "transport/libcoap_runtime.hpp"
#include "transport/ocf_cipher_suites.hpp"
#include "transport/tls_secrets.hpp"

namespace steward::core::detail {

namespace {

PskBytes bytesOf(const std::uint8_t* data, std::size_t length) { return data != nullptr ? PskBytes(data, data + length) : PskBytes(); }

void debugLog(const SessionRecord* record, const std::string& what) {
    if (!transportLogEnabled(TransportLogLevel::Debug)) return;
    transportLog(TransportLogLevel::Debug,
                 "DTLS session " + (record != nullptr ? std::to_string(record->id) : std::string("(untracked)")) + ": " + what);
}

std::string describe(const PeerInfo& peer) {
    return (peer.role == SessionRole::Client ? "to " : "from ") + peer.remoteAddress + " port " + std::to_string(peer.remotePort);
}

// Why a handshake ended, when an alert says it; empty otherwise.
std::string alertDetail(const SessionRecord& record) {
    if (record.alertReceived) return "the peer refused the handshake with DTLS alert " + describeDtlsAlert(*record.alertReceived);
    if (record.alertSent) {
        return "we ended the handshake with DTLS alert " + describeDtlsAlert(*record.alertSent) +
               (record.failure.empty() ? "" : " (" + record.failure + ")");
    }
    return {};
}

}  // namespace

void EndpointCore::onDtlsAlert(coap_session_t* session, bool received, int alert) {
    SessionRecord* record = adoptServerSession(session);
    if (record == nullptr) return;
    auto& slot = received ? record->alertReceived : record->alertSent;
    if (!slot) slot = alert;
    debugLog(record, std::string(received ? "alert received: " : "alert sent: ") + describeDtlsAlert(alert));
}

SessionRecord* EndpointCore::recordOf(const coap_session_t* session) const {
    return session != nullptr ? static_cast<SessionRecord*>(coap_session_get_app_data(session)) : nullptr;
}

SessionRecord* EndpointCore::findRecord(SessionId id) const {
    const auto it = records_.find(id);
    return it != records_.end() ? it->second.get() : nullptr;
}

SessionRecord* EndpointCore::adoptServerSession(coap_session_t* session, bool quietly) {
    if (SessionRecord* existing = recordOf(session)) {
        if (!quietly) existing->quiet = false;
        return existing;
    }
    if (session == nullptr || coap_session_get_proto(session) != COAP_PROTO_DTLS ||
        coap_session_get_type(session) == COAP_SESSION_TYPE_CLIENT) {
        return nullptr;  // client sessions always get their record when we create them
    }
    auto record = std::make_unique<SessionRecord>();
    record->id = nextSessionId_++;
    record->session = session;
    record->info.sessionId = record->id;
    record->info.role = SessionRole::Server;
    record->info.secure = true;
    const auto remote = describeAddress(coap_session_get_addr_remote(session));
    record->info.remoteAddress = remote.host;
    record->info.remotePort = remote.port;
    if (options_.serverPsk) record->info.pskHint = options_.serverPsk->identityHint;
    record->quiet = quietly;
    coap_session_set_app_data(session, record.get());
    SessionRecord* raw = record.get();
    records_.emplace(raw->id, std::move(record));
    return raw;
}

PeerInfo EndpointCore::plainPeer(const coap_session_t* session) const {
    PeerInfo peer;
    const auto remote = describeAddress(coap_session_get_addr_remote(session));
    peer.remoteAddress = remote.host;
    peer.remotePort = remote.port;
    peer.localAddress = describeAddress(coap_session_get_addr_local(session)).host;
    peer.role = coap_session_get_type(session) == COAP_SESSION_TYPE_CLIENT ? SessionRole::Client : SessionRole::Server;
    return peer;
}

void EndpointCore::emit(SessionEventType type, const SessionRecord& record, const std::string& detail) {
    const auto level = type == SessionEventType::Failed ? TransportLogLevel::Info : TransportLogLevel::Debug;
    if (transportLogEnabled(level)) {
        transportLog(level, "DTLS session " + std::to_string(record.id) + " " + describe(record.info) + ": " + std::string(toString(type)) +
                                (detail.empty() ? "" : " (" + detail + ")"));
    }
    if (!options_.onSessionEvent) return;
    SessionEvent event;
    event.type = type;
    event.peer = record.info;
    event.detail = detail;
    try {
        options_.onSessionEvent(event);
    } catch (const std::exception& error) {
        transportLog(TransportLogLevel::Error, std::string("session event handler threw: ") + error.what());
    } catch (...) {
        transportLog(TransportLogLevel::Error, "session event handler threw");
    }
}

void EndpointCore::markEstablished(SessionRecord& record) {
    record.state = SessionRecord::State::Established;
    record.info.cipher = negotiatedCipher(record.session);
    if (!record.info.cipher.empty() && !negotiatedPsk(record.session)) {
        // A certificate session (the server's hint and the client's identity were never sent).
        record.info.pskHint.clear();
        record.info.pskIdentity.clear();
        record.info.peerCertificateCn = peerCertificateCommonName(record.session);
        record.info.peerCertificateOcfIdentity = peerCertificateHasOcfIdentity(record.session);
    } else if (record.info.role == SessionRole::Server) {
        if (const coap_bin_const_t* identity = coap_session_get_psk_identity(record.session)) {
            record.info.pskIdentity = bytesOf(identity->s, identity->length);
        }
    } else if (const coap_bin_const_t* hint = coap_session_get_psk_hint(record.session)) {
        record.info.pskHint = bytesOf(hint->s, hint->length);
    }
    if (SSL* ssl = record.clientPki ? sslOf(record.session) : nullptr) {
        SSL_set_msg_callback(ssl, nullptr);  // only needed during the handshake
    }
    // Event first: by the time openSession() returns, the callback has seen it.
    emit(SessionEventType::Established, record, record.info.cipher);
    if (record.connectWaiter) {
        record.connectWaiter->set_value(record.info);
        record.connectWaiter.reset();
    }
}

void EndpointCore::finishRecord(SessionRecord& record, SessionEventType type, TransportErrorCode waiterError, const std::string& detail) {
    const bool wasEstablished = record.state == SessionRecord::State::Established;
    if (record.state == SessionRecord::State::Closed) return;
    record.state = SessionRecord::State::Closed;
    const std::string why = record.failure.empty() ? detail : detail + ": " + record.failure;
    if (!record.quiet) emit(wasEstablished ? type : SessionEventType::Failed, record, why);
    failPendingOn(record.session, TransportErrorCode::SessionClosed, "the DTLS session ended (" + why + ")");
    if (record.connectWaiter) {
        record.connectWaiter->set_value(TransportError{waiterError, why});
        record.connectWaiter.reset();
    }
    if (record.info.role == SessionRole::Server || !wasEstablished) {
        // Server sessions belong to libcoap, and a failed client handshake has no Session handle:
        // unlink now (libcoap may still fire events for this session) and free later.
        coap_session_set_app_data(record.session, nullptr);
        if (record.ownsReference) {
            record.ownsReference = false;
            deferredReleases_.push_back(record.session);
        }
        deferredErases_.push_back(record.id);
    }
}

void EndpointCore::onEvent(coap_session_t* session, coap_event_t event) {
    debugLog(
        recordOf(session), "libcoap event 0x" + [event] {
            char text[8];
            std::snprintf(text, sizeof(text), "%04x", static_cast<unsigned>(event));
            return std::string(text);
        }());
    switch (event) {
        case COAP_EVENT_SERVER_SESSION_NEW:
            // Every server session is tracked from its first ClientHello, so that the handshake
            // bounds see the ones that go silent before any other callback (issue 20.3).
            adoptServerSession(session, true);
            return;
        case COAP_EVENT_DTLS_CONNECTED: {
            SessionRecord* record = adoptServerSession(session);
            if (record != nullptr && record->state == SessionRecord::State::Handshaking) markEstablished(*record);
            return;
        }
        case COAP_EVENT_DTLS_ERROR: {
            SessionRecord* record = adoptServerSession(session);
            if (record == nullptr) return;
            const bool established = record->state == SessionRecord::State::Established;
            if (const auto problem = peerCertificateProblem(session); !problem.empty() && record->failure.empty()) {
                record->failure = "the peer's certificate was refused: " + problem;
            }
            const std::string alert = established ? std::string() : alertDetail(*record);
            if (!alert.empty()) record->failure.clear();  // alertDetail() already carries it
            finishRecord(*record, SessionEventType::Failed,
                         established ? TransportErrorCode::SessionClosed : TransportErrorCode::HandshakeFailed,
                         established ? "DTLS error" : (alert.empty() ? "the DTLS handshake was refused" : alert));
            return;
        }
        case COAP_EVENT_DTLS_CLOSED:
        case COAP_EVENT_SERVER_SESSION_DEL: {
            SessionRecord* record = recordOf(session);
            if (record == nullptr) return;
            if (record->state == SessionRecord::State::Established) {
                finishRecord(*record, SessionEventType::Closed, TransportErrorCode::SessionClosed, "closed");
            } else if (const std::string alert = alertDetail(*record); !alert.empty()) {
                record->failure.clear();  // alertDetail() already carries it
                finishRecord(*record, SessionEventType::Failed, TransportErrorCode::HandshakeFailed, alert);
            } else if (record->clientPki && (record->keyExchangeReached || record->peerAnswered)) {
                finishRecord(*record, SessionEventType::Failed, TransportErrorCode::HandshakeFailed,
                             "the server refused the handshake with a DTLS alert (our certificate not accepted, "
                             "none sent, or no common cipher suite)");
            } else if (record->keyExchangeReached) {
                // libcoap 4.3.1 reports a fatal alert during a client handshake only as a close.
                finishRecord(*record, SessionEventType::Failed, TransportErrorCode::HandshakeFailed,
                             "the handshake was refused with a DTLS alert (unknown identity?)");
            } else {
                // Closed before any DTLS answer: ICMP port unreachable (libcoap logs "ICMP"), or
                // a refusal before the key exchange.
                finishRecord(*record, SessionEventType::Failed, TransportErrorCode::ConnectionRefused,
                             "no DTLS answer: nothing listens on that port, or the peer refused at once");
            }
            return;
        }
        default:
            return;
    }
}

const coap_bin_const_t* EndpointCore::onClientIdentity(coap_session_t* session, const coap_bin_const_t* identity) {
    SessionRecord* record = adoptServerSession(session);
    if (record == nullptr || !options_.serverPsk) return nullptr;
    record->keyExchangeReached = true;
    record->info.pskIdentity = identity != nullptr ? bytesOf(identity->s, identity->length) : PskBytes();
    debugLog(record, "client identity received (" + std::to_string(record->info.pskIdentity.size()) + " bytes)");
    std::optional<SecretBytes> key;
    try {
        key = options_.serverPsk->keyForIdentity(record->info.pskIdentity, record->info);
    } catch (const std::exception& error) {
        record->failure = std::string("the server PSK lookup threw: ") + error.what();
        return nullptr;
    }
    if (!key) {
        record->failure = "unknown PSK identity";
        return nullptr;
    }
    if (key->empty() || key->size() > kMaxPskKeyLength) {
        record->failure = "the server PSK lookup returned an empty or over-long key";
        return nullptr;
    }
    record->serverKey = std::move(*key);
    record->serverKeyView.s = record->serverKey.data();
    record->serverKeyView.length = record->serverKey.size();
    record->stallDeadline = Clock::now() + options_.serverHandshakeTimeout;
    return &record->serverKeyView;
}

const coap_dtls_cpsk_info_t* EndpointCore::onServerHint(coap_session_t* session, const coap_str_const_t* hint) {
    SessionRecord* record = recordOf(session);
    if (record == nullptr || !record->clientPsk) {
        transportLog(TransportLogLevel::Warning, "PSK hint callback for a session this endpoint does not track");
        return nullptr;
    }
    record->keyExchangeReached = true;
    record->info.pskHint = hint != nullptr ? bytesOf(hint->s, hint->length) : PskBytes();
    debugLog(record, "server hint received (" + std::to_string(record->info.pskHint.size()) + " bytes)");
    std::optional<ClientPskCredentials> credentials;
    try {
        credentials = record->clientPsk(record->info.pskHint);
    } catch (const std::exception& error) {
        record->failure = std::string("the client PSK lookup threw: ") + error.what();
        return nullptr;
    }
    if (!credentials) {
        record->failure = "no PSK for the server's identity hint";
        return nullptr;
    }
    if (!isUsablePskName(credentials->identity)) {
        record->failure = "the PSK identity contains a 0x00 byte or is longer than 64 bytes";
        return nullptr;
    }
    if (credentials->key.empty() || credentials->key.size() > kMaxPskKeyLength) {
        record->failure = "the client PSK lookup returned an empty or over-long key";
        return nullptr;
    }
    record->replyIdentity = credentials->identity;
    record->replyKey = std::move(credentials->key);
    record->reply.identity.s = record->replyIdentity.data();
    record->reply.identity.length = record->replyIdentity.size();
    record->reply.key.s = record->replyKey.data();
    record->reply.key.length = record->replyKey.size();
    record->info.pskIdentity = record->replyIdentity;
    return &record->reply;
}

void EndpointCore::startHandshake(const coap_address_t& peer, ClientPskLookup psk, Clock::time_point deadline,
                                  std::shared_ptr<std::promise<TransportResult<PeerInfo>>> promise) {
    if (shuttingDown_) {
        promise->set_value(TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"});
        return;
    }
    auto record = newClientRecord(peer, deadline);
    record->clientPsk = std::move(psk);

    coap_dtls_cpsk_t setup{};
    setup.version = COAP_DTLS_CPSK_SETUP_VERSION;
    // With this callback libcoap also caps the session at DTLS 1.2, as OCF requires.
    setup.validate_ih_call_back = clientHintCallback;
    // libcoap 4.3.1 insists on an initial identity and key even though the callback above
    // replaces both before anything is sent (OpenSSL asks for them only after the server's
    // hint). Random bytes, so that a path we did not foresee can never use a guessable key.
    static constexpr std::uint8_t kNoIdentity[1] = {0};
    const SecretBytes placeholderKey = randomSecret(16);
    setup.psk_info.identity.s = kNoIdentity;
    setup.psk_info.identity.length = 0;
    setup.psk_info.key.s = placeholderKey.data();
    setup.psk_info.key.length = placeholderKey.size();
    coap_session_t* session = coap_new_client_session_psk2(context_, nullptr, &peer, COAP_PROTO_DTLS, &setup);
    if (session == nullptr) {
        promise->set_value(
            TransportError{TransportErrorCode::SendFailed, "libcoap could not start a DTLS session " + describe(record->info)});
        return;
    }
    trackClientSession(std::move(record), session, std::move(promise));
}

std::unique_ptr<SessionRecord> EndpointCore::newClientRecord(const coap_address_t& peer, Clock::time_point deadline) {
    auto record = std::make_unique<SessionRecord>();
    record->id = nextSessionId_++;
    record->info.sessionId = record->id;
    record->info.role = SessionRole::Client;
    record->info.secure = true;
    const auto remote = describeAddress(&peer);
    record->info.remoteAddress = remote.host;
    record->info.remotePort = remote.port;
    record->connectDeadline = deadline;
    return record;
}

void EndpointCore::trackClientSession(std::unique_ptr<SessionRecord> record, coap_session_t* session,
                                      std::shared_ptr<std::promise<TransportResult<PeerInfo>>> promise) {
    // The ClientHello is out; no callback can run before the next coap_io_process().
    record->session = session;
    record->ownsReference = true;
    record->connectWaiter = std::move(promise);
    coap_session_set_app_data(session, record.get());
    debugLog(record.get(), "handshake started " + describe(record->info));
    records_.emplace(record->id, std::move(record));
}

void EndpointCore::closeSessionNow(SessionId id, const std::string& why) {
    SessionRecord* record = findRecord(id);
    if (record == nullptr || record->info.role != SessionRole::Client) return;
    if (record->state != SessionRecord::State::Closed) {
        const bool wasEstablished = record->state == SessionRecord::State::Established;
        record->state = SessionRecord::State::Closed;
        if (wasEstablished) emit(SessionEventType::Closed, *record, why);
        failPendingOn(record->session, TransportErrorCode::SessionClosed, "the session was closed: " + why);
        if (record->connectWaiter) {
            record->connectWaiter->set_value(TransportError{TransportErrorCode::SessionClosed, why});
            record->connectWaiter.reset();
        }
    }
    coap_session_set_app_data(record->session, nullptr);
    // Not inside a libcoap callback (we run from the task queue): release now, which sends
    // close_notify unless a retransmission still holds the session.
    if (record->ownsReference) coap_session_release(record->session);
    records_.erase(id);
}

TransportResult<PeerInfo> EndpointCore::openSession(const coap_address_t& peer, ClientPskLookup psk, std::chrono::milliseconds timeout) {
    if (onAnyIoThread()) {
        return TransportError{TransportErrorCode::WrongThread, "openSession() would block an endpoint's I/O thread"};
    }
    if (!psk) return TransportError{TransportErrorCode::InvalidArgument, "no client PSK lookup given"};
    auto promise = std::make_shared<std::promise<TransportResult<PeerInfo>>>();
    auto future = promise->get_future();
    const auto deadline = Clock::now() + timeout;
    const bool posted =
        post([this, peer, psk = std::move(psk), deadline, promise]() mutable { startHandshake(peer, std::move(psk), deadline, promise); });
    if (!posted) return TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"};
    return future.get();
}

void EndpointCore::closeSession(SessionId id, bool wait) {
    if (wait && !onAnyIoThread()) {
        call<bool>(
            [this, id] {
                closeSessionNow(id, "closed by this endpoint");
                return true;
            },
            false);
        return;
    }
    post([this, id] { closeSessionNow(id, "closed by this endpoint"); });
}

void EndpointCore::enforceHandshakeLimits() {
    if (dtlsPort_ == 0) return;
    const auto now = Clock::now();
    std::vector<HandshakeInProgress> inProgress;
    for (const auto& [id, record] : records_) {
        if (record->info.role != SessionRole::Server || record->state != SessionRecord::State::Handshaking) continue;
        if (!record->cookieEchoedAt) {
            // libcoap turns its "hello" session into a server session (with an SSL) once the
            // cookie comes back; it raises no event for that.
            if (coap_session_get_type(record->session) != COAP_SESSION_TYPE_SERVER) continue;
            record->cookieEchoedAt = now;
        }
        inProgress.push_back({id, record->info.remoteAddress, *record->cookieEchoedAt});
    }
    const auto evictions = handshakesToEvict(inProgress, options_.serverHandshakes, now);
    for (const auto& eviction : evictions) {
        SessionRecord* record = findRecord(eviction.id);
        if (record == nullptr) continue;
        switch (eviction.reason) {
            case EvictionReason::TimedOut:
                ++handshakeStats_.timedOut;
                evictServerHandshake(
                    *record, "the handshake was not completed within " + std::to_string(options_.serverHandshakes.timeout.count()) + " ms");
                break;
            case EvictionReason::PerAddress:
                ++handshakeStats_.evictedPerAddress;
                evictServerHandshake(*record, "more than " + std::to_string(options_.serverHandshakes.perAddress) +
                                                  " handshakes in progress from " + record->info.remoteAddress);
                break;
            case EvictionReason::Total:
                ++handshakeStats_.evictedTotal;
                evictServerHandshake(*record, "more than " + std::to_string(options_.serverHandshakes.total) + " handshakes in progress");
                break;
        }
    }
    handshakeStats_.inProgress = inProgress.size() - evictions.size();
    handshakeStats_.peakInProgress = std::max(handshakeStats_.peakInProgress, handshakeStats_.inProgress);
}

void EndpointCore::evictServerHandshake(SessionRecord& record, const std::string& why) {
    coap_session_t* session = record.session;
    debugLog(&record, "dropping the handshake: " + why);
    finishRecord(record, SessionEventType::Failed, TransportErrorCode::HandshakeFailed, why);
    // Frees the session's SSL now (its events find no record any more); with no reference and
    // state NONE, libcoap frees the session in its next coap_io_prepare_epoll().
    coap_session_disconnected(session, COAP_NACK_TLS_FAILED);
}

ServerHandshakeStats EndpointCore::serverHandshakeStats() {
    return call<ServerHandshakeStats>([this] { return handshakeStats_; }, ServerHandshakeStats{});
}

std::optional<TlsKeyMaterial> EndpointCore::keyMaterial(SessionId id) {
    return call<std::optional<TlsKeyMaterial>>(
        [this, id]() -> std::optional<TlsKeyMaterial> {
            SessionRecord* record = findRecord(id);
            if (record == nullptr || record->state != SessionRecord::State::Established) return std::nullopt;
            return readTlsKeyMaterial(record->session);
        },
        std::nullopt);
}

std::optional<PeerInfo> EndpointCore::sessionInfo(SessionId id) {
    return call<std::optional<PeerInfo>>(
        [this, id]() -> std::optional<PeerInfo> {
            SessionRecord* record = findRecord(id);
            if (record == nullptr || record->state == SessionRecord::State::Closed) return std::nullopt;
            return record->info;
        },
        std::nullopt);
}

}  // namespace steward::core::detail
