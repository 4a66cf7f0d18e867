#pragma once
// The device side of IDProv: fetch the directory, post a provisioning request trusted through an
// out-of-band secret, verify the server's own hash of that secret, store what was issued, and
// renew over mutual TLS with the current certificate before it expires.
//
// Trust: before the first enrolment the client has no CA, so it reads the directory without
// verifying the server and trusts the CA in it only provisionally: the provisioning response must
// carry an oobsHash that verifies against the secret and differs from the one the client sent,
// otherwise the response is rejected and nothing is stored. Once a CA is stored, every call
// verifies the server's certificate chain against it (and that the server's certificate is a
// server certificate: extendedKeyUsage serverAuth).
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "steward/idprov/device_credentials.hpp"
#include "steward/idprov/messages.hpp"
#include "steward/idprov/oob_hash.hpp"

namespace steward::idprov {

struct IdprovClientOptions {
    std::string directoryUrl;  // https://host:port/idprov/directory
    std::string deviceId;
    std::string oobSecret;     // may be empty for a renewal-only client
    OobHashAlgorithm hashAlgorithm = OobHashAlgorithm::Argon2id;
    OobHashCost hashCost;
    std::filesystem::path storeDirectory;
    std::chrono::milliseconds timeout{10000};
    std::string ip;   // reported in the request; "" = the local address of the connection
    std::string mac;  // reported in the request; "" = unknown
};

struct EnrollmentResult {
    ProvisionStatus status = ProvisionStatus::Rejected;
    int retrySec = 0;
    std::string message;     // the server's reason (Rejected/Waiting) or ours
    std::string notAfter;    // ISO-8601 of the stored certificate (Approved)
};

class IdprovClient {
public:
    explicit IdprovClient(IdprovClientOptions options);

    // GET directory. Throws IdprovError (bad body, wrong version) or std::runtime_error (network,
    // TLS verification failure once a CA is stored).
    Directory fetchDirectory();
    // One provisioning request with the OOB hash. Approved: key, CA and certificate stored.
    // Waiting/Rejected: nothing stored but the pending key. Throws as fetchDirectory(), and
    // IdprovError when the server fails the OOB proof ("server not trusted: ...").
    EnrollmentResult enroll();
    // Renewal over mutual TLS with the stored certificate and a fresh key; no OOB.
    EnrollmentResult renew();
    // GET status/{deviceID} (verified against the stored CA).
    StatusResponse status();

    const DeviceCredentialStore& store() const { return store_; }

private:
    IdprovClientOptions options_;
    DeviceCredentialStore store_;
};

}  // namespace steward::idprov
