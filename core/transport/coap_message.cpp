#include "steward/transport/coap_message.hpp"

#include <string>

namespace steward::core {

std::string_view toString(CoapMethod method) {
    switch (method) {
        case CoapMethod::Get:
            return "GET";
        case CoapMethod::Post:
            return "POST";
        case CoapMethod::Put:
            return "PUT";
        case CoapMethod::Delete:
            return "DELETE";
    }
    return "?";
}

std::optional<CoapCode> CoapCode::parse(std::string_view text) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (text.size() != 4 || !digit(text[0]) || text[1] != '.' || !digit(text[2]) || !digit(text[3])) {
        return std::nullopt;
    }
    const int codeClass = text[0] - '0';
    const int detail = (text[2] - '0') * 10 + (text[3] - '0');
    if (codeClass > 7 || detail > 31) return std::nullopt;
    return CoapCode(static_cast<std::uint8_t>(codeClass), static_cast<std::uint8_t>(detail));
}

std::string CoapCode::toString() const {
    std::string out;
    out += static_cast<char>('0' + class_);
    out += '.';
    out += static_cast<char>('0' + detail_ / 10);
    out += static_cast<char>('0' + detail_ % 10);
    return out;
}

std::string CoapCode::describe() const {
    struct Named {
        CoapCode code;
        const char* name;
    };
    static constexpr Named names[] = {
        {Created, "Created"},
        {Deleted, "Deleted"},
        {Valid, "Valid"},
        {Changed, "Changed"},
        {Content, "Content"},
        {BadRequest, "Bad Request"},
        {Unauthorized, "Unauthorized"},
        {BadOption, "Bad Option"},
        {Forbidden, "Forbidden"},
        {NotFound, "Not Found"},
        {MethodNotAllowed, "Method Not Allowed"},
        {NotAcceptable, "Not Acceptable"},
        {RequestEntityTooLarge, "Request Entity Too Large"},
        {UnsupportedContentFormat, "Unsupported Content-Format"},
        {InternalServerError, "Internal Server Error"},
        {NotImplemented, "Not Implemented"},
        {ServiceUnavailable, "Service Unavailable"},
    };
    for (const auto& entry : names) {
        if (entry.code == *this) return toString() + " " + entry.name;
    }
    return toString();
}

std::vector<std::uint8_t> encodeUintOption(std::uint32_t value) {
    std::vector<std::uint8_t> out;
    for (int shift = 24; shift >= 0; shift -= 8) {
        const auto byte = static_cast<std::uint8_t>((value >> shift) & 0xFFU);
        if (out.empty() && byte == 0) continue;
        out.push_back(byte);
    }
    return out;
}

std::optional<std::uint32_t> decodeUintOption(const std::vector<std::uint8_t>& bytes) {
    if (bytes.size() > 4) return std::nullopt;
    std::uint32_t value = 0;
    for (auto b : bytes) value = (value << 8) | b;
    return value;
}

std::vector<std::string> splitPath(std::string_view path) {
    std::vector<std::string> segments;
    while (!path.empty()) {
        const auto slash = path.find('/');
        const auto segment = path.substr(0, slash);
        if (!segment.empty()) segments.emplace_back(segment);
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

std::string normalisePath(std::string_view path) {
    std::string out;
    for (const auto& segment : splitPath(path)) out += "/" + segment;
    return out.empty() ? std::string("/") : out;
}

}  // namespace steward::core
