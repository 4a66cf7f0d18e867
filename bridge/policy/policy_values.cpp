#include "policy/policy_values.hpp"

#include "steward/model/doxm.hpp"

namespace steward::bridge {

namespace {
constexpr std::string_view kLetters = "CRUDN";  // bit i is letter i, as in core::permission
}  // namespace

std::optional<int> parsePermissionLetters(std::string_view text) {
    int bits = 0;
    if (text.size() == kLetters.size() && text.find('-') != std::string_view::npos) {
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '-') continue;
            if (text[i] != kLetters[i]) return std::nullopt;
            bits |= 1 << i;
        }
    } else {
        for (char c : text) {
            const auto pos = kLetters.find(c);
            if (pos == std::string_view::npos || (bits & (1 << pos)) != 0) return std::nullopt;
            bits |= 1 << pos;
        }
    }
    if (bits == 0) return std::nullopt;
    return bits;
}

std::optional<core::AceResource> parsePolicyResource(std::string_view text) {
    core::AceResource r;
    if (text == "*" || text == "+" || text == "-") {
        r.wc = static_cast<core::Wildcard>(text[0]);
        return r;
    }
    if (text.size() < 2 || text[0] != '/') return std::nullopt;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return std::nullopt;
    }
    r.href = std::string(text);
    return r;
}

std::string policyResourceText(const core::AceResource& resource) {
    if (resource.wc) return std::string(1, static_cast<char>(*resource.wc));
    return resource.href;
}

std::optional<core::ConnType> parseConnTypeName(std::string_view text) {
    for (auto t : {core::ConnType::AuthCrypt, core::ConnType::AnonClear}) {
        if (text == core::connTypeName(t)) return t;
    }
    return std::nullopt;
}

std::optional<std::string> canonicalOtm(std::string_view text) {
    if (text == "justworks") return std::string(core::oxm::name(core::oxm::kJustWorks));
    if (text == "randompin") return std::string(core::oxm::name(core::oxm::kRandomPin));
    for (int id : {core::oxm::kJustWorks, core::oxm::kRandomPin, core::oxm::kManufacturerCert}) {
        if (text == core::oxm::name(id)) return std::string(text);
    }
    return std::nullopt;
}

}  // namespace steward::bridge
