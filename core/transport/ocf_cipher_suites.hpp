#pragma once
// The DTLS cipher suites of ocf-security.md ("Crypto"), on every session of ours, client and
// server: 0xC037 for PSK sessions (owner, pairwise, Random PIN, Steward's Just-Works), the ECDHE-
// ECDSA suites for certificate sessions.
//
// libcoap 4.3.1 has no API for this. It sets "TLSv1.3:TLSv1.2:!NULL" on its SSL_CTX (OpenSSL files
// 0xC037 under TLSv1, so that string leaves it out: a server of ours refused iotivity-lite's OBT
// with alert 40) and "PSK:!NULL" on each PSK client SSL just before SSL_connect() sends the
// ClientHello, with no callback in between. What OpenSSL does offer: an SSL_CTX ex_data index
// whose "new" hook sees every SSL_CTX as it is created (so the ones coap_new_context() makes can
// be found), and the SSL_CTX info callback, which runs at SSL_CB_HANDSHAKE_START before the
// ClientHello is built (client) or read (server) — there the list is set on the SSL itself. The
// info callback libcoap installed is kept and called after ours.
#include <coap3/coap.h>
#include <openssl/types.h>

#include <string>

namespace steward::core::detail {

inline constexpr const char* kOcfPskSuite = "ECDHE-PSK-AES128-CBC-SHA256";
inline constexpr const char* kOcfCertificateSuites =
    "ECDHE-ECDSA-AES128-CCM8:ECDHE-ECDSA-AES128-CCM:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256";

// What client sessions of a context offer (a context holds PSK or certificate client sessions,
// never both: see endpoint_core.hpp). Server sessions accept either kind.
enum class ClientSuites { Psk, Certificate };

// coap_new_context(nullptr) with the suites above on its DTLS sessions; nullptr if libcoap or
// OpenSSL failed (nothing is left allocated then). Call with libcoapLock() held.
coap_context_t* newOcfContext(ClientSuites clientSuites);

// The server's list: the PSK suite first, then the certificate suites.
const char* ocfServerSuites();

// Called (on the thread running the handshake) for every fatal DTLS alert on a session of a
// context made by newOcfContext(): `received` when the peer sent it, else we did; `alert` is the
// TLS AlertDescription. Set once, before any context exists.
using DtlsAlertObserver = void (*)(const SSL* ssl, bool received, int alert);
void setDtlsAlertObserver(DtlsAlertObserver observer);

// "handshake_failure (40)", with what it usually means for OCF peers.
std::string describeDtlsAlert(int alert);

}  // namespace steward::core::detail
