#pragma once
// X.509 certificates and private keys for the credential resource (trust CA chains, a device's
// certificate and key pair), as RAII wrappers over OpenSSL 3.
//
// Inputs are untrusted bytes (files a user names, publicdata read from a database): parsing never
// reads outside them and reports every failure as CryptoError naming the origin (usually the file
// path) and the reason. Error messages never contain key bytes.
//
// Ownership: each object owns its OpenSSL object and frees it on destruction; copies share the
// same immutable OpenSSL object (reference counted by OpenSSL). native() lends the pointer for
// calls this header does not wrap; the caller must not free it or keep it beyond the object's
// lifetime. Objects are immutable after construction and may be read from several threads.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// OpenSSL's own typedefs (X509, EVP_PKEY) name these structs; forward declarations keep OpenSSL's
// headers out of the SDK.
struct x509_st;
struct evp_pkey_st;

namespace steward::core {

// OCF's extended key usage for identity certificates (OCF Security 1.1+, "OCF Identity"). The
// gateway CA puts it only on the certificates credential management gives OCF devices
// (CN "uuid:<device>"); devices take a certificate's "uuid:" CN as a peer's identity only with it.
inline constexpr const char* kOcfIdentityEkuOid = "1.3.6.1.4.1.44924.1.6";

class CryptoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What a person needs to recognise a certificate; never contains key material.
struct CertificateSummary {
    std::string subject;       // RFC 2253 form, e.g. "CN=Steward Test CA,O=Example"
    std::string issuer;        // same form
    std::string serialNumber;  // lowercase hex
    std::string notBefore;     // ISO-8601 UTC, e.g. "2024-05-01T12:00:00Z"
    std::string notAfter;
    std::string keyType;            // "EC P-256", "RSA 2048", "Ed25519", ...
    std::string sha256Fingerprint;  // 64 lowercase hex digits over the DER encoding
    bool isCa = false;              // basicConstraints CA:TRUE
};

class Certificate {
public:
    // Every certificate in `bytes`: one or more PEM "CERTIFICATE" blocks (text around them is
    // ignored) or exactly one DER certificate. Order is kept (a chain file lists its leaf first).
    // Throws CryptoError("<origin>: ...") if there is none, if a block is malformed, or if the
    // input holds a private key (a key is never accepted where a certificate is expected).
    static std::vector<Certificate> parseChain(std::span<const std::uint8_t> bytes, std::string_view origin);
    static std::vector<Certificate> loadChain(const std::filesystem::path& file);

    // Like parseChain but requires exactly one certificate.
    static Certificate parse(std::span<const std::uint8_t> bytes, std::string_view origin);
    static Certificate load(const std::filesystem::path& file);

    std::vector<std::uint8_t> der() const;
    std::string pem() const;  // one "-----BEGIN CERTIFICATE-----" block, newline-terminated
    bool isCa() const;
    CertificateSummary summary() const;

    x509_st* native() const { return cert_.get(); }

    Certificate(const Certificate& other);
    Certificate& operator=(const Certificate& other);
    Certificate(Certificate&&) noexcept = default;
    Certificate& operator=(Certificate&&) noexcept = default;
    ~Certificate() = default;

private:
    struct Free {
        void operator()(x509_st* cert) const;
    };
    explicit Certificate(x509_st* owned) : cert_(owned) {}

    std::unique_ptr<x509_st, Free> cert_;
};

// PEM text of several certificates, in order (the form of a chain file and of cred publicdata).
std::string chainToPem(const std::vector<Certificate>& chain);

class PublicKey;

class PrivateKey {
public:
    // A fresh EC P-256 (prime256v1) key pair from OpenSSL's CSPRNG. Throws CryptoError if OpenSSL
    // cannot generate one.
    static PrivateKey generateEcKey();

    // One unencrypted private key, PEM ("PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"; an
    // "EC PARAMETERS" block is skipped) or DER (PKCS#8 or traditional). Throws CryptoError for a
    // certificate, an encrypted key (there is no passphrase prompt), several keys, or anything else.
    static PrivateKey parse(std::span<const std::uint8_t> bytes, std::string_view origin);
    static PrivateKey load(const std::filesystem::path& file);

    // PKCS#8 DER: secret material; the caller decides where it may go.
    std::vector<std::uint8_t> der() const;
    // Unencrypted PKCS#8 PEM (one "-----BEGIN PRIVATE KEY-----" block, newline-terminated): secret
    // material, as der(). Throws CryptoError if OpenSSL cannot encode the key.
    std::string pem() const;
    // The public half, as an independent object that holds no private material.
    PublicKey publicKey() const;
    std::string typeName() const;  // same form as CertificateSummary::keyType
    // Whether this key is the private half of the certificate's public key.
    bool matches(const Certificate& cert) const;

    evp_pkey_st* native() const { return key_.get(); }

    PrivateKey(const PrivateKey& other);
    PrivateKey& operator=(const PrivateKey& other);
    PrivateKey(PrivateKey&&) noexcept = default;
    PrivateKey& operator=(PrivateKey&&) noexcept = default;
    ~PrivateKey() = default;

private:
    struct Free {
        void operator()(evp_pkey_st* key) const;
    };
    explicit PrivateKey(evp_pkey_st* owned) : key_(owned) {}

    std::unique_ptr<evp_pkey_st, Free> key_;
};

// A public key on its own (SubjectPublicKeyInfo): what a device hands over to have it certified.
// Same ownership and threading rules as PrivateKey; holds no secret.
class PublicKey {
public:
    // One public key: PEM "PUBLIC KEY" (SubjectPublicKeyInfo) or its DER. Throws CryptoError for a
    // private key, a certificate, several keys or anything else.
    static PublicKey parse(std::span<const std::uint8_t> bytes, std::string_view origin);

    std::vector<std::uint8_t> der() const;  // SubjectPublicKeyInfo DER
    std::string pem() const;                // one "-----BEGIN PUBLIC KEY-----" block, newline-terminated
    std::string typeName() const;           // same form as CertificateSummary::keyType
    // Whether this is the certificate's public key.
    bool matches(const Certificate& cert) const;

    evp_pkey_st* native() const { return key_.get(); }

    PublicKey(const PublicKey& other);
    PublicKey& operator=(const PublicKey& other);
    PublicKey(PublicKey&&) noexcept = default;
    PublicKey& operator=(PublicKey&&) noexcept = default;
    ~PublicKey() = default;

private:
    friend class PrivateKey;
    struct Free {
        void operator()(evp_pkey_st* key) const;
    };
    explicit PublicKey(evp_pkey_st* owned) : key_(owned) {}

    std::unique_ptr<evp_pkey_st, Free> key_;
};

}  // namespace steward::core
