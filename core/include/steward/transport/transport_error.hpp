#pragma once
// How a transport call failed, and a small result type (C++20 has no std::expected) so that the
// expected network failures — timeouts, refused handshakes — are values, not exceptions.

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace steward::core {

enum class TransportErrorCode {
    Timeout,            // no answer (or no completed handshake) before the deadline
    ConnectionRefused,  // the peer's host answered "port unreachable" (ICMP)
    HandshakeFailed,    // DTLS handshake refused: wrong key, unknown identity, no common suite
    SessionClosed,      // the DTLS session was closed (by either side) or is unknown
    Reset,              // the peer answered the request with a CoAP Reset
    InvalidArgument,    // bad address, URI, path or PSK name; nothing was sent
    WrongThread,        // a blocking call was made on the endpoint's own I/O thread
    Shutdown,           // the endpoint is being destroyed
    SendFailed,         // the CoAP library could not queue or send the message
};

std::string_view toString(TransportErrorCode code);

struct TransportError {
    TransportErrorCode code = TransportErrorCode::SendFailed;
    std::string message;
};

// Thrown only by TransportResult::value() on an error and by constructors that cannot bind.
class TransportException : public std::runtime_error {
public:
    explicit TransportException(TransportError error)
        : std::runtime_error(std::string(toString(error.code)) + ": " + error.message), error_(std::move(error)) {}
    const TransportError& error() const { return error_; }

private:
    TransportError error_;
};

template <typename T>
class TransportResult {
public:
    TransportResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}               // NOLINT: implicit by design
    TransportResult(TransportError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    // Throws TransportException if this holds an error.
    T& value() & {
        check();
        return std::get<0>(state_);
    }
    const T& value() const& {
        check();
        return std::get<0>(state_);
    }
    T&& value() && {
        check();
        return std::get<0>(std::move(state_));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // Precondition: !ok().
    const TransportError& error() const { return std::get<1>(state_); }

private:
    void check() const {
        if (!ok()) throw TransportException(std::get<1>(state_));
    }
    std::variant<T, TransportError> state_;
};

}  // namespace steward::core
