#pragma once
// Reads what OCF needs from the OpenSSL object behind a libcoap DTLS session. Callers hold
// libcoapLock() and pass a session that is still alive.

#include <coap3/coap.h>

#include <optional>
#include <string>

#include "steward/transport/coap_endpoint.hpp"

namespace steward::core::detail {

// nullopt unless the session is DTLS over OpenSSL with a completed handshake.
std::optional<TlsKeyMaterial> readTlsKeyMaterial(const coap_session_t* session);

// OpenSSL's name of the negotiated suite, e.g. "ECDHE-PSK-CHACHA20-POLY1305"; "" if none yet.
std::string negotiatedCipher(const coap_session_t* session);

}  // namespace steward::core::detail
