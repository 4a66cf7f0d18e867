#pragma once
// Certificate credentials for DTLS 1.2 sessions authenticated with X.509 certificates (OCF's
// certificate-based sessions, ECDHE-ECDSA suites). OCF identifies a certificate peer by the UUID
// in its certificate's subject CN ("uuid:<36-char uuid>"), not by its address, so no host name or
// CN is matched against the address: a peer is accepted when its chain verifies against the
// trusted CAs (signatures, validity period, CA flags), and the caller decides from
// PeerInfo::peerCertificateCn who it is.
//
// Ownership: a plain value; the endpoint copies what it needs (the strings, and OpenSSL objects
// parsed from them) when a call takes it, so the caller's object may change or die afterwards.
// The destructor wipes the private key text from memory (copies the caller made are the caller's).
//
// Failure: credentials are parsed when an endpoint is given them, before anything is sent. An
// unparsable certificate or key, a key that does not belong to the first certificate, or no
// trusted CA is refused (InvalidArgument, or false from CoapEndpoint::setServerPki) with the
// reason; the message never contains key bytes.

#include <string>
#include <utility>

namespace steward::core {

struct PkiCredentials {
    // Our certificate chain, PEM "CERTIFICATE" blocks, our own certificate first, then any
    // intermediate CAs to send with it (the root need not be included). Empty, together with
    // privateKeyPem, only for a client that authenticates the server without presenting a
    // certificate (a server that requires client certificates then refuses it).
    std::string certificateChainPem;
    // The private key of the first certificate, PEM (PKCS#8 "PRIVATE KEY" or "EC PRIVATE KEY"),
    // unencrypted. OCF uses EC P-256.
    std::string privateKeyPem;
    // The CAs a peer's chain must lead to: one or more PEM "CERTIFICATE" blocks. Only these are
    // trusted for the session or listener they are given to (never the system's CA store, nor
    // CAs given for other sessions of the same endpoint).
    std::string trustedCaPem;

    PkiCredentials() = default;
    PkiCredentials(std::string chainPem, std::string keyPem, std::string caPem)
        : certificateChainPem(std::move(chainPem)), privateKeyPem(std::move(keyPem)), trustedCaPem(std::move(caPem)) {}
    PkiCredentials(const PkiCredentials&) = default;
    PkiCredentials(PkiCredentials&&) noexcept = default;
    PkiCredentials& operator=(const PkiCredentials&) = default;
    PkiCredentials& operator=(PkiCredentials&&) noexcept = default;
    ~PkiCredentials();
};

}  // namespace steward::core
