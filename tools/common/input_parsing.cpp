#include "input_parsing.hpp"

#include <cctype>
#include <charconv>

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

Uuid requireUuid(std::string_view text) {
    if (auto uuid = Uuid::parse(text)) return *uuid;
    throw InputError(quoted(text) + " is not a UUID (expected 8-4-4-4-12 hex digits)");
}

std::optional<int> parseNumber(std::string_view text) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

core::AceSubject parseAceSubject(std::string_view text) {
    if (startsWithNoCase(text, "uuid:")) return requireUuid(text.substr(5));
    if (startsWithNoCase(text, "conntype:")) {
        const std::string_view type = text.substr(9);
        if (type == "auth-crypt") return core::ConnType::AuthCrypt;
        if (type == "anon-clear") return core::ConnType::AnonClear;
        throw InputError("unknown conntype " + quoted(type) + " (expected auth-crypt or anon-clear)");
    }
    if (startsWithNoCase(text, "role:")) {
        const std::string_view rest = text.substr(5);
        const auto at = rest.find('@');
        core::RoleSubject role{std::string(rest.substr(0, at)), ""};
        if (at != std::string_view::npos) role.authority = std::string(rest.substr(at + 1));
        if (role.role.empty()) throw InputError("a role subject needs a role name: role:<ROLE>[@<AUTHORITY>]");
        if (at != std::string_view::npos && role.authority.empty()) {
            throw InputError("empty authority after '@' in " + quoted(text));
        }
        return role;
    }
    if (auto uuid = Uuid::parse(text)) return *uuid;
    throw InputError("invalid subject " + quoted(text) +
                     " (expected uuid:<UUID>, role:<ROLE>[@<AUTHORITY>], conntype:auth-crypt or conntype:anon-clear)");
}

int parsePermission(std::string_view text) {
    const std::string accepted = " (use letters from CRUDN, e.g. CRUDN, R, RN, or the form -R--N, or a number 0..31)";
    if (text.empty()) throw InputError("empty permission" + accepted);
    if (std::isdigit(static_cast<unsigned char>(text[0])) != 0) {
        const auto value = parseNumber(text);
        if (!value || *value < 0 || *value > core::permission::kAll) {
            throw InputError("invalid permission " + quoted(text) + accepted);
        }
        return *value;
    }
    static constexpr std::string_view kLetters = "CRUDN";
    auto bitOf = [](char c) -> int {
        const auto pos = kLetters.find(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        return pos == std::string_view::npos ? 0 : 1 << pos;
    };
    int bits = 0;
    if (text.size() == kLetters.size() && text.find('-') != std::string_view::npos) {
        // Positional form: each place holds its own letter or '-'.
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '-') continue;
            if (bitOf(text[i]) != 1 << i) throw InputError("invalid permission " + quoted(text) + accepted);
            bits |= bitOf(text[i]);
        }
        return bits;
    }
    for (char c : text) {
        const int bit = bitOf(c);
        if (bit == 0 || (bits & bit) != 0) throw InputError("invalid permission " + quoted(text) + accepted);
        bits |= bit;
    }
    return bits;
}

AceResource parseAceResource(std::string_view text) {
    AceResource r;
    if (text == "*" || text == "+" || text == "-") {
        r.wc = static_cast<core::Wildcard>(text[0]);
        return r;
    }
    if (text.empty() || text[0] != '/') {
        throw InputError("invalid resource " + quoted(text) +
                         " (expected an href starting with '/', or a wildcard: * all, + all secured, - all public)");
    }
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0 || std::iscntrl(static_cast<unsigned char>(c)) != 0) {
            throw InputError("invalid resource " + quoted(text) + " (an href has no spaces or control characters)");
        }
    }
    r.href = std::string(text);
    return r;
}

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
