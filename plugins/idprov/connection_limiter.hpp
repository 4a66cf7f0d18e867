#pragma once
// How many connections the IDProv server holds open (queued or being served), per client address
// and in all. A slow client ties up a handler until its deadline (connection_deadlines.hpp); the
// per-address cap keeps one host from holding many, the total cap keeps the accept queue (sized
// to it) from overflowing. Thread-safe: admit() runs in the acceptor thread, release() in a
// handler thread.
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace steward::plugins::idprov {

class ConnectionLimiter {
public:
    ConnectionLimiter(unsigned perAddress, unsigned total) : perAddress_(perAddress), total_(total) {}

    // Counts a new connection from `host`, known by `key` (its socket object) until release(),
    // and says true; or says false (and counts nothing) when `host` or the server is at its cap.
    bool admit(const void* key, const std::string& host);
    // The connection admit() counted has ended (a key not admitted is ignored).
    void release(const void* key);

    std::size_t open() const;
    std::size_t refused() const;

private:
    unsigned perAddress_;
    unsigned total_;
    mutable std::mutex mutex_;
    std::map<std::string, unsigned> perHost_;
    std::map<const void*, std::string> hostOfKey_;
    std::size_t open_ = 0;
    std::size_t refused_ = 0;
};

}  // namespace steward::plugins::idprov
