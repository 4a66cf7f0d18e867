#include "transport/tls_secrets.hpp"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

namespace steward::core {

TlsKeyMaterial::~TlsKeyMaterial() {
    OPENSSL_cleanse(masterSecret.data(), masterSecret.size());
    OPENSSL_cleanse(clientRandom.data(), clientRandom.size());
    OPENSSL_cleanse(serverRandom.data(), serverRandom.size());
}

bool isUsablePskName(std::span<const std::uint8_t> bytes) {
    if (bytes.size() > kMaxPskIdentityLength) return false;
    for (auto b : bytes) {
        if (b == 0) return false;
    }
    return true;
}

namespace detail {

namespace {

SSL* sslOf(const coap_session_t* session) {
    if (session == nullptr || coap_session_get_proto(session) != COAP_PROTO_DTLS) return nullptr;
    coap_tls_library_t library = COAP_TLS_LIBRARY_NOTLS;
    void* tls = coap_session_get_tls(session, &library);
    if (tls == nullptr || library != COAP_TLS_LIBRARY_OPENSSL) return nullptr;
    return static_cast<SSL*>(tls);
}

}  // namespace

std::optional<TlsKeyMaterial> readTlsKeyMaterial(const coap_session_t* session) {
    SSL* ssl = sslOf(session);
    if (ssl == nullptr || SSL_is_init_finished(ssl) != 1) return std::nullopt;
    const SSL_SESSION* tlsSession = SSL_get_session(ssl);
    if (tlsSession == nullptr) return std::nullopt;
    TlsKeyMaterial material;
    if (SSL_SESSION_get_master_key(tlsSession, material.masterSecret.data(), material.masterSecret.size()) !=
            material.masterSecret.size() ||
        SSL_get_client_random(ssl, material.clientRandom.data(), material.clientRandom.size()) !=
            material.clientRandom.size() ||
        SSL_get_server_random(ssl, material.serverRandom.data(), material.serverRandom.size()) !=
            material.serverRandom.size()) {
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

}  // namespace detail

}  // namespace steward::core
