#include "transport/endpoint_callbacks.hpp"

#include <openssl/ssl.h>

#include <exception>
#include <string>

#include "transport/endpoint_core.hpp"
#include "transport/libcoap_runtime.hpp"

namespace steward::core::detail {

namespace {

// nullptr once the endpoint has started tearing down (it clears the context's app data first).
EndpointCore* coreOf(const coap_session_t* session) {
    if (session == nullptr) return nullptr;
    coap_context_t* context = coap_session_get_context(session);
    return context != nullptr ? static_cast<EndpointCore*>(coap_get_app_data(context)) : nullptr;
}

void logFailure(const char* where, const std::exception* error) {
    std::string message = std::string("exception in ") + where + ": ";
    message += error != nullptr ? error->what() : "unknown";
    transportLog(TransportLogLevel::Error, message);
}

template <typename R, typename Fn>
R guarded(const char* where, R fallback, Fn fn) {
    try {
        return fn();
    } catch (const std::exception& error) {
        logFailure(where, &error);
    } catch (...) {
        logFailure(where, nullptr);
    }
    return fallback;
}

coap_response_t responseCallback(coap_session_t* session, const coap_pdu_t*, const coap_pdu_t* received, const coap_mid_t) {
    return guarded("response handler", COAP_RESPONSE_OK, [&] {
        EndpointCore* core = coreOf(session);
        return core != nullptr ? core->onResponse(session, received) : COAP_RESPONSE_OK;
    });
}

void nackCallback(coap_session_t* session, const coap_pdu_t* sent, const coap_nack_reason_t reason, const coap_mid_t) {
    guarded("NACK handler", 0, [&] {
        if (EndpointCore* core = coreOf(session)) core->onNack(session, sent, reason);
        return 0;
    });
}

}  // namespace

void dtlsAlertCallback(const SSL* ssl, bool received, int alert) {
    guarded("DTLS alert handler", 0, [&] {
        // libcoap makes the coap_session_t each SSL's app data (nullptr on its listener's SSL).
        auto* session = static_cast<coap_session_t*>(SSL_get_app_data(ssl));
        if (EndpointCore* core = coreOf(session)) core->onDtlsAlert(session, received, alert);
        return 0;
    });
}

namespace {

int eventCallback(coap_session_t* session, const coap_event_t event) {
    return guarded("event handler", 0, [&] {
        if (EndpointCore* core = coreOf(session)) core->onEvent(session, event);
        return 0;
    });
}

}  // namespace

void installContextCallbacks(coap_context_t* context) {
    coap_register_response_handler(context, responseCallback);
    coap_register_nack_handler(context, nackCallback);
    coap_register_event_handler(context, eventCallback);
}

const coap_bin_const_t* serverIdentityCallback(coap_bin_const_t* identity, coap_session_t* session, void*) {
    return guarded("server PSK lookup", static_cast<const coap_bin_const_t*>(nullptr), [&] {
        EndpointCore* core = coreOf(session);
        return core != nullptr ? core->onClientIdentity(session, identity) : nullptr;
    });
}

const coap_dtls_cpsk_info_t* clientHintCallback(coap_str_const_t* hint, coap_session_t* session, void*) {
    return guarded("client PSK lookup", static_cast<const coap_dtls_cpsk_info_t*>(nullptr), [&] {
        EndpointCore* core = coreOf(session);
        return core != nullptr ? core->onServerHint(session, hint) : nullptr;
    });
}

int peerCertificateCallback(const char*, const uint8_t*, size_t, coap_session_t* session, unsigned depth, int, void*) {
    return guarded("certificate callback", 0, [&] {
        if (EndpointCore* core = coreOf(session)) core->onPeerCertificate(session, depth);
        return 1;
    });
}

int serverCertificateSetupCallback(void* tls, coap_dtls_pki_t* setup) {
    return guarded("certificate handshake set-up", 0, [&] {
        auto* context = setup != nullptr ? static_cast<coap_context_t*>(setup->cn_call_back_arg) : nullptr;
        auto* core = context != nullptr ? static_cast<EndpointCore*>(coap_get_app_data(context)) : nullptr;
        return core != nullptr && core->onServerCertificateHandshake(tls) ? 1 : 0;
    });
}

void clientDtlsMessageCallback(int writing, int, int, const void*, size_t, SSL* ssl, void* arg) {
    if (writing != 0 || arg == nullptr) return;
    guarded("DTLS message callback", 0, [&] {
        if (auto* core = static_cast<EndpointCore*>(coap_get_app_data(static_cast<coap_context_t*>(arg)))) {
            core->onPeerDtlsRecord(ssl);
        }
        return 0;
    });
}

void requestCallback(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request, const coap_string_t* query,
                     coap_pdu_t* response) {
    const bool handled = guarded("request handler", false, [&] {
        EndpointCore* core = coreOf(session);
        if (core == nullptr) return false;
        core->onRequest(resource, session, request, query, response);
        return true;
    });
    if (!handled) coap_pdu_set_code(response, COAP_RESPONSE_CODE_INTERNAL_ERROR);
}

}  // namespace steward::core::detail
