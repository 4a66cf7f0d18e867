#include "transport/tls_secrets.hpp"

#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "steward/crypto/x509.hpp"

namespace steward::core {

TlsKeyMaterial::~TlsKeyMaterial() {
    OPENSSL_cleanse(masterSecret.data(), masterSecret.size());
    OPENSSL_cleanse(clientRandom.data(), clientRandom.size());
    OPENSSL_cleanse(serverRandom.data(), serverRandom.size());
}

ClientPskLookup fixedClientPsk(ClientPskCredentials credentials) {
    // Shared, not copied: std::function copies its callable, and the key must not multiply.
    auto shared = std::make_shared<const ClientPskCredentials>(std::move(credentials));
    return [shared](std::span<const std::uint8_t>) {
        return std::optional<ClientPskCredentials>(ClientPskCredentials{shared->identity, shared->key.clone()});
    };
}

bool isUsablePskName(std::span<const std::uint8_t> bytes) {
    if (bytes.size() > kMaxPskIdentityLength) return false;
    for (auto b : bytes) {
        if (b == 0) return false;
    }
    return true;
}

namespace detail {

SSL* sslOf(const coap_session_t* session) {
    if (session == nullptr || coap_session_get_proto(session) != COAP_PROTO_DTLS) return nullptr;
    coap_tls_library_t library = COAP_TLS_LIBRARY_NOTLS;
    void* tls = coap_session_get_tls(session, &library);
    if (tls == nullptr || library != COAP_TLS_LIBRARY_OPENSSL) return nullptr;
    return static_cast<SSL*>(tls);
}

std::optional<TlsKeyMaterial> readTlsKeyMaterial(const coap_session_t* session) {
    SSL* ssl = sslOf(session);
    if (ssl == nullptr || SSL_is_init_finished(ssl) != 1) return std::nullopt;
    const SSL_SESSION* tlsSession = SSL_get_session(ssl);
    if (tlsSession == nullptr) return std::nullopt;
    TlsKeyMaterial material;
    if (SSL_SESSION_get_master_key(tlsSession, material.masterSecret.data(), material.masterSecret.size()) !=
            material.masterSecret.size() ||
        SSL_get_client_random(ssl, material.clientRandom.data(), material.clientRandom.size()) != material.clientRandom.size() ||
        SSL_get_server_random(ssl, material.serverRandom.data(), material.serverRandom.size()) != material.serverRandom.size()) {
        return std::nullopt;
    }
    material.cipher = negotiatedCipher(session);
    return material;
}

std::string negotiatedCipher(const coap_session_t* session) {
    SSL* ssl = sslOf(session);
    if (ssl == nullptr) return {};
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
    const char* name = cipher != nullptr ? SSL_CIPHER_get_name(cipher) : nullptr;
    return name != nullptr ? std::string(name) : std::string();
}

bool negotiatedPsk(const coap_session_t* session) {
    SSL* ssl = sslOf(session);
    const SSL_CIPHER* cipher = ssl != nullptr ? SSL_get_current_cipher(ssl) : nullptr;
    return cipher != nullptr && SSL_CIPHER_get_auth_nid(cipher) == NID_auth_psk;
}

std::string peerCertificateCommonName(const coap_session_t* session) {
    SSL* ssl = sslOf(session);
    if (ssl == nullptr) return {};
    X509* peer = SSL_get1_peer_certificate(ssl);
    if (peer == nullptr) return {};
    std::string commonName;
    const X509_NAME* subject = X509_get_subject_name(peer);
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    // Several CNs: which one names the peer is a guess, so none does.
    if (index >= 0 && X509_NAME_get_index_by_NID(subject, NID_commonName, index) < 0) {
        const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
        unsigned char* utf8 = nullptr;
        const int length = ASN1_STRING_to_UTF8(&utf8, value);
        if (length > 0) {
            commonName.assign(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
            // An embedded 0x00 would let "uuid:A\0..." pass for "uuid:A" in C-string code.
            if (commonName.find('\0') != std::string::npos) commonName.clear();
        }
        OPENSSL_free(utf8);
    }
    X509_free(peer);
    return commonName;
}

bool peerCertificateHasOcfIdentity(const coap_session_t* session) {
    SSL* ssl = sslOf(session);
    if (ssl == nullptr) return false;
    X509* peer = SSL_get1_peer_certificate(ssl);
    if (peer == nullptr) return false;
    bool found = false;
    auto* usages = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(peer, NID_ext_key_usage, nullptr, nullptr));
    ASN1_OBJECT* ocf = OBJ_txt2obj(kOcfIdentityEkuOid, 1);
    if (usages != nullptr && ocf != nullptr) {
        for (int i = 0; i < sk_ASN1_OBJECT_num(usages) && !found; ++i) found = OBJ_cmp(sk_ASN1_OBJECT_value(usages, i), ocf) == 0;
    }
    ASN1_OBJECT_free(ocf);
    EXTENDED_KEY_USAGE_free(usages);
    X509_free(peer);
    return found;
}

std::string peerCertificateProblem(const coap_session_t* session) {
    SSL* ssl = sslOf(session);
    if (ssl == nullptr) return {};
    const long result = SSL_get_verify_result(ssl);
    if (result == X509_V_OK) return {};
    const char* text = X509_verify_cert_error_string(result);
    return text != nullptr ? std::string(text) : "verification error " + std::to_string(result);
}

}  // namespace detail

}  // namespace steward::core
