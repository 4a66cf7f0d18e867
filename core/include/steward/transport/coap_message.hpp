#pragma once
// Value types for one CoAP request or response, independent of the CoAP library underneath.
// They carry what OCF needs: method/code, Uri-Path, Uri-Query, payload, Content-Format, Accept
// and the two OCF version options (2053 and 2049). Plain values: copy them freely, no threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace steward::core {

// application/vnd.ocf+cbor
inline constexpr std::uint16_t kContentFormatOcfCbor = 10000;
// OCF-Content-Format-Version (critical) and OCF-Accept-Content-Format-Version.
inline constexpr std::uint16_t kOptionOcfContentFormatVersion = 2053;
inline constexpr std::uint16_t kOptionOcfAcceptContentFormatVersion = 2049;
// "1.0.0" encoded as OCF does: major << 11 | minor << 6 | patch.
inline constexpr std::uint16_t kOcfVersion1_0 = 2048;

enum class CoapMethod : std::uint8_t { Get = 1, Post = 2, Put = 3, Delete = 4 };

// "GET", "POST", "PUT", "DELETE".
std::string_view toString(CoapMethod method);

// A response code "c.dd": class 0-7, detail 0-31 (RFC 7252 section 3).
class CoapCode {
public:
    constexpr CoapCode() = default;
    constexpr CoapCode(std::uint8_t codeClass, std::uint8_t detail)
        : class_(static_cast<std::uint8_t>(codeClass & 0x07U)), detail_(static_cast<std::uint8_t>(detail & 0x1FU)) {}

    // The on-the-wire byte (class << 5 | detail).
    static constexpr CoapCode fromByte(std::uint8_t raw) {
        return CoapCode(static_cast<std::uint8_t>(raw >> 5), static_cast<std::uint8_t>(raw & 0x1FU));
    }
    // Parses "2.04"; nullopt unless it is exactly digit '.' digit digit within range.
    static std::optional<CoapCode> parse(std::string_view text);

    constexpr std::uint8_t codeClass() const { return class_; }
    constexpr std::uint8_t detail() const { return detail_; }
    constexpr std::uint8_t toByte() const { return static_cast<std::uint8_t>((class_ << 5) | detail_); }
    constexpr bool isSuccess() const { return class_ == 2; }
    constexpr bool isClientError() const { return class_ == 4; }
    constexpr bool isServerError() const { return class_ == 5; }

    // "2.05"
    std::string toString() const;
    // "2.05 Content"; the name part is omitted for codes without a registered name.
    std::string describe() const;

    friend constexpr bool operator==(CoapCode, CoapCode) = default;

    static const CoapCode Created;
    static const CoapCode Deleted;
    static const CoapCode Valid;
    static const CoapCode Changed;
    static const CoapCode Content;
    static const CoapCode BadRequest;
    static const CoapCode Unauthorized;
    static const CoapCode BadOption;
    static const CoapCode Forbidden;
    static const CoapCode NotFound;
    static const CoapCode MethodNotAllowed;
    static const CoapCode NotAcceptable;
    static const CoapCode RequestEntityTooLarge;
    static const CoapCode UnsupportedContentFormat;
    static const CoapCode InternalServerError;
    static const CoapCode NotImplemented;
    static const CoapCode ServiceUnavailable;

private:
    std::uint8_t class_ = 0;
    std::uint8_t detail_ = 0;
};

inline constexpr CoapCode CoapCode::Created{2, 1};
inline constexpr CoapCode CoapCode::Deleted{2, 2};
inline constexpr CoapCode CoapCode::Valid{2, 3};
inline constexpr CoapCode CoapCode::Changed{2, 4};
inline constexpr CoapCode CoapCode::Content{2, 5};
inline constexpr CoapCode CoapCode::BadRequest{4, 0};
inline constexpr CoapCode CoapCode::Unauthorized{4, 1};
inline constexpr CoapCode CoapCode::BadOption{4, 2};
inline constexpr CoapCode CoapCode::Forbidden{4, 3};
inline constexpr CoapCode CoapCode::NotFound{4, 4};
inline constexpr CoapCode CoapCode::MethodNotAllowed{4, 5};
inline constexpr CoapCode CoapCode::NotAcceptable{4, 6};
inline constexpr CoapCode CoapCode::RequestEntityTooLarge{4, 13};
inline constexpr CoapCode CoapCode::UnsupportedContentFormat{4, 15};
inline constexpr CoapCode CoapCode::InternalServerError{5, 0};
inline constexpr CoapCode CoapCode::NotImplemented{5, 1};
inline constexpr CoapCode CoapCode::ServiceUnavailable{5, 3};

