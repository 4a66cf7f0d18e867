#pragma once
// What an IDProv device keeps: its key (key.pem), its certificate (cert.pem) and the CA that
// issued it (ca.pem), in one directory (0700), each file written atomically with mode 0600.
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

    // The stored credentials, or nullopt if there are none yet. Throws core::CryptoError if the
    // files are there but unreadable, or the key does not match the certificate.
    std::optional<DeviceCredentials> load() const;
    // The CA alone (the client trusts it for every call after the first enrolment).
    std::optional<std::string> loadCaPem() const;
    // Writes key, then CA, then certificate (the certificate last: its presence means "complete").
    void save(const DeviceCredentials& credentials) const;
    // A key pair kept between a Waiting answer and the approval (pending-key.pem, 0600), so the
    // request that is finally approved carries the same key; made on first call.
    core::PrivateKey pendingKey() const;
    void clearPendingKey() const;

private:
    std::filesystem::path directory_;
};

}  // namespace steward::idprov
