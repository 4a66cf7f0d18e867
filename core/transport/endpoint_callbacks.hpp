#pragma once
// The C callbacks libcoap calls, as plain functions that find the EndpointCore through the
// context's app data and forward to it. Each one catches everything: no exception may unwind
// into libcoap.

#include <coap3/coap.h>
#include <openssl/types.h>

namespace steward::core::detail {

// Response, NACK and event handlers for the whole context.
void installContextCallbacks(coap_context_t* context);

// For coap_dtls_spsk_t::validate_id_call_back (arg: unused) and
// coap_dtls_cpsk_t::validate_ih_call_back (arg: unused).
const coap_bin_const_t* serverIdentityCallback(coap_bin_const_t* identity, coap_session_t* session, void* arg);
const coap_dtls_cpsk_info_t* clientHintCallback(coap_str_const_t* hint, coap_session_t* session, void* arg);

// For coap_dtls_pki_t::validate_cn_call_back (arg: unused): notes that the peer's chain got that
// far and accepts (trust is decided by OpenSSL against the handshake's own store, see
// pki_setup.hpp).
int peerCertificateCallback(const char* cn, const uint8_t* asn1Certificate, size_t asn1Length, coap_session_t* session, unsigned depth,
                            int validated, void* arg);
// For coap_dtls_pki_t::additional_tls_setup_call_back of the server context: setup->cn_call_back_arg
// is that context. Returns 0 to abandon the handshake.
int serverCertificateSetupCallback(void* tls, coap_dtls_pki_t* setup);

// SSL_set_msg_callback for client certificate handshakes (arg: the session's coap_context_t):
// reports every record the peer sends.
void clientDtlsMessageCallback(int writing, int version, int contentType, const void* data, size_t length, SSL* ssl, void* arg);

// For setDtlsAlertObserver(): finds the session through the SSL's app data (libcoap's).
void dtlsAlertCallback(const SSL* ssl, bool received, int alert);

// Registered for GET/POST/PUT/DELETE on every resource.
void requestCallback(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request, const coap_string_t* query,
                     coap_pdu_t* response);

}  // namespace steward::core::detail
