#include "connection_deadlines.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <vector>

namespace steward::plugins::idprov {

ConnectionDeadlines::ConnectionDeadlines(std::chrono::milliseconds deadline, std::function<void(const std::string&)> onExpired)
    : deadline_(deadline), onExpired_(std::move(onExpired)), watchdog_([this] { watch(); }) {}

ConnectionDeadlines::~ConnectionDeadlines() {
    {
        const std::lock_guard<std::mutex> hold(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    watchdog_.join();
}

void ConnectionDeadlines::arm(const void* key, int fd, const std::string& peer) {
    {
        const std::lock_guard<std::mutex> hold(mutex_);
        if (expiring_) {
            ::shutdown(fd, SHUT_RDWR);
            return;
        }
        armed_.insert_or_assign(key, Armed{fd, Clock::now() + deadline_, peer});
    }
    changed_.notify_all();
}

void ConnectionDeadlines::disarm(const void* key) {
    const std::lock_guard<std::mutex> hold(mutex_);
    armed_.erase(key);
}

void ConnectionDeadlines::expireAll() {
    const std::lock_guard<std::mutex> hold(mutex_);
    expiring_ = true;
    for (const auto& [key, a] : armed_) ::shutdown(a.fd, SHUT_RDWR);
    armed_.clear();
}

std::uint64_t ConnectionDeadlines::expired() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return expired_;
}

void ConnectionDeadlines::watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        const auto now = Clock::now();
        auto next = now + std::chrono::seconds(1);
        std::vector<std::string> cut;
        for (auto it = armed_.begin(); it != armed_.end();) {
            if (it->second.deadline <= now) {
                // Under the lock: the handler cannot close the fd (it disarms first) meanwhile.
                ::shutdown(it->second.fd, SHUT_RDWR);
                cut.push_back(std::move(it->second.peer));
                it = armed_.erase(it);
                ++expired_;
            } else {
                next = std::min(next, it->second.deadline);
                ++it;
            }
        }
        if (!cut.empty() && onExpired_) {
            lock.unlock();
            for (const auto& peer : cut) onExpired_(peer);
            lock.lock();
            continue;
        }
        changed_.wait_until(lock, next);
    }
}

}  // namespace steward::plugins::idprov
