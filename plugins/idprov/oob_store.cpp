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

void OobStore::restore(const std::string& deviceId, OobSecret secret) {
    const std::lock_guard<std::mutex> hold(mutex_);
    secrets_.try_emplace(deviceId, std::move(secret));
}

bool OobStore::recordFailure(const std::string& deviceId, const std::string& secret, int limit) {
    const std::lock_guard<std::mutex> hold(mutex_);
    auto it = secrets_.find(deviceId);
    if (it == secrets_.end() || it->second.secret != secret) return false;
    if (++it->second.failures < limit) return false;
    OPENSSL_cleanse(it->second.secret.data(), it->second.secret.size());
    secrets_.erase(it);
    return true;
}

void OobStore::rememberSpent(const std::string& deviceId, SpentSecret spent) {
    const std::lock_guard<std::mutex> hold(mutex_);
    auto it = spent_.find(deviceId);
    if (it != spent_.end()) OPENSSL_cleanse(it->second.secret.data(), it->second.secret.size());
    spent_[deviceId] = std::move(spent);
}

std::optional<SpentSecret> OobStore::spent(const std::string& deviceId, Clock::time_point now) {
    const std::lock_guard<std::mutex> hold(mutex_);
    // Forget every expired one while here, so the map stays small.
    for (auto it = spent_.begin(); it != spent_.end();) {
        if (it->second.keepUntil <= now) {
            OPENSSL_cleanse(it->second.secret.data(), it->second.secret.size());
            it = spent_.erase(it);
        } else {
            ++it;
        }
    }
    auto it = spent_.find(deviceId);
    if (it == spent_.end()) return std::nullopt;
    return it->second;
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
