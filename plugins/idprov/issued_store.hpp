#pragma once
// The certificates the server has issued, the latest per deviceID, kept as
// <stateDirectory>/issued/<deviceID>.pem (written atomically) so the status endpoint and the
// "deviceID already provisioned" rule survive a restart. A deviceID is a safe file name
// (messages.hpp's deviceIdProblem is checked before anything reaches here).
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "steward/crypto/x509.hpp"

namespace steward::plugins::idprov {

class IssuedStore {
public:
    explicit IssuedStore(std::filesystem::path directory);

    void record(const std::string& deviceId, const core::Certificate& certificate);
    std::optional<core::Certificate> latest(const std::string& deviceId) const;
    std::size_t count() const;

private:
    std::filesystem::path directory_;
    mutable std::mutex mutex_;
};

}  // namespace steward::plugins::idprov
