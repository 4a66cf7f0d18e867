#pragma once
// CoAP-over-UDP messages as bytes (RFC 7252 section 3), without the CoAP library: multicast
// discovery and a device's plain listener read and write datagrams themselves, because libcoap
// 4.3.1 can neither send one request to several interfaces nor collect many answers to it.
//
// Everything here is a pure function of its arguments: no threads, no I/O, no global state.
// The decoders take untrusted bytes: they never read outside the span and throw CoapWireError
// naming what is wrong. Block-wise transfer is not done here: Block1/Block2/Size1/Size2 options
// are kept like any other option (in CoapRequest/CoapResponse::otherOptions).

#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "steward/transport/coap_message.hpp"

namespace steward::core {

enum class CoapMessageType : std::uint8_t { Confirmable = 0, NonConfirmable = 1, Acknowledgement = 2, Reset = 3 };

inline constexpr std::size_t kMaxCoapTokenLength = 8;
// The largest option value the 14-form length (269 + 0xFFFF) can express.
inline constexpr std::size_t kMaxCoapOptionLength = 65804;

struct CoapWireMessage {
    CoapMessageType type = CoapMessageType::Confirmable;
    std::uint8_t code = 0;  // raw code byte (class << 5 | detail); 0 = empty message
    std::uint16_t messageId = 0;
    std::vector<std::uint8_t> token;  // 0..8 bytes
    std::vector<CoapOption> options;  // in wire order (ascending number; repeated numbers kept in order)
    std::vector<std::uint8_t> payload;

    friend bool operator==(const CoapWireMessage&, const CoapWireMessage&) = default;
};

// Every refusal of the functions below; what() says why ("CoAP: token length 9 is reserved").
class CoapWireError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The datagram for `m`. Options are sorted stably by number first, so repeated options keep
// their order. Throws CoapWireError for a token longer than 8 bytes, an option value longer than
// 65804 bytes, or an empty message (code 0) carrying a token, options or a payload.
std::vector<std::uint8_t> encodeCoapMessage(const CoapWireMessage& m);

// Parses one datagram. Throws CoapWireError if it is shorter than the 4-byte header, the version
// is not 1, the token length is 9-15 or runs past the end, an option uses the reserved nibble 15
// (other than the 0xFF payload marker), an option or its extended delta/length runs past the
// end, an option number exceeds 65535, the payload marker is followed by nothing, or an empty
// message (code 0) is followed by anything. The code and type are not checked against each
// other; the conversions below do that.
CoapWireMessage decodeCoapMessage(std::span<const std::uint8_t> datagram);

// Option semantics are those of the libcoap transport (core/transport/pdu_codec.cpp): Uri-Path
// (11) one per segment, Uri-Query (15), Content-Format (12), Accept (17), 2053 and 2049 map to
// the typed fields; every other option goes to otherOptions in wire order.

// The request in `m`, as a server handler sees it: every field reflects the wire (an absent
// Accept or OCF version option is nullopt; no path is "/"). Path and query bytes are kept as
// given (not checked for UTF-8). Throws CoapWireError unless the code is GET/POST/PUT/DELETE
// and the type CON or NON, if a typed option appears twice, or if its value is not an unsigned
// integer of at most 2 bytes.
CoapRequest requestFromWire(const CoapWireMessage& m);

// `r` on the wire: CON if r.confirmable, else NON. Content-Format defaults to 10000 when there is
// a payload; 2049 is sent only together with Accept; unset optionals are not sent. Throws
// CoapWireError if r.otherOptions holds one of the typed option numbers above (set the field).
// The token is checked when the message is encoded.
CoapWireMessage requestToWire(const CoapRequest& r, std::uint16_t messageId, std::vector<std::uint8_t> token);

// The response in `m`, as a client sees it (fields reflect the wire; Uri-Path, Uri-Query, Accept
// and 2049 are ignored, as the libcoap transport does). Throws CoapWireError unless the code
// class is 2, 4 or 5, if the message is a Reset, or on a repeated or malformed typed option.
CoapResponse responseFromWire(const CoapWireMessage& m);

// `r` on the wire with the given type (ACK for a piggybacked answer, NON to a multicast request).
// With a payload, Content-Format defaults to 10000 and 2053 to 2048, as OCF devices answer.
// Throws CoapWireError as requestToWire does.
CoapWireMessage responseToWire(const CoapResponse& r, CoapMessageType type, std::uint16_t messageId, std::vector<std::uint8_t> token);

}  // namespace steward::core