// Any option the typed fields below do not cover, as raw bytes (uint options big-endian,
// shortest form, as on the wire).
struct CoapOption {
    std::uint16_t number = 0;
    std::vector<std::uint8_t> value;
    friend bool operator==(const CoapOption&, const CoapOption&) = default;
};

// Encodes an unsigned option value in CoAP's shortest big-endian form (0 -> empty).
std::vector<std::uint8_t> encodeUintOption(std::uint32_t value);
// Decodes such a value; nullopt if longer than 4 bytes.
std::optional<std::uint32_t> decodeUintOption(const std::vector<std::uint8_t>& bytes);

// Outgoing: the endpoint sends what is set here; an unset optional is not sent, except that
// contentFormat defaults to 10000 when there is a payload. Incoming (a server handler's view):
// every field reflects the wire.
struct CoapRequest {
    CoapMethod method = CoapMethod::Get;
    // "/oic/sec/doxm" (the leading slash is optional); each segment becomes one Uri-Path option.
    std::string path;
    // One entry per Uri-Query option, e.g. "owned=FALSE".
    std::vector<std::string> query;
    std::vector<std::uint8_t> payload;
    std::optional<std::uint16_t> contentFormat;
    std::optional<std::uint16_t> accept = kContentFormatOcfCbor;
    // Option 2053; OCF devices answer 4.15 to a lower version.
    std::optional<std::uint16_t> ocfContentFormatVersion = kOcfVersion1_0;
    // Option 2049; sent only together with an Accept option.
    std::optional<std::uint16_t> ocfAcceptContentFormatVersion = kOcfVersion1_0;
    // Onboarding and provisioning are confirmable; multicast discovery is not.
    bool confirmable = true;
    std::vector<CoapOption> otherOptions;

    static CoapRequest get(std::string path) { return make(CoapMethod::Get, std::move(path), {}); }
    static CoapRequest post(std::string path, std::vector<std::uint8_t> payload) {
        return make(CoapMethod::Post, std::move(path), std::move(payload));
    }
    static CoapRequest put(std::string path, std::vector<std::uint8_t> payload) {
        return make(CoapMethod::Put, std::move(path), std::move(payload));
    }
    static CoapRequest del(std::string path) { return make(CoapMethod::Delete, std::move(path), {}); }

private:
    static CoapRequest make(CoapMethod method, std::string path, std::vector<std::uint8_t> payload) {
        CoapRequest r;
        r.method = method;
        r.path = std::move(path);
        r.payload = std::move(payload);
        return r;
    }
};

// Outgoing (returned by a handler): contentFormat defaults to 10000 and option 2053 to 2048 when
// there is a payload, as OCF devices answer. Incoming (a client's view): reflects the wire.
struct CoapResponse {
    CoapCode code = CoapCode::Content;
    std::vector<std::uint8_t> payload;
    std::optional<std::uint16_t> contentFormat;
    std::optional<std::uint16_t> ocfContentFormatVersion;
    std::vector<CoapOption> otherOptions;

    static CoapResponse withCode(CoapCode code) {
        CoapResponse r;
        r.code = code;
        return r;
    }
    static CoapResponse withPayload(CoapCode code, std::vector<std::uint8_t> payload) {
        CoapResponse r;
        r.code = code;
        r.payload = std::move(payload);
        return r;
    }
};

// Joins path segments: normalisePath("oic/sec//doxm/") == "/oic/sec/doxm"; "" -> "/".
std::string normalisePath(std::string_view path);
// Splits "/a/b" into {"a", "b"}; empty segments are dropped.
std::vector<std::string> splitPath(std::string_view path);

}  // namespace steward::core
