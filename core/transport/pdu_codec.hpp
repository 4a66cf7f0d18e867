#pragma once
// Conversions between the public message types and libcoap PDUs. Callers hold libcoapLock().

#include <coap3/coap.h>

#include <cstdint>
#include <span>
#include <string>

#include "steward/transport/coap_message.hpp"

namespace steward::core::detail {

// A confirmable or non-confirmable request PDU for `session` carrying `token`, all options of
// `request` (in option-number order) and its payload (Block1 by libcoap if it is large).
// Returns nullptr and sets `error` if libcoap refuses it; nothing leaks either way.
coap_pdu_t* buildRequestPdu(coap_session_t* session, const CoapRequest& request, std::span<const std::uint8_t> token, std::string& error);

// Fills libcoap's pre-allocated response PDU inside a resource handler.
void writeResponse(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request, const coap_string_t* query,
                   coap_pdu_t* response, const CoapResponse& reply);

// Server side: what arrived (the whole body, libcoap reassembles Block1).
CoapRequest decodeRequest(const coap_pdu_t* pdu);
// Client side: what arrived (the whole body, libcoap reassembles Block2).
CoapResponse decodeResponse(const coap_pdu_t* pdu);

}  // namespace steward::core::detail
