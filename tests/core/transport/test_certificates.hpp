#pragma once
// Throw-away certificate authorities and EC P-256 certificates for the certificate-session tests,
// made with OpenSSL's C API (independent of core's own CA code, which is not under test here).
// Everything is PEM text; nothing touches the file system. Throws std::runtime_error if OpenSSL
// fails.
#include <chrono>
#include <string>
#include <string_view>

#include "steward/transport/pki.hpp"

namespace steward::test {

// A certificate and its private key, PEM.
struct TestIdentity {
    std::string certificatePem;
    std::string privateKeyPem;
};

struct Validity {
    std::chrono::seconds notBeforeOffset = std::chrono::hours(-1);  // relative to now
    std::chrono::seconds lifetime = std::chrono::hours(24);
};

class TestCa {
public:
    // A self-signed root CA (EC P-256, CN = `name`).
    explicit TestCa(std::string_view name);

    const std::string& certificatePem() const { return identity_.certificatePem; }

    // A leaf certificate (EC P-256, fresh key) for `commonName`, usable as DTLS client and server
    // (extendedKeyUsage serverAuth + clientAuth).
    TestIdentity issue(std::string_view commonName, Validity validity = {}) const;

    // A CA signed by this one (for chains with an intermediate).
    TestCa intermediate(std::string_view name) const;

private:
    TestCa() = default;
    TestIdentity identity_;
};

// `identity` as our credentials, trusting `trustedCaPem`; `chainExtraPem` is appended to the
// certificate (intermediates).
core::PkiCredentials credentialsFor(const TestIdentity& identity, const std::string& trustedCaPem, const std::string& chainExtraPem = {});

}  // namespace steward::test
