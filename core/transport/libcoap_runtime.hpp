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

std::recursive_mutex& libcoapLock();

// Sets libcoap's own log levels to match (never below LOG_INFO, see libcoap_runtime.cpp).
void applyLibcoapLogLevel(TransportLogLevel level);

// Sends one line to the transport log sink (if `level` passes the configured level).
void transportLog(TransportLogLevel level, std::string_view message);
// Whether a message at `level` would be logged (to skip building it).
bool transportLogEnabled(TransportLogLevel level);

}  // namespace steward::core::detail
