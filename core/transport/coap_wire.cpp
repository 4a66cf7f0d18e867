#include "steward/transport/coap_wire.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace steward::core {

namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kPayloadMarker = 0xFF;
constexpr std::uint16_t kOptionUriPath = 11;
constexpr std::uint16_t kOptionContentFormat = 12;
constexpr std::uint16_t kOptionUriQuery = 15;
constexpr std::uint16_t kOptionAccept = 17;

[[noreturn]] void fail(const std::string& why) { throw CoapWireError("CoAP: " + why); }

// The 4-bit form of an option delta or length; 13 and 14 announce 1 or 2 extended bytes.
std::uint8_t nibbleOf(std::size_t value) {
    if (value < 13) return static_cast<std::uint8_t>(value);
    return value < 269 ? 13 : 14;
}

void appendExtended(std::vector<std::uint8_t>& out, std::size_t value) {
    if (value < 13) return;
    if (value < 269) {
        out.push_back(static_cast<std::uint8_t>(value - 13));
        return;
    }
    const std::size_t rest = value - 269;  // callers keep this within 16 bits
    out.push_back(static_cast<std::uint8_t>(rest >> 8));
    out.push_back(static_cast<std::uint8_t>(rest & 0xFFU));
}

// Reads a datagram from `start` on; every access that could leave it is checked.
class Cursor {
public:
    Cursor(std::span<const std::uint8_t> bytes, std::size_t start) : bytes_(bytes), pos_(start) {}

    std::size_t remaining() const { return bytes_.size() - pos_; }
    bool atEnd() const { return pos_ == bytes_.size(); }
    std::uint8_t peek() const { return bytes_[pos_]; }  // precondition: !atEnd()
    std::uint8_t next() { return bytes_[pos_++]; }      // precondition: !atEnd()
    std::size_t position() const { return pos_; }

    std::vector<std::uint8_t> take(std::size_t count, const char* what) {
        if (count > remaining()) {
            fail(std::string(what) + " runs past the end of the datagram (" + std::to_string(count) + " bytes at offset " +
                 std::to_string(pos_) + ", " + std::to_string(remaining()) + " left)");
        }
        const auto begin = bytes_.begin() + static_cast<std::ptrdiff_t>(pos_);
        pos_ += count;
        return std::vector<std::uint8_t>(begin, begin + static_cast<std::ptrdiff_t>(count));
    }

    // The value a delta or length nibble stands for, consuming its extended bytes.
    std::size_t extended(std::uint8_t nibble, const char* what) {
        if (nibble < 13) return nibble;
        if (nibble == 13) {
            if (remaining() < 1) fail(std::string("the extended option ") + what + " runs past the end of the datagram");
            return 13U + next();
        }
        // 14; 15 was refused by the caller.
        if (remaining() < 2) fail(std::string("the extended option ") + what + " runs past the end of the datagram");
        const std::size_t high = next();
        const std::size_t low = next();
        return 269U + ((high << 8) | low);
    }

private:
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_;
};

std::string describeNumber(std::uint16_t number) {
    switch (number) {
        case kOptionUriPath:
            return "Uri-Path";
        case kOptionUriQuery:
            return "Uri-Query";
        case kOptionContentFormat:
            return "Content-Format";
        case kOptionAccept:
            return "Accept";
        case kOptionOcfContentFormatVersion:
            return "OCF-Content-Format-Version (2053)";
        case kOptionOcfAcceptContentFormatVersion:
            return "OCF-Accept-Content-Format-Version (2049)";
        default:
            return "option " + std::to_string(number);
    }
}

// Sets a typed 16-bit option once; a second occurrence or a wider value is refused rather than
// guessed at (for the critical ones RFC 7252 section 5.4.5 requires refusing the message).
void setUint16(std::optional<std::uint16_t>& field, const CoapOption& option) {
    const std::string name = describeNumber(option.number);
    if (field) fail(name + " appears more than once");
    const auto value = decodeUintOption(option.value);
    if (!value || *value > 0xFFFFU) {
        fail(name + " is not a 16-bit unsigned integer (" + std::to_string(option.value.size()) + " bytes)");
    }
    field = static_cast<std::uint16_t>(*value);
}

bool isTypedOption(std::uint16_t number) {
    return number == kOptionUriPath || number == kOptionUriQuery || number == kOptionContentFormat || number == kOptionAccept ||
           number == kOptionOcfContentFormatVersion || number == kOptionOcfAcceptContentFormatVersion;
}

void addUint(std::vector<CoapOption>& options, std::uint16_t number, std::uint16_t value) {
    options.push_back(CoapOption{number, encodeUintOption(value)});
}

void appendOthers(std::vector<CoapOption>& options, const std::vector<CoapOption>& others) {
    for (const auto& option : others) {
        if (isTypedOption(option.number)) {
            fail(describeNumber(option.number) + " belongs in its typed field, not in otherOptions");
        }
        options.push_back(option);
    }
}

std::string hexByte(std::uint8_t byte) {
    static constexpr char kHex[] = "0123456789abcdef";
    return {kHex[byte >> 4], kHex[byte & 0x0FU]};
}

