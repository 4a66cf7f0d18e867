#include "input_parsing.hpp"

#include <cctype>
#include <charconv>

#include "steward/model/ace_text.hpp"
#include "steward/model/doxm.hpp"

namespace steward::tools {
namespace {

using core::AceResource;
using core::Uuid;

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

template <typename T>
T orInputError(const core::AceTextResult<T>& parsed) {
    if (!parsed.ok()) throw InputError(parsed.error());
    return parsed.value();
}

std::optional<int> parseNumber(std::string_view text) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

core::AceSubject parseAceSubject(std::string_view text) { return orInputError(core::aceSubjectFromText(text)); }

int parsePermission(std::string_view text) { return orInputError(core::permissionFromText(text)); }

AceResource parseAceResource(std::string_view text) { return orInputError(core::aceResourceFromText(text)); }

core::Validity parseValidity(std::string_view text) {
    core::Validity v;
    const auto semi = text.find(';');
    v.period = std::string(text.substr(0, semi));
    const auto slash = v.period.find('/');
    if (v.period.empty() || slash == 0 || slash == std::string::npos || slash + 1 == v.period.size()) {
        throw InputError("invalid validity " + quoted(text) +
                         " (expected an RFC 5545 period START/END or START/DURATION, then optional ;RRULE parts)");
    }
    if (semi == std::string_view::npos) return v;
    std::string_view rest = text.substr(semi + 1);
    while (!rest.empty()) {
        const auto next = rest.find(';');
        const std::string_view part = rest.substr(0, next);
        rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
        if (part.empty()) continue;
        if (v.recurrence.empty() || startsWithNoCase(part, "FREQ=")) {
            v.recurrence.emplace_back(part);
        } else {
            v.recurrence.back() += ";" + std::string(part);
        }
    }
    return v;
}

core::CredSubject parseCredSubject(std::string_view text) {
    if (text == "*") return core::CredSubject::any();
    if (startsWithNoCase(text, "uuid:")) text.remove_prefix(5);
    if (auto uuid = Uuid::parse(text)) return core::CredSubject{*uuid, false};
    throw InputError("invalid credential subject " + quoted(text) + " (expected a UUID or *)");
}

std::vector<std::uint8_t> parseHex(std::string_view text) {
    if (startsWithNoCase(text, "0x")) text.remove_prefix(2);
    std::vector<std::uint8_t> out;
    int high = -1;
    for (char c : text) {
        if (c == ':' || c == ' ') continue;
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        // The text may be a key: never echo it back.
        if (v < 0) throw InputError("the key is not hexadecimal (digits 0-9 and a-f only)");
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high * 16 + v));
            high = -1;
        }
    }
    if (high >= 0) throw InputError("the key has an odd number of hex digits");
    return out;
}

int parseId(std::string_view text, std::string_view what) {
    const auto value = parseNumber(text);
    if (!value || *value <= 0) throw InputError("invalid " + std::string(what) + " " + quoted(text) + " (expected a positive number)");
    return *value;
}

int parseOtm(std::string_view text) {
    if (text == "justworks" || text == "jw" || text == core::oxm::name(core::oxm::kJustWorks)) {
        return core::oxm::kJustWorks;
    }
    if (text == "randompin" || text == "rdp" || text == core::oxm::name(core::oxm::kRandomPin)) {
        return core::oxm::kRandomPin;
    }
    throw InputError("unknown ownership transfer method " + quoted(text) + " (expected justworks or randompin)");
}

std::vector<std::string> splitList(std::string_view text) {
    std::vector<std::string> out;
    while (true) {
        const auto comma = text.find(',');
        const std::string_view part = text.substr(0, comma);
        if (!part.empty()) out.emplace_back(part);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace steward::tools
