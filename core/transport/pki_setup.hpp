#pragma once
// Certificate credentials prepared for libcoap's OpenSSL back-end: parsed and checked once, kept
// alive while libcoap may read their PEM buffers, and applied to each handshake's SSL object.
//
// Why we also touch the SSL object ourselves (libcoap 4.3.1, OpenSSL back-end):
// - libcoap adds every CA it is given to its SSL_CTX's one certificate store, shared by all
//   sessions of the context and never emptied, so CAs given for an earlier session (or an earlier
//   server configuration) would stay trusted. Every handshake therefore gets its own verification
//   store holding exactly its trusted CAs (SSL_set1_verify_cert_store), which OpenSSL then uses
//   instead of the shared one.
// - libcoap reads only the first certificate of a PEM buffer; the intermediates are added to the
//   handshake's chain here.
// - libcoap always sets "fail if the client sends no certificate" on the server;
//   requireClientCertificate = false relaxes that here.
//
// Threading: a PreparedPki is immutable after prepare() and only used on one endpoint's I/O
// thread (and in its constructor), with libcoapLock() held.

#include <coap3/coap.h>
#include <openssl/types.h>

#include <memory>
#include <string>
#include <vector>

#include "steward/transport/pki.hpp"

namespace steward::core::detail {

class PreparedPki {
public:
    // Parses and checks `credentials` (see pki.hpp); nullptr and the reason in `problem` if they
    // are unusable. `ownCertificateRequired`: a server must have a certificate and key.
    static std::shared_ptr<const PreparedPki> prepare(const PkiCredentials& credentials, bool ownCertificateRequired, std::string& problem);
    ~PreparedPki();
    PreparedPki(const PreparedPki&) = delete;
    PreparedPki& operator=(const PreparedPki&) = delete;

    // Fills the key section and the verification options of `setup` (not its callbacks). The
    // setup points into this object: keep it alive while libcoap may read it (a server context:
    // until the next coap_context_set_pki; a client session: until coap_new_client_session_pki
    // returns).
    void describe(coap_dtls_pki_t& setup) const;

    // Applies this trust store and chain to one handshake, before the peer's certificate arrives.
    // `server`: whether the SSL is the accepting side; `requireClientCertificate` only matters
    // then. False if OpenSSL refused (the handshake must then be abandoned).
    bool applyTo(SSL* ssl, bool server, bool requireClientCertificate) const;

private:
    PreparedPki() = default;

    std::string chainPem_;  // as given; libcoap reads its first certificate
    std::string keyPem_;    // wiped on destruction
    std::string caPem_;
    std::vector<X509*> intermediates_;  // owned
    X509_STORE* trustStore_ = nullptr;  // owned (reference counted by OpenSSL)
};

}  // namespace steward::core::detail
