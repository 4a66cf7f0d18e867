#pragma once
// One deadline per IDProv connection for everything the client must send: TLS handshake, request
// line, headers and body, all within `requestDeadline` of the handler taking the connection, at
// whatever pace the bytes come. Poco's own timeout is per read, so a client sending a byte every
// few seconds held a handler forever (issue 20). A watchdog thread shuts down (shutdown(2)) the
// socket of a connection past its deadline; the handler's blocked read then returns and the
// handler is free. A handler disarms its connection once the request is read (what follows is
// the server's own work, bounded elsewhere). Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace steward::plugins::idprov {

class ConnectionDeadlines {
public:
    using Clock = std::chrono::steady_clock;
    // `onExpired` is called (from the watchdog thread, without locks held) with the peer of each
    // connection cut.
    ConnectionDeadlines(std::chrono::milliseconds deadline, std::function<void(const std::string& peer)> onExpired);
    ~ConnectionDeadlines();
    ConnectionDeadlines(const ConnectionDeadlines&) = delete;
    ConnectionDeadlines& operator=(const ConnectionDeadlines&) = delete;

    // `key` identifies the connection (its socket object) until disarm(); `fd` is shut down at
    // the deadline. disarm() must come before the socket is closed.
    void arm(const void* key, int fd, const std::string& peer);
    void disarm(const void* key);
    // Shuts down every armed connection now, and any armed later at once (server stopping).
    void expireAll();

    std::uint64_t expired() const;

private:
    struct Armed {
        int fd;
        Clock::time_point deadline;
        std::string peer;
    };
    void watch();

    std::chrono::milliseconds deadline_;
    std::function<void(const std::string&)> onExpired_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<const void*, Armed> armed_;
    std::uint64_t expired_ = 0;
    bool stopping_ = false;
    bool expiring_ = false;  // expireAll() was called
    std::thread watchdog_;
};

}  // namespace steward::plugins::idprov
