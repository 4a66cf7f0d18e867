#include "steward/transport/transport_log.hpp"

#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include "transport/libcoap_runtime.hpp"

namespace steward::core {

namespace {

std::atomic<TransportLogLevel> currentLevel{TransportLogLevel::Warning};

std::mutex& sinkLock() {
    static std::mutex lock;
    return lock;
}

// Shared so that a sink being replaced stays alive while another thread is still calling it.
std::shared_ptr<const TransportLogSink>& sinkSlot() {
    static std::shared_ptr<const TransportLogSink> sink;
    return sink;
}

std::string_view levelName(TransportLogLevel level) {
    switch (level) {
        case TransportLogLevel::Error:
            return "error";
        case TransportLogLevel::Warning:
            return "warning";
        case TransportLogLevel::Notice:
            return "notice";
        case TransportLogLevel::Info:
            return "info";
        case TransportLogLevel::Debug:
            return "debug";
    }
    return "?";
}

}  // namespace

void setTransportLogSink(TransportLogSink sink) {
    std::shared_ptr<const TransportLogSink> replacement;
    if (sink) replacement = std::make_shared<const TransportLogSink>(std::move(sink));
    const std::lock_guard guard(sinkLock());
    sinkSlot() = std::move(replacement);
}

void setTransportLogLevel(TransportLogLevel level) {
    currentLevel.store(level);
    detail::applyLibcoapLogLevel(level);
}

TransportLogLevel transportLogLevel() { return currentLevel.load(); }

namespace detail {

bool transportLogEnabled(TransportLogLevel level) { return static_cast<int>(level) <= static_cast<int>(currentLevel.load()); }

void transportLog(TransportLogLevel level, std::string_view message) {
    if (!transportLogEnabled(level)) return;
    std::shared_ptr<const TransportLogSink> sink;
    {
        const std::lock_guard guard(sinkLock());
        sink = sinkSlot();
    }
    try {
        if (sink) {
            (*sink)(level, message);
        } else {
            // One write per line, so that lines from several I/O threads do not interleave.
            std::string line = "coap: ";
            line += levelName(level);
            line += ": ";
            line += message;
            line += '\n';
            std::clog << line << std::flush;
        }
    } catch (...) {
        // A failing sink must not take the I/O thread down.
    }
}

}  // namespace detail

}  // namespace steward::core
