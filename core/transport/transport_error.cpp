#include "steward/transport/transport_error.hpp"

namespace steward::core {

std::string_view toString(TransportErrorCode code) {
    switch (code) {
        case TransportErrorCode::Timeout:
            return "timeout";
        case TransportErrorCode::ConnectionRefused:
            return "connection refused";
        case TransportErrorCode::HandshakeFailed:
            return "DTLS handshake failed";
        case TransportErrorCode::SessionClosed:
            return "session closed";
        case TransportErrorCode::Reset:
            return "reset by peer";
        case TransportErrorCode::InvalidArgument:
            return "invalid argument";
        case TransportErrorCode::WrongThread:
            return "called on the endpoint's I/O thread";
        case TransportErrorCode::Shutdown:
            return "endpoint shutting down";
        case TransportErrorCode::SendFailed:
            return "send failed";
    }
    return "?";
}

}  // namespace steward::core
