#pragma once
// Reads what OCF needs from the OpenSSL object behind a libcoap DTLS session. Callers hold
// libcoapLock() and pass a session that is still alive.

#include <coap3/coap.h>
#include <openssl/types.h>

#include <optional>
#include <string>

#include "steward/transport/coap_endpoint.hpp"

namespace steward::core::detail {

// nullopt unless the session is DTLS over OpenSSL with a completed handshake.
std::optional<TlsKeyMaterial> readTlsKeyMaterial(const coap_session_t* session);

// OpenSSL's name of the negotiated suite, e.g. "ECDHE-PSK-CHACHA20-POLY1305"; "" if none yet.
std::string negotiatedCipher(const coap_session_t* session);

// The OpenSSL object of a DTLS session; nullptr if there is none (yet) or libcoap uses another
// TLS library. Borrowed: libcoap owns and frees it.
SSL* sslOf(const coap_session_t* session);

// Whether the negotiated suite authenticates with a PSK (false: certificates, or none yet).
bool negotiatedPsk(const coap_session_t* session);

// The subject CN of the peer's certificate (see PeerInfo::peerCertificateCn); "" if none.
std::string peerCertificateCommonName(const coap_session_t* session);
// Whether the peer's certificate lists OCF's identity EKU (kOcfIdentityEkuOid, x509.hpp).
bool peerCertificateHasOcfIdentity(const coap_session_t* session);

// Why OpenSSL refused the peer's certificate chain ("certificate has expired", ...); "" if it
// did not (or there was none).
std::string peerCertificateProblem(const coap_session_t* session);

}  // namespace steward::core::detail
