// Certificate credentials: parsing, checks, libcoap set-up data and per-handshake SSL settings.
#include "transport/pki_setup.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <limits>
#include <mutex>
#include <string_view>

#include "transport/libcoap_runtime.hpp"

namespace steward::core {

PkiCredentials::~PkiCredentials() {
    if (!privateKeyPem.empty()) OPENSSL_cleanse(privateKeyPem.data(), privateKeyPem.size());
}

namespace detail {

namespace {

// Longest chain (peer certificate + intermediates) we verify; OCF uses root -> (intermediate) ->
// leaf.
constexpr std::uint8_t kMaxIntermediates = 4;

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

BioPtr memoryBio(const std::string& text) {
    if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return nullptr;
    return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Never asks for a pass phrase (OpenSSL's default would prompt on the terminal): an encrypted
// key is simply unreadable.
int noPassphrase(char*, int, int, void*) { return -1; }

std::size_t countOf(std::string_view text, std::string_view marker) {
    std::size_t count = 0;
    for (auto at = text.find(marker); at != std::string_view::npos; at = text.find(marker, at + marker.size())) ++count;
    return count;
}

// Every PEM certificate in `text`; empty with `problem` set when a block is malformed or there is
// none.
std::vector<X509Ptr> readCertificates(const std::string& text, std::string_view what, std::string& problem) {
    std::vector<X509Ptr> certificates;
    auto bio = memoryBio(text);
    if (!bio) {
        problem = std::string(what) + " is too large";
        return {};
    }
    while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr)) {
        certificates.emplace_back(certificate);
    }
    ERR_clear_error();  // the read that ended the loop leaves "no start line" behind
    const std::size_t blocks = countOf(text, "-----BEGIN CERTIFICATE-----");
    if (blocks == 0) {
        problem = std::string(what) + " holds no PEM certificate";
        return {};
    }
    if (certificates.size() != blocks) {
        problem = std::string(what) + ": PEM certificate " + std::to_string(certificates.size() + 1) + " of " + std::to_string(blocks) +
                  " is malformed";
        return {};
    }
    return certificates;
}

PkeyPtr readPrivateKey(const std::string& text, std::string& problem) {
    auto bio = memoryBio(text);
    PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr) : nullptr);
    ERR_clear_error();
    if (!key) problem = "the private key is not an unencrypted PEM private key";
    return key;
}

}  // namespace

std::shared_ptr<const PreparedPki> PreparedPki::prepare(const PkiCredentials& credentials, bool ownCertificateRequired,
                                                        std::string& problem) {
    bool openssl = false;
    {
        const std::lock_guard guard(libcoapLock());  // libcoap fills a static struct here
        const coap_tls_version_t* library = coap_get_tls_library_version();
        openssl = library != nullptr && library->type == COAP_TLS_LIBRARY_OPENSSL;
    }
    if (!openssl) {
        problem = "libcoap is not built with OpenSSL; certificate sessions need its OpenSSL back-end";
        return nullptr;
    }
    std::shared_ptr<PreparedPki> prepared(new PreparedPki());

    const bool hasChain = !credentials.certificateChainPem.empty();
    const bool hasKey = !credentials.privateKeyPem.empty();
    if (hasChain != hasKey) {
        problem = hasChain ? "a certificate chain without its private key" : "a private key without its certificate";
        return nullptr;
    }
    if (!hasChain && ownCertificateRequired) {
        problem = "a DTLS server needs its own certificate and private key";
        return nullptr;
    }
    if (hasChain) {
        auto chain = readCertificates(credentials.certificateChainPem, "the certificate chain", problem);
        if (chain.empty()) return nullptr;
        if (chain.size() > 1u + kMaxIntermediates) {
            problem = "the certificate chain has more than " + std::to_string(kMaxIntermediates) + " intermediates";
            return nullptr;
        }
        auto key = readPrivateKey(credentials.privateKeyPem, problem);
        if (!key) return nullptr;
        if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
            ERR_clear_error();
            problem = "the private key does not belong to the first certificate of the chain";
            return nullptr;
        }
        for (std::size_t i = 1; i < chain.size(); ++i) prepared->intermediates_.push_back(chain[i].release());
        prepared->chainPem_ = credentials.certificateChainPem;
        prepared->keyPem_ = credentials.privateKeyPem;
    }

    auto cas = readCertificates(credentials.trustedCaPem, "the trusted CAs", problem);
    if (cas.empty()) return nullptr;
    prepared->trustStore_ = X509_STORE_new();
    if (prepared->trustStore_ == nullptr) {
        problem = "out of memory";
        return nullptr;
    }
    for (std::size_t i = 0; i < cas.size(); ++i) {
        if (X509_check_ca(cas[i].get()) < 1) {
            problem = "trusted certificate " + std::to_string(i + 1) + " is not a CA certificate";
            return nullptr;
        }
        // A CA listed twice is harmless; any other refusal is not.
        if (X509_STORE_add_cert(prepared->trustStore_, cas[i].get()) != 1) {
            const auto reason = ERR_GET_REASON(ERR_peek_last_error());
            ERR_clear_error();
            if (reason != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
                problem = "OpenSSL refused trusted CA " + std::to_string(i + 1);
                return nullptr;
            }
        }
    }
    prepared->caPem_ = credentials.trustedCaPem;
    return prepared;
}

