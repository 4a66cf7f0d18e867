#include "steward/model/ace_text.hpp"

#include <algorithm>

namespace steward::core {
namespace {

constexpr std::string_view kLetters = "CRUDN";  // bit i is letter i, as permission::toString prints them
constexpr std::string_view kRoleSyntax = "role:<ROLE>[@<AUTHORITY>]";

// The text as an error message shows it: in double quotes, anything not visible ASCII escaped (it
// may end up in a log or a JSON response), cut short when long.
std::string quoted(std::string_view text) {
    static constexpr std::size_t kShown = 80;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size() && i < kShown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (text.size() > kShown) out += "...";
    return out + "\"";
}

// Printable ASCII without the space: what an href, a role or an authority may contain.
bool isVisibleAscii(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
}

bool allVisibleAscii(std::string_view text) { return std::all_of(text.begin(), text.end(), isVisibleAscii); }

AceTextError notA(std::string_view text, std::string_view what, std::string_view accepted) {
    return {quoted(text) + " is not " + std::string(what) + " (" + std::string(accepted) + ")"};
}

AceTextError grantsNothing(std::string_view shown) { return {std::string(shown) + " grants nothing (at least one of CRUDN is needed)"}; }

AceTextResult<AceSubject> roleFromText(std::string_view text, std::string_view rest) {
    const auto at = rest.find('@');
    RoleSubject role{std::string(rest.substr(0, at)), ""};
    if (at != std::string_view::npos) role.authority = std::string(rest.substr(at + 1));
    const std::string why = quoted(text);
    const std::string syntax = " (" + std::string(kRoleSyntax) + ")";
    if (role.role.empty()) return AceTextError{why + " names no role" + syntax};
    if (at != std::string_view::npos && role.authority.empty()) {
        return AceTextError{why + " has '@' but no authority after it" + syntax};
    }
    if (role.authority.find('@') != std::string::npos) return AceTextError{why + " has more than one '@'" + syntax};
    if (!allVisibleAscii(rest)) {
        return AceTextError{why + " has a space, a control character or a non-ASCII byte" + syntax};
    }
    return AceSubject{std::move(role)};
}

}  // namespace

AceTextResult<Uuid> subjectUuidFromText(std::string_view text) {
    const auto uuid = Uuid::parse(text);
    if (!uuid) return AceTextError{quoted(text) + " is not a UUID (8-4-4-4-12 hex digits)"};
    if (uuid->isNil()) return AceTextError{"the nil UUID names no device"};
    return *uuid;
}

AceTextResult<ConnType> connTypeFromName(std::string_view name) {
    for (auto t : {ConnType::AuthCrypt, ConnType::AnonClear}) {
        if (name == connTypeName(t)) return t;
    }
    return notA(name, "a connection type", "auth-crypt, anon-clear");
}

AceTextResult<AceSubject> aceSubjectFromText(std::string_view text) {
    auto withPrefix = [&](std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; };
    if (withPrefix("uuid:")) {
        auto uuid = subjectUuidFromText(text.substr(5));
        if (!uuid.ok()) return AceTextError{uuid.error()};
        return AceSubject{uuid.value()};
    }
    if (withPrefix("conntype:")) {
        auto type = connTypeFromName(text.substr(9));
        if (!type.ok()) return AceTextError{type.error()};
        return AceSubject{type.value()};
    }
    if (withPrefix("role:")) return roleFromText(text, text.substr(5));
    if (Uuid::parse(text)) {
        return AceTextError{quoted(text) + " is not a subject: a device is named uuid:" + std::string(text)};
    }
    return notA(text, "a subject", kAceSubjectSyntax);
}

AceTextResult<int> permissionFromText(std::string_view text) {
    int bits = 0;
    if (text.size() == kLetters.size() && text.find('-') != std::string_view::npos) {
        // In place: each position holds its own letter or '-'.
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '-') continue;
            if (text[i] != kLetters[i]) return notA(text, "a permission", kPermissionSyntax);
            bits |= 1 << i;
        }
    } else {
        for (char c : text) {
            const auto pos = kLetters.find(c);
            if (pos == std::string_view::npos || (bits & (1 << pos)) != 0) {
                return notA(text, "a permission", kPermissionSyntax);
            }
            bits |= 1 << pos;
        }
    }
    if (bits == 0) {
        if (text.empty()) return notA(text, "a permission", kPermissionSyntax);
        return grantsNothing(quoted(text));
    }
    return bits;
}

AceTextResult<int> permissionFromBits(long long bits) {
    if (bits == 0) return grantsNothing("0");
    if (bits < 0 || bits > permission::kAll) {
        return AceTextError{std::to_string(bits) + " is not a permission (a CRUDN bit mask from 1 to 31)"};
    }
    return static_cast<int>(bits);
}

AceTextResult<AceResource> aceResourceFromText(std::string_view text) {
    AceResource r;
    if (text == "*" || text == "+" || text == "-") {
        r.wc = static_cast<Wildcard>(text[0]);
        return r;
    }
    if (text.empty() || text[0] != '/') return notA(text, "a resource", kAceResourceSyntax);
    if (text == "/") return notA(text, "a resource", "an href names one, /a/light; * is every resource");
    if (!allVisibleAscii(text)) {
        return notA(text, "a resource", "an href has no spaces, control characters or non-ASCII bytes");
    }
    r.href = std::string(text);
    return r;
}

std::string aceResourceToString(const AceResource& resource) {
    if (resource.wc) return std::string(1, static_cast<char>(*resource.wc));
    return resource.href;
}

}  // namespace steward::core
