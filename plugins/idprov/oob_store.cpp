#include "oob_store.hpp"

#include <openssl/crypto.h>

namespace steward::plugins::idprov {

void OobStore::put(const std::string& deviceId, OobSecret secret) {
    const std::lock_guard<std::mutex> hold(mutex_);
    auto it = secrets_.find(deviceId);
    if (it != secrets_.end()) OPENSSL_cleanse(it->second.secret.data(), it->second.secret.size());
    secrets_[deviceId] = std::move(secret);
}

std::optional<OobSecret> OobStore::find(const std::string& deviceId, Clock::time_point now) {
    const std::lock_guard<std::mutex> hold(mutex_);
    auto it = secrets_.find(deviceId);
    if (it == secrets_.end()) return std::nullopt;
    OobSecret found = it->second;
    if (found.validUntil <= now) {
        OPENSSL_cleanse(it->second.secret.data(), it->second.secret.size());
        secrets_.erase(it);
    }
    return found;
}

bool OobStore::take(const std::string& deviceId, const std::string& secret) {
    const std::lock_guard<std::mutex> hold(mutex_);
    auto it = secrets_.find(deviceId);
    if (it == secrets_.end() || it->second.secret != secret) return false;
    OPENSSL_cleanse(it->second.secret.data(), it->second.secret.size());
    secrets_.erase(it);
    return true;
}

std::size_t OobStore::size(Clock::time_point now) {
    const std::lock_guard<std::mutex> hold(mutex_);
    std::size_t live = 0;
    for (const auto& [id, s] : secrets_) {
        if (s.validUntil > now) ++live;
    }
    return live;
}

}  // namespace steward::plugins::idprov
