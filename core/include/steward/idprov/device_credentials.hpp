#pragma once
// What an IDProv device keeps: its key (key.pem), its certificate (cert.pem) and the CA that
// issued it (ca.pem), in one directory, each file written atomically (core::writeFileAtomically)
// with mode 0600. The directory is created 0700 when missing (an existing one is left as it is).
//
// Failure: every call throws core::CryptoError naming the file and the problem (a FileError from
// the file layer is converted); never key bytes. Threading: one store object may be used from
// several threads, but two processes saving into the same directory at once are not coordinated.
#include <filesystem>
#include <optional>
#include <string>

#include "steward/crypto/x509.hpp"

namespace steward::idprov {

struct DeviceCredentials {
    core::PrivateKey key;
    core::Certificate certificate;
    std::string caPem;
};

class DeviceCredentialStore {
public:
    explicit DeviceCredentialStore(std::filesystem::path directory);

    const std::filesystem::path& directory() const { return directory_; }
    std::filesystem::path keyFile() const { return directory_ / "key.pem"; }
    std::filesystem::path certificateFile() const { return directory_ / "cert.pem"; }
    std::filesystem::path caFile() const { return directory_ / "ca.pem"; }
    std::filesystem::path pendingKeyFile() const { return directory_ / "pending-key.pem"; }

    // The stored credentials, or nullopt if there are none yet (no cert.pem). Throws
    // core::CryptoError if cert.pem is there but it, key.pem or ca.pem is missing or unreadable,
    // or the key does not match the certificate.
    std::optional<DeviceCredentials> load() const;
    // The CA alone (the client trusts it for every call after the first enrolment); nullopt if
    // there is no ca.pem. Not checked beyond being readable.
    std::optional<std::string> loadCaPem() const;
    // Checks that the key matches the certificate and that caPem holds certificates, then replaces
    // the set as one commit: staged as *.next files (synced), then renamed key first, certificate
    // last. A crash at any point leaves the old set or the new one, never a key beside a
    // certificate it does not belong to, and never nothing (load() finishes or drops an
    // interrupted commit).
    void save(const DeviceCredentials& credentials) const;
    // A key pair kept between a Waiting answer and the approval (pending-key.pem, 0600), so the
    // request that is finally approved carries the same key; made (EC P-256) on first call and
    // read back by every later call, in this process or another.
    core::PrivateKey pendingKey() const;
    // Removes pending-key.pem; nothing happens if there is none.
    void clearPendingKey() const;

private:
    void recover() const;

    std::filesystem::path directory_;
};

}  // namespace steward::idprov
