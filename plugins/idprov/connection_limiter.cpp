#include "connection_limiter.hpp"

namespace steward::plugins::idprov {

bool ConnectionLimiter::admit(const void* key, const std::string& host) {
    const std::lock_guard<std::mutex> hold(mutex_);
    auto it = perHost_.find(host);
    const unsigned mine = it == perHost_.end() ? 0 : it->second;
    if (mine >= perAddress_ || open_ >= total_) {
        ++refused_;
        return false;
    }
    if (!hostOfKey_.try_emplace(key, host).second) return true;  // counted already
    ++perHost_[host];
    ++open_;
    return true;
}

void ConnectionLimiter::release(const void* key) {
    const std::lock_guard<std::mutex> hold(mutex_);
    const auto known = hostOfKey_.find(key);
    if (known == hostOfKey_.end()) return;
    auto it = perHost_.find(known->second);
    hostOfKey_.erase(known);
    if (it == perHost_.end()) return;
    if (--it->second == 0) perHost_.erase(it);  // the map holds only hosts with open connections
    --open_;
}

std::size_t ConnectionLimiter::open() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return open_;
}

std::size_t ConnectionLimiter::refused() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return refused_;
}

}  // namespace steward::plugins::idprov
