#pragma once
// Process-wide libcoap state. libcoap 4.3.1 keeps globals (log handler and level, static string
// buffers, start-up state) and is not thread-safe, so every call into it, from any endpoint's I/O
// thread or constructor, happens with libcoapLock() held. It is recursive because code already
// holding it (a resource handler on an I/O thread) may legitimately call setTransportLogLevel().

#include <mutex>
#include <string_view>

#include "steward/transport/transport_log.hpp"

namespace steward::core::detail {

// Runs coap_startup() and installs the log handler, once per process. Cheap after the first call.
void ensureLibcoapStarted();

// The lock itself: recursive, and it counts how deep the calling thread holds it, so that a
// handler can let go of it entirely while it blocks (runWithoutTransportLock).
class LibcoapMutex {
public:
    void lock();
    bool try_lock();
    void unlock();
    // Releases every level the calling thread holds and returns how many; reacquire() takes
    // them back.
    unsigned releaseAll();
    void reacquire(unsigned levels);

private:
    std::recursive_mutex mutex_;
};

LibcoapMutex& libcoapLock();

// Sets libcoap's own log levels to match (never below LOG_INFO, see libcoap_runtime.cpp).
void applyLibcoapLogLevel(TransportLogLevel level);

// Sends one line to the transport log sink (if `level` passes the configured level).
void transportLog(TransportLogLevel level, std::string_view message);
// Whether a message at `level` would be logged (to skip building it).
bool transportLogEnabled(TransportLogLevel level);

}  // namespace steward::core::detail