std::vector<std::uint8_t> textBytes(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace

std::vector<std::uint8_t> encodeCoapMessage(const CoapWireMessage& m) {
    if (m.token.size() > kMaxCoapTokenLength) {
        fail("a token is at most 8 bytes, not " + std::to_string(m.token.size()));
    }
    if (m.code == 0 && (!m.token.empty() || !m.options.empty() || !m.payload.empty())) {
        fail("an empty message (code 0.00) carries no token, options or payload");
    }
    std::vector<const CoapOption*> sorted;
    sorted.reserve(m.options.size());
    for (const auto& option : m.options) sorted.push_back(&option);
    std::stable_sort(sorted.begin(), sorted.end(), [](const CoapOption* a, const CoapOption* b) { return a->number < b->number; });

    std::vector<std::uint8_t> out;
    out.reserve(4 + m.token.size() + m.payload.size() + 1 + m.options.size() * 4);
    out.push_back(static_cast<std::uint8_t>((kVersion << 6) | ((static_cast<unsigned>(m.type) & 0x03U) << 4) | m.token.size()));
    out.push_back(m.code);
    out.push_back(static_cast<std::uint8_t>(m.messageId >> 8));
    out.push_back(static_cast<std::uint8_t>(m.messageId & 0xFFU));
    out.insert(out.end(), m.token.begin(), m.token.end());

    std::uint16_t previous = 0;
    for (const CoapOption* option : sorted) {
        const std::size_t length = option->value.size();
        if (length > kMaxCoapOptionLength) {
            fail(describeNumber(option->number) + " value is " + std::to_string(length) + " bytes; at most " +
                 std::to_string(kMaxCoapOptionLength) + " fit");
        }
        const std::size_t delta = static_cast<std::size_t>(option->number - previous);  // sorted: never negative
        out.push_back(static_cast<std::uint8_t>((nibbleOf(delta) << 4) | nibbleOf(length)));
        appendExtended(out, delta);
        appendExtended(out, length);
        out.insert(out.end(), option->value.begin(), option->value.end());
        previous = option->number;
    }
    if (!m.payload.empty()) {
        out.push_back(kPayloadMarker);
        out.insert(out.end(), m.payload.begin(), m.payload.end());
    }
    return out;
}

CoapWireMessage decodeCoapMessage(std::span<const std::uint8_t> datagram) {
    if (datagram.size() < 4) {
        fail("datagram too short: " + std::to_string(datagram.size()) + " bytes, the header alone is 4");
    }
    const std::uint8_t first = datagram[0];
    if ((first >> 6) != kVersion) fail("version " + std::to_string(first >> 6) + " is not 1");
    CoapWireMessage m;
    m.type = static_cast<CoapMessageType>((first >> 4) & 0x03U);
    const std::size_t tokenLength = first & 0x0FU;
    if (tokenLength > kMaxCoapTokenLength) fail("token length " + std::to_string(tokenLength) + " is reserved");
    m.code = datagram[1];
    m.messageId = static_cast<std::uint16_t>((datagram[2] << 8) | datagram[3]);
    if (m.code == 0 && (tokenLength != 0 || datagram.size() > 4)) {
        // RFC 7252 section 4.1: an empty message is exactly the 4-byte header.
        fail("an empty message (code 0.00) must be exactly 4 bytes with no token");
    }

    Cursor in(datagram, 4);
    m.token = in.take(tokenLength, "the token");
    std::size_t number = 0;
    while (!in.atEnd() && in.peek() != kPayloadMarker) {
        const std::size_t offset = in.position();
        const std::uint8_t header = in.next();
        const auto deltaNibble = static_cast<std::uint8_t>(header >> 4);
        const auto lengthNibble = static_cast<std::uint8_t>(header & 0x0FU);
        if (deltaNibble == 15 || lengthNibble == 15) {
            fail("option header 0x" + hexByte(header) + " at offset " + std::to_string(offset) + " uses the reserved nibble 15");
        }
        number += in.extended(deltaNibble, "delta");
        const std::size_t length = in.extended(lengthNibble, "length");
        if (number > 0xFFFF) fail("option number " + std::to_string(number) + " exceeds 65535");
        m.options.push_back(CoapOption{static_cast<std::uint16_t>(number), in.take(length, "an option value")});
    }
    if (!in.atEnd()) {
        in.next();  // the payload marker
        if (in.atEnd()) fail("payload marker followed by no payload");
        m.payload = in.take(in.remaining(), "the payload");
    }
    return m;
}

CoapRequest requestFromWire(const CoapWireMessage& m) {
    CoapRequest request;
    switch (m.code) {
        case 1:
            request.method = CoapMethod::Get;
            break;
        case 2:
            request.method = CoapMethod::Post;
            break;
        case 3:
            request.method = CoapMethod::Put;
            break;
        case 4:
            request.method = CoapMethod::Delete;
            break;
        default:
            fail("code " + CoapCode::fromByte(m.code).toString() + " is not GET, POST, PUT or DELETE");
    }
    if (m.type != CoapMessageType::Confirmable && m.type != CoapMessageType::NonConfirmable) {
        fail("a request must be confirmable or non-confirmable");
    }
    request.confirmable = m.type == CoapMessageType::Confirmable;
    request.accept.reset();
    request.ocfContentFormatVersion.reset();
    request.ocfAcceptContentFormatVersion.reset();
    for (const auto& option : m.options) {
        switch (option.number) {
            case kOptionUriPath:
                request.path += "/";
                request.path.append(option.value.begin(), option.value.end());
                break;
            case kOptionUriQuery:
                request.query.emplace_back(option.value.begin(), option.value.end());
                break;
            case kOptionContentFormat:
                setUint16(request.contentFormat, option);
                break;
            case kOptionAccept:
                setUint16(request.accept, option);
                break;
            case kOptionOcfContentFormatVersion:
                setUint16(request.ocfContentFormatVersion, option);
                break;
            case kOptionOcfAcceptContentFormatVersion:
                setUint16(request.ocfAcceptContentFormatVersion, option);
                break;
            default:
                request.otherOptions.push_back(option);
                break;
        }
    }
    if (request.path.empty()) request.path = "/";
    request.payload = m.payload;
    return request;
}

CoapWireMessage requestToWire(const CoapRequest& r, std::uint16_t messageId, std::vector<std::uint8_t> token) {
    CoapWireMessage m;
    m.type = r.confirmable ? CoapMessageType::Confirmable : CoapMessageType::NonConfirmable;
    m.code = static_cast<std::uint8_t>(r.method);
    m.messageId = messageId;
    m.token = std::move(token);
    for (const auto& segment : splitPath(r.path)) m.options.push_back(CoapOption{kOptionUriPath, textBytes(segment)});
    for (const auto& item : r.query) m.options.push_back(CoapOption{kOptionUriQuery, textBytes(item)});
    std::optional<std::uint16_t> contentFormat = r.contentFormat;
    if (!contentFormat && !r.payload.empty()) contentFormat = kContentFormatOcfCbor;
    if (contentFormat) addUint(m.options, kOptionContentFormat, *contentFormat);
    if (r.accept) {
        addUint(m.options, kOptionAccept, *r.accept);
        if (r.ocfAcceptContentFormatVersion) {
            addUint(m.options, kOptionOcfAcceptContentFormatVersion, *r.ocfAcceptContentFormatVersion);
        }
    }
    if (r.ocfContentFormatVersion) addUint(m.options, kOptionOcfContentFormatVersion, *r.ocfContentFormatVersion);
    appendOthers(m.options, r.otherOptions);
    // Wire order now, so that what the caller inspects is what encodeCoapMessage sends.
    std::stable_sort(m.options.begin(), m.options.end(), [](const CoapOption& a, const CoapOption& b) { return a.number < b.number; });
    m.payload = r.payload;
    return m;
}

CoapResponse responseFromWire(const CoapWireMessage& m) {
    const CoapCode code = CoapCode::fromByte(m.code);
    if (!code.isSuccess() && !code.isClientError() && !code.isServerError()) {
        fail("code " + code.toString() + " is not a response (class 2, 4 or 5)");
    }
    if (m.type == CoapMessageType::Reset) fail("a Reset message carries no response");
    CoapResponse response;
    response.code = code;
    for (const auto& option : m.options) {
        switch (option.number) {
            case kOptionUriPath:
            case kOptionUriQuery:
            case kOptionAccept:
            case kOptionOcfAcceptContentFormatVersion:
                break;  // request options: meaningless here
            case kOptionContentFormat:
                setUint16(response.contentFormat, option);
                break;
            case kOptionOcfContentFormatVersion:
                setUint16(response.ocfContentFormatVersion, option);
                break;
            default:
                response.otherOptions.push_back(option);
                break;
        }
    }
    response.payload = m.payload;
    return response;
}

CoapWireMessage responseToWire(const CoapResponse& r, CoapMessageType type, std::uint16_t messageId, std::vector<std::uint8_t> token) {
    CoapWireMessage m;
    m.type = type;
    m.code = r.code.toByte();
    m.messageId = messageId;
    m.token = std::move(token);
    std::optional<std::uint16_t> contentFormat = r.contentFormat;
    std::optional<std::uint16_t> ocfVersion = r.ocfContentFormatVersion;
    if (!r.payload.empty()) {
        if (!contentFormat) contentFormat = kContentFormatOcfCbor;
        if (!ocfVersion) ocfVersion = kOcfVersion1_0;
    }
    if (contentFormat) addUint(m.options, kOptionContentFormat, *contentFormat);
    if (ocfVersion) addUint(m.options, kOptionOcfContentFormatVersion, *ocfVersion);
    appendOthers(m.options, r.otherOptions);
    std::stable_sort(m.options.begin(), m.options.end(), [](const CoapOption& a, const CoapOption& b) { return a.number < b.number; });
    m.payload = r.payload;
    return m;
}

}  // namespace steward::core
