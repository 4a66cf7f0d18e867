#include "oob_store.hpp"

// Secrets are SecretBytes: wiped wherever a map entry dies, compared in constant time.
namespace steward::plugins::idprov {

void OobStore::put(const std::string& deviceId, OobSecret secret) {
    const std::lock_guard<std::mutex> hold(mutex_);
    secrets_.insert_or_assign(deviceId, std::move(secret));
}

std::optional<OobSecret> OobStore::find(const std::string& deviceId, Clock::time_point now) {
    const std::lock_guard<std::mutex> hold(mutex_);
    auto it = secrets_.find(deviceId);
    if (it == secrets_.end()) return std::nullopt;
    OobSecret found{it->second.secret.clone(), it->second.validUntil};
    if (found.validUntil <= now) secrets_.erase(it);
    return found;
}

bool OobStore::holds(const std::string& deviceId) {
    const std::lock_guard<std::mutex> hold(mutex_);
    return secrets_.contains(deviceId);
}

bool OobStore::take(const std::string& deviceId, const core::SecretBytes& secret) {
    const std::lock_guard<std::mutex> hold(mutex_);
    auto it = secrets_.find(deviceId);
    if (it == secrets_.end() || !it->second.secret.equals(secret)) return false;
    secrets_.erase(it);
    return true;
}

void OobStore::restore(const std::string& deviceId, OobSecret secret) {
    const std::lock_guard<std::mutex> hold(mutex_);
    secrets_.try_emplace(deviceId, std::move(secret));
}

void OobStore::rememberSpent(const std::string& deviceId, SpentSecret spent) {
    const std::lock_guard<std::mutex> hold(mutex_);
    spent_.insert_or_assign(deviceId, std::move(spent));
}

std::optional<SpentSecret> OobStore::spent(const std::string& deviceId, Clock::time_point now) {
    const std::lock_guard<std::mutex> hold(mutex_);
    // Forget every expired one while here, so the map stays small.
    std::erase_if(spent_, [&](const auto& entry) { return entry.second.keepUntil <= now; });
    auto it = spent_.find(deviceId);
    if (it == spent_.end()) return std::nullopt;
    return SpentSecret{it->second.secret.clone(), it->second.publicKeyPem, it->second.keepUntil};
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
