// EndpointCore: certificate (PKI) credentials — the DTLS listener's, and client certificate
// sessions on their own library context (see endpoint_core.hpp for why).
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "transport/endpoint_callbacks.hpp"
#include "transport/endpoint_core.hpp"
#include "transport/libcoap_runtime.hpp"
#include "transport/ocf_cipher_suites.hpp"
#include "transport/tls_secrets.hpp"

namespace steward::core::detail {

bool EndpointCore::installServerPki() {
    coap_dtls_pki_t setup{};
    serverPki_->describe(setup);
    setup.validate_cn_call_back = peerCertificateCallback;
    // How serverCertificateSetupCallback finds this endpoint (through the context's app data,
    // which teardown clears first).
    setup.cn_call_back_arg = context_;
    setup.additional_tls_setup_call_back = serverCertificateSetupCallback;
    // libcoap copies `setup`, whose buffers point into serverPki_, and reads them at every
    // certificate ClientHello until the next call here.
    return coap_context_set_pki(context_, &setup) == 1;
}

bool EndpointCore::setServerPki(std::shared_ptr<const PreparedPki> pki) {
    if (!pki) return false;
    return call<bool>(
        [this, &pki]() {
            if (dtlsPort_ == 0) {
                transportLog(TransportLogLevel::Warning, "setServerPki: this endpoint has no DTLS listener");
                return false;
            }
            auto previous = std::exchange(serverPki_, std::move(pki));
            if (installServerPki()) return true;
            transportLog(TransportLogLevel::Warning, "setServerPki: libcoap refused the certificate set-up");
            // libcoap keeps pointing into whatever it was last given: restore the previous set-up
            // if there was one, else keep the new one alive.
            if (previous) {
                serverPki_ = std::move(previous);
                installServerPki();
            }
            return false;
        },
        false);
}

bool EndpointCore::onServerCertificateHandshake(void* tls) {
    if (!serverPki_) return false;
    if (!serverPki_->applyTo(static_cast<SSL*>(tls), true, options_.requireClientCertificate)) {
        transportLog(TransportLogLevel::Warning, "OpenSSL refused a handshake's certificate settings; handshake abandoned");
        return false;
    }
    // libcoap 4.3.1 has just read its CA buffer to the end, which leaves PEM's "no start line" in
    // OpenSSL's error queue. Left there, the SSL_get_error() after this handshake step reports
    // SSL_ERROR_SSL and libcoap drops the handshake (PSK clients, and certificate chains that
    // OpenSSL does not build itself, which would clear the queue). libcoap only drains the queue
    // by accident, while logging at LOG_WARNING or more.
    ERR_clear_error();
    return true;
}

void EndpointCore::onPeerDtlsRecord(SSL* ssl) {
    // Only client certificate sessions install this callback, and only until established.
    for (auto& [id, record] : records_) {
        if (record->clientPki && record->state == SessionRecord::State::Handshaking && sslOf(record->session) == ssl) {
            record->peerAnswered = true;
            return;
        }
    }
}

void EndpointCore::onPeerCertificate(coap_session_t* session, unsigned depth) {
    // The peer speaks DTLS and sent a chain that OpenSSL accepted so far: a later failure is a
    // refusal, not an unreachable peer.
    SessionRecord* record = adoptServerSession(session);
    if (record != nullptr) record->keyExchangeReached = true;
    (void)depth;
}

coap_context_t* EndpointCore::pkiClientContext() {
    if (pkiClientContext_ != nullptr) return pkiClientContext_;
    coap_context_t* context = newOcfContext(ClientSuites::Certificate);
    if (context == nullptr) return nullptr;
    configureContext(context);
    const int fd = coap_context_get_coap_fd(context);
    if (fd < 0) {
        coap_set_app_data(context, nullptr);
        coap_free_context(context);
        return nullptr;
    }
    pkiClientContext_ = context;
    pkiClientFd_ = fd;
    return context;
}

void EndpointCore::startPkiHandshake(const coap_address_t& peer, std::shared_ptr<const PreparedPki> pki, Clock::time_point deadline,
                                     std::shared_ptr<std::promise<TransportResult<PeerInfo>>> promise) {
    if (shuttingDown_) {
        promise->set_value(TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"});
        return;
    }
    coap_context_t* context = pkiClientContext();
    if (context == nullptr) {
        promise->set_value(TransportError{TransportErrorCode::SendFailed, "libcoap could not create a context for certificate sessions"});
        return;
    }
    auto record = newClientRecord(peer, deadline);
    record->clientPki = pki;

    coap_dtls_pki_t setup{};
    pki->describe(setup);
    setup.validate_cn_call_back = peerCertificateCallback;
    // No SNI: OCF peers are addressed by IP, and who the server is comes from its certificate's CN.
    coap_session_t* session = coap_new_client_session_pki(context, nullptr, &peer, COAP_PROTO_DTLS, &setup);
    if (session == nullptr) {
        promise->set_value(TransportError{TransportErrorCode::SendFailed, "libcoap could not start a DTLS certificate session to " +
                                                                              record->info.remoteAddress + " port " +
                                                                              std::to_string(record->info.remotePort)});
        return;
    }
    // The server's certificate cannot have arrived yet (nothing is read before the next
    // coap_io_process()), so this session's own trust store is in place before it is verified.
    SSL* ssl = sslOf(session);
    if (!pki->applyTo(ssl, false, true)) {
        coap_session_release(session);  // from the task queue, not inside a libcoap callback
        promise->set_value(TransportError{TransportErrorCode::SendFailed, "OpenSSL refused the session's certificate settings"});
        return;
    }
    // To tell "the server refused with an alert" (libcoap 4.3.1 reports it only as a close) from
    // "nothing answered": whether any DTLS record came back. Removed once established.
    SSL_set_msg_callback(ssl, clientDtlsMessageCallback);
    SSL_set_msg_callback_arg(ssl, context);
    trackClientSession(std::move(record), session, std::move(promise));
}

TransportResult<PeerInfo> EndpointCore::openSession(const coap_address_t& peer, std::shared_ptr<const PreparedPki> pki,
                                                    std::chrono::milliseconds timeout) {
    if (onAnyIoThread()) {
        return TransportError{TransportErrorCode::WrongThread, "openSession() would block an endpoint's I/O thread"};
    }
    if (!pki) return TransportError{TransportErrorCode::InvalidArgument, "no certificate credentials given"};
    auto promise = std::make_shared<std::promise<TransportResult<PeerInfo>>>();
    auto future = promise->get_future();
    const auto deadline = Clock::now() + timeout;
    const bool posted = post(
        [this, peer, pki = std::move(pki), deadline, promise]() mutable { startPkiHandshake(peer, std::move(pki), deadline, promise); });
    if (!posted) return TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"};
    return future.get();
}

}  // namespace steward::core::detail
