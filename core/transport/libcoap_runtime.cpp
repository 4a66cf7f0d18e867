#include "transport/libcoap_runtime.hpp"

#include "steward/transport/coap_endpoint.hpp"

#include <coap3/coap.h>

#include <functional>
#include <mutex>

namespace steward::core::detail {

namespace {

// Never LOG_DEBUG: libcoap's debug output dumps whole PDUs, and OCF payloads carry credentials.
coap_log_t libcoapLevelFor(TransportLogLevel level) {
    switch (level) {
        case TransportLogLevel::Error:
            return LOG_ERR;
        case TransportLogLevel::Warning:
            return LOG_WARNING;
        case TransportLogLevel::Notice:
            return LOG_NOTICE;
        case TransportLogLevel::Info:
        case TransportLogLevel::Debug:
            return LOG_INFO;
    }
    return LOG_WARNING;
}

TransportLogLevel levelFromLibcoap(coap_log_t level) {
    if (level <= LOG_ERR) return TransportLogLevel::Error;
    if (level == LOG_WARNING) return TransportLogLevel::Warning;
    if (level == LOG_NOTICE) return TransportLogLevel::Notice;
    if (level == LOG_INFO) return TransportLogLevel::Info;
    return TransportLogLevel::Debug;
}

// libcoap calls this with the message already formatted (ending in a newline). It runs on an I/O
// thread with libcoapLock() held; it must not throw.
void libcoapLogHandler(coap_log_t level, const char* message) {
    try {
        std::string_view text = message != nullptr ? std::string_view(message) : std::string_view();
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
        transportLog(levelFromLibcoap(level), text);
    } catch (...) {
        // Nothing may unwind into libcoap; a lost log line is the lesser evil.
    }
}

std::once_flag startOnce;

}  // namespace

void applyLibcoapLogLevel(TransportLogLevel level) {
    const std::lock_guard guard(libcoapLock());
    coap_set_log_level(libcoapLevelFor(level));
    coap_dtls_set_log_level(libcoapLevelFor(level));
}

void ensureLibcoapStarted() {
    std::call_once(startOnce, [] {
        const std::lock_guard guard(libcoapLock());
        coap_startup();
        coap_set_log_handler(libcoapLogHandler);
        coap_set_log_level(libcoapLevelFor(transportLogLevel()));
        coap_dtls_set_log_level(libcoapLevelFor(transportLogLevel()));
    });
}

namespace {
thread_local unsigned tLibcoapDepth = 0;  // one process-wide lock, so one counter per thread
}  // namespace

void LibcoapMutex::lock() {
    mutex_.lock();
    ++tLibcoapDepth;
}

bool LibcoapMutex::try_lock() {
    if (!mutex_.try_lock()) return false;
    ++tLibcoapDepth;
    return true;
}

void LibcoapMutex::unlock() {
    --tLibcoapDepth;
    mutex_.unlock();
}

unsigned LibcoapMutex::releaseAll() {
    const unsigned levels = tLibcoapDepth;
    for (unsigned i = 0; i < levels; ++i) unlock();
    return levels;
}

void LibcoapMutex::reacquire(unsigned levels) {
    for (unsigned i = 0; i < levels; ++i) lock();
}

LibcoapMutex& libcoapLock() {
    static LibcoapMutex lock;
    return lock;
}

}  // namespace steward::core::detail

namespace steward::core {

void runWithoutTransportLock(const std::function<void()>& work) {
    auto& lock = detail::libcoapLock();
    const unsigned levels = lock.releaseAll();
    // Taken back on every path: libcoap's caller up the stack expects it held.
    struct Reacquire {
        detail::LibcoapMutex& lock;
        unsigned levels;
        ~Reacquire() { lock.reacquire(levels); }
    } reacquire{lock, levels};
    work();
}

}  // namespace steward::core
