#pragma once
// Where the CoAP/DTLS library's log goes. Process-wide, because the library's log handler is one
// global: every endpoint in the process shares the sink and the level.
//
// Default: messages at Warning and above go to std::clog prefixed "coap: ".
// Key bytes never reach the log: the library's own debug output (which dumps whole PDUs,
// credential payloads included) is never enabled — LogLevel::Debug shows the library's Info
// messages plus this component's debug lines.
//
// Thread-safe. The sink is called from endpoint I/O threads, possibly several at once for
// different endpoints; it must not call into an endpoint.

#include <functional>
#include <string_view>

namespace steward::core {

enum class TransportLogLevel { Error = 0, Warning = 1, Notice = 2, Info = 3, Debug = 4 };

using TransportLogSink = std::function<void(TransportLogLevel level, std::string_view message)>;

// nullptr restores the std::clog sink.
void setTransportLogSink(TransportLogSink sink);
// Messages less severe than `level` are dropped. Default: Warning.
void setTransportLogLevel(TransportLogLevel level);
TransportLogLevel transportLogLevel();

}  // namespace steward::core