PreparedPki::~PreparedPki() {
    if (!keyPem_.empty()) OPENSSL_cleanse(keyPem_.data(), keyPem_.size());
    for (X509* certificate : intermediates_) X509_free(certificate);
    X509_STORE_free(trustStore_);
}

void PreparedPki::describe(coap_dtls_pki_t& setup) const {
    setup.version = COAP_DTLS_PKI_SETUP_VERSION;
    // Strict verification; libcoap relaxes the rest itself only when verify_peer_cert is 0.
    setup.verify_peer_cert = 1;
    setup.check_common_ca = 1;
    setup.allow_self_signed = 0;
    setup.allow_expired_certs = 0;
    setup.cert_chain_validation = 1;
    setup.cert_chain_verify_depth = kMaxIntermediates;
    setup.check_cert_revocation = 0;  // no CRLs in OCF's model
    setup.allow_no_crl = 1;
    setup.allow_expired_crl = 0;
    setup.allow_bad_md_hash = 0;
    setup.allow_short_rsa_length = 0;
    setup.is_rpk_not_cert = 0;
    if (!chainPem_.empty()) {
        setup.pki_key.key_type = COAP_PKI_KEY_PEM_BUF;
        auto& buffers = setup.pki_key.key.pem_buf;
        buffers.public_cert = reinterpret_cast<const std::uint8_t*>(chainPem_.data());
        buffers.public_cert_len = chainPem_.size();
        buffers.private_key = reinterpret_cast<const std::uint8_t*>(keyPem_.data());
        buffers.private_key_len = keyPem_.size();
        // Also sent as the CA names of a server's CertificateRequest.
        buffers.ca_cert = reinterpret_cast<const std::uint8_t*>(caPem_.data());
        buffers.ca_cert_len = caPem_.size();
    } else {
        // A client without a certificate: libcoap's PEM buffer form insists on one, its file form
        // accepts none (for a client). The CAs come from applyTo().
        setup.pki_key.key_type = COAP_PKI_KEY_PEM;
        setup.pki_key.key.pem.ca_file = nullptr;
        setup.pki_key.key.pem.public_cert = nullptr;
        setup.pki_key.key.pem.private_key = nullptr;
    }
}

bool PreparedPki::applyTo(SSL* ssl, bool server, bool requireClientCertificate) const {
    if (ssl == nullptr) return false;
    if (SSL_set1_verify_cert_store(ssl, trustStore_) != 1) return false;
    for (X509* certificate : intermediates_) {
        if (SSL_add1_chain_cert(ssl, certificate) != 1) return false;
    }
    if (server && !requireClientCertificate) {
        // Still ask for a certificate (and verify one that is sent), but accept none. Keeps
        // libcoap's verification callback.
        SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, SSL_get_verify_callback(ssl));
    }
    return true;
}

}  // namespace detail

}  // namespace steward::core
