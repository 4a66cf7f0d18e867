#pragma once
// The device side of IDProv: fetch the directory, post a provisioning request trusted through an
// out-of-band secret, verify the server's own hash of that secret, store what was issued, and
// renew over mutual TLS with the current certificate before it expires.
//
// Trust: before the first enrolment the client has no CA, so it reads the directory without
// verifying the server and trusts the CA in it only provisionally: the provisioning request is
// already sent over TLS verified against that CA, and the response must carry an oobsHash that
// verifies against the secret and differs from the one the client sent, otherwise the response
// is rejected and nothing is stored. Once a CA is stored, every call (directory included)
// verifies the server against it alone (no system CAs). A verified server certificate must chain
// to the CA and carry extendedKeyUsage serverAuth (devices' certificates are clientAuth only);
// its host name is not checked (the server is often reached by an address from DNS-SD).
//
// Transport: one HTTPS connection per call (Poco NetSSL, a TLS >= 1.2 context made per call, so
// Poco's SSLManager and its interactive certificate handlers are never involved), with
// options.timeout on connecting and on each read and write. Answers larger than kMaxBodyBytes
// are refused.
//
// Threading: an IdprovClient is not thread-safe; separate clients may run in parallel (two
// clients enrolling into the same store directory at once are not coordinated).
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "steward/idprov/device_credentials.hpp"
#include "steward/idprov/messages.hpp"
#include "steward/idprov/oob_hash.hpp"

namespace steward::idprov {

struct IdprovClientOptions {
    std::string directoryUrl;  // https://host:port/idprov/directory
    std::string deviceId;
    std::string oobSecret;  // may be empty for a renewal-only client
    OobHashAlgorithm hashAlgorithm = OobHashAlgorithm::Argon2id;
    // Used only when the directory does not advertise the cost it accepts (oobsHashParams, see
    // oob_hash_policy.hpp): a server that does gets exactly its own parameters.
    OobHashCost hashCost;
    std::filesystem::path storeDirectory;
    std::chrono::milliseconds timeout{10000};
    std::string ip;   // reported in the request; "" = the local address towards the server
    std::string mac;  // reported in the request; "" = that of the interface carrying `ip`, if found
    // Once the CA is known, the server's certificate must also carry this OU: the gateway CA
    // certifies OCF devices as TLS servers too, and one of them must not pass for the
    // provisioning server. Steward's server has "idprov"; "" accepts any serverAuth certificate
    // of the CA (another IDProv implementation).
    std::string serverOrganizationalUnit = "idprov";
};

struct EnrollmentResult {
    ProvisionStatus status = ProvisionStatus::Rejected;
    int retrySec = 0;      // Waiting: retry after; Approved: recommended renewal interval
    std::string message;   // the server's reason (Rejected/Waiting): its "message", or the
                           // "error" of an HTTP error answer
    std::string notAfter;  // ISO-8601 UTC of the stored certificate (Approved)
};

class IdprovClient {
public:
    // Does no I/O. Throws IdprovError if options.deviceId is not a valid deviceID.
    explicit IdprovClient(IdprovClientOptions options);

    // GET directory (verified against the stored CA if there is one). Throws IdprovError (bad
    // URL, bad body, wrong version) or std::runtime_error (network, HTTP error status, TLS
    // verification failure: "... server certificate refused: <why>").
    Directory fetchDirectory();
    // One provisioning request with the OOB hash (options.hashAlgorithm, which the directory must
    // offer, else IdprovError; at the cost the directory advertises, else options.hashCost; a
    // malformed or out-of-limits advertised cost throws IdprovError) and the store's pending key.
    // Approved: the server's oobsHash, its CA (the one the request was verified against) and the
    // issued certificate (our key, CN = deviceID, TLS client use, chains to the CA) are checked,
    // then key, CA and certificate are stored and the pending key removed. Waiting/Rejected
    // (including an HTTP 4xx/5xx whose JSON body says why; a 429 or 503 answer with a retrySec,
    // the server busy or this address over a limit, is reported as Waiting with that retrySec):
    // returned; nothing stored but the pending key. Throws as fetchDirectory(), IdprovError for an
    // empty secret or a malformed answer, and IdprovError("server not trusted: ...") when the
    // server fails the OOB proof or issues an unusable certificate; std::runtime_error for an
    // error answer that is not JSON.
    EnrollmentResult enroll();
    // Renewal over mutual TLS with the stored certificate and a fresh EC P-256 key; no OOB. On
    // Approved the new certificate must chain to the stored CA and be for the new key; then the
    // new key and certificate replace the old ones (the stored CA stays). Throws IdprovError if
    // nothing is stored, otherwise as enroll(). The directory this client read last (enroll(),
    // an earlier renew()) is used again, so a renewal is a single mutual-TLS exchange.
    EnrollmentResult renew();
    // GET status/{deviceID}, verified against the stored CA (or, before enrolment, the directory's
    // CA), showing the stored certificate if there is one. Stores nothing. Throws as
    // fetchDirectory(), and IdprovError if the answer is for another deviceID.
    StatusResponse status();

    const DeviceCredentialStore& store() const { return store_; }

private:
    IdprovClientOptions options_;
    DeviceCredentialStore store_;
    std::optional<Directory> directory_;  // the last one read, reused by renew()
};

}  // namespace steward::idprov
