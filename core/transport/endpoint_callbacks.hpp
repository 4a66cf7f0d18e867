#pragma once
// The C callbacks libcoap calls, as plain functions that find the EndpointCore through the
// context's app data and forward to it. Each one catches everything: no exception may unwind
// into libcoap.

#include <coap3/coap.h>

namespace steward::core::detail {

// Response, NACK and event handlers for the whole context.
void installContextCallbacks(coap_context_t* context);

// For coap_dtls_spsk_t::validate_id_call_back (arg: unused) and
// coap_dtls_cpsk_t::validate_ih_call_back (arg: unused).
const coap_bin_const_t* serverIdentityCallback(coap_bin_const_t* identity, coap_session_t* session, void* arg);
const coap_dtls_cpsk_info_t* clientHintCallback(coap_str_const_t* hint, coap_session_t* session, void* arg);

// Registered for GET/POST/PUT/DELETE on every resource.
void requestCallback(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request,
                     const coap_string_t* query, coap_pdu_t* response);

}  // namespace steward::core::detail
