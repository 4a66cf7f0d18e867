#pragma once
// The gateway's certificate authority: one EC P-256 key and self-signed CA certificate, kept in a
// directory as ca.key (0600) and ca.crt (0644). It gives OCF devices their certificate and key
// (credential management) and signs the certificates IDProv hands out (devices: CN = deviceID,
// OU = iotdevice; clients: OU = admin or plugin).
//
// Threading: a CertificateAuthority may be shared between threads; issue() and issueWithNewKey()
// serialise their signing on an internal mutex, everything else only reads immutable state.
// Failure: every call throws CryptoError (message names the file or the request field and the
// problem; never key bytes) and leaves the files on disk as they were.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "steward/crypto/x509.hpp"

namespace steward::core {

// Which TLS role the certificate may take (extendedKeyUsage serverAuth / clientAuth).
enum class CertificateUsage { Client, Server, ClientAndServer };

// Everything about a certificate to issue except the subject's key.
struct CertificateProfile {
    // Subject CN, 1..64 characters of UTF-8; an OCF device uses "uuid:<36-char lowercase uuid>",
    // an IDProv device its deviceID.
    std::string commonName;
    // Subject OU, 1..64 characters when present ("iotdevice", "admin", "plugin").
    std::optional<std::string> organizationalUnit;
    // notAfter = notBefore + validity; must be positive and at most 100 years. notAfter is
    // clamped to the CA certificate's own notAfter (a leaf never outlives its CA).
    std::chrono::seconds validity = std::chrono::hours(24 * 365);
    // notBefore = now + notBeforeOffset. Backdated a little by default so peers whose clock runs
    // behind accept a certificate issued a moment ago; a large negative offset together with a
    // short validity yields an already-expired certificate (for tests).
    std::chrono::seconds notBeforeOffset = std::chrono::minutes(-5);
    CertificateUsage usage = CertificateUsage::ClientAndServer;
    // Adds OCF's identity EKU (kOcfIdentityEkuOid): for OCF device identities ("uuid:" CN) only,
    // which credential management issues. IDProv never sets it.
    bool ocfIdentity = false;
    // subjectAltName entries: a host name ("gateway.local") or an IPv4/IPv6 address ("127.0.0.1",
    // "::1"); what a TLS client checks the server's name against. Empty: no extension.
    std::vector<std::string> subjectAltNames;
};

// A certificate request: the profile plus the public key to certify (EC P-256/P-384/P-521,
// RSA >= 2048 bits or Ed25519; anything else is refused).
struct CertificateRequestSpec {
    CertificateProfile profile;
    PublicKey subjectKey;
};

// A key pair made by the CA and the certificate for it (the key is secret material).
struct IssuedIdentity {
    PrivateKey key;
    Certificate certificate;
};

// The outcome of checking a certificate against the CA; `reason` is empty when `ok`.
struct CertificateVerification {
    bool ok = false;
    std::string reason;  // OpenSSL's verify error text, e.g. "certificate has expired"
};

class CertificateAuthority {
public:
    // Opens the CA kept in `directory`, or creates it there on first start (the directory is
    // created 0700 if missing):
    //  - both ca.key and ca.crt present: ca.key must be a regular file owned by this user with no
    //    group/other access (0600 or 0400), ca.crt exactly one certificate with basicConstraints
    //    CA:TRUE, currently valid, whose public key is ca.key's. Anything else throws; nothing is
    //    written.
    //  - neither present: a fresh EC P-256 key and a self-signed certificate (CN = commonName,
    //    CA:TRUE pathlen:0 critical, keyUsage keyCertSign+cRLSign critical, subject/authority key
    //    identifiers, 10-year validity, random 128-bit serial); key written atomically 0600,
    //    then the certificate 0644.
    //  - ca.key present but ca.crt missing (a crash between the two writes): the certificate is
    //    made again for the existing key, after the same checks on the key.
    //  - ca.crt present but ca.key missing: throws (the key cannot be recovered; the operator
    //    restores it or removes ca.crt to start a new CA).
    // `commonName` is used only when the certificate is created. A lock file (ca.lock) keeps two
    // processes from creating the CA at once; throws CryptoError if another process holds it.
    static CertificateAuthority openOrCreate(const std::filesystem::path& directory, const std::string& commonName = "Steward Gateway CA");

    Certificate certificate() const;
    // The CA certificate as PEM: what a device installs as its trust anchor (cred publicdata,
    // IDProv caCert).
    std::string chainPem() const;

    // Signs a certificate for spec.subjectKey: subject CN (and OU), issuer = the CA's subject,
    // random 128-bit positive serial, basicConstraints CA:FALSE critical, keyUsage critical
    // (digitalSignature, plus keyAgreement for EC keys or keyEncipherment for RSA keys),
    // extendedKeyUsage serverAuth and/or clientAuth, subject and authority key identifiers.
    // Throws CryptoError for an invalid profile or an unsupported key. Thread-safe.
    Certificate issue(const CertificateRequestSpec& spec);

    // Generates an EC P-256 key pair and issues a certificate for it. Thread-safe.
    IssuedIdentity issueWithNewKey(const CertificateProfile& profile);

    // Whether `leaf` chains to this CA and is valid now (OpenSSL's X509_verify_cert with the CA
    // certificate as the only trust anchor, checking signature, validity period and extensions).
    // A CA certificate is not accepted as a leaf.
    CertificateVerification verify(const Certificate& leaf) const;
    // The same as a bool; `reason`, when given, receives why not (cleared on success).
    bool verifies(const Certificate& leaf, std::string* reason = nullptr) const;

    CertificateAuthority(CertificateAuthority&&) noexcept;
    CertificateAuthority& operator=(CertificateAuthority&&) noexcept;
    CertificateAuthority(const CertificateAuthority&) = delete;
    CertificateAuthority& operator=(const CertificateAuthority&) = delete;
    ~CertificateAuthority();

private:
    struct State;
    explicit CertificateAuthority(std::unique_ptr<State> state);

    std::unique_ptr<State> state_;
};

}  // namespace steward::core
