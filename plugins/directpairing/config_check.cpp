#include "config_check.hpp"

#include <algorithm>

namespace steward::plugins::directpairing {
namespace {

using namespace steward::core;

constexpr std::size_t kPinLength = 8;

bool isSecurityResource(const std::string& href) { return href == "/oic/sec" || href.rfind("/oic/sec/", 0) == 0; }

std::string resourceError(const AceResource& r, const std::string& where) {
    if (r.wc) {
        if (!r.href.empty()) return where + ": a wildcard entry names no href";
        return "";  // a device never lets a wildcard reach /oic/sec/* (ocf-security.md)
    }
    if (r.href.empty() || r.href.front() != '/') return where + ": \"" + r.href + "\" is not a resource href (it starts with '/')";
    if (isSecurityResource(r.href)) {
        return where + ": " + r.href + " is a security resource; a paired client is never granted one";
    }
    return "";
}

}  // namespace

std::string configError(const DirectPairingConfig& config) {
    if (config.methods.empty()) return "no pairing method: offer pre-configured PIN (1), random PIN (2) or both";
    for (std::size_t i = 0; i < config.methods.size(); ++i) {
        const int m = config.methods[i];
        if (m != pairing_method::kPreconfiguredPin && m != pairing_method::kRandomPin) {
            return std::to_string(m) + " is not a pairing method (1 pre-configured PIN, 2 random PIN)";
        }
        if (std::count(config.methods.begin(), config.methods.end(), m) > 1)
            return "pairing method " + std::to_string(m) + " is listed twice";
    }
    if (!config.pin.empty()) {
        const auto digits = std::all_of(config.pin.begin(), config.pin.end(), [](std::uint8_t c) { return c >= '0' && c <= '9'; });
        if (config.pin.size() != kPinLength || !digits) return "the pre-configured PIN is exactly 8 digits";
    }
    if (config.pdacl.empty()) return "no ACL template (pdacl): name what a paired client may access";
    for (std::size_t i = 0; i < config.pdacl.size(); ++i) {
        const auto& entry = config.pdacl[i];
        const std::string where = "pdacl[" + std::to_string(i) + "]";
        if (entry.resources.empty()) return where + ": no resources";
        for (const auto& r : entry.resources) {
            if (auto e = resourceError(r, where); !e.empty()) return e;
        }
        if (entry.permission < 1 || entry.permission > permission::kAll) {
            return where + ": permission " + std::to_string(entry.permission) + " is not a CRUDN bit mask (1..31)";
        }
    }
    return "";
}

std::string methodNames(const std::vector<int>& methods) {
    std::string out;
    for (const int m : methods) {
        if (!out.empty()) out += ", ";
        out += m == pairing_method::kPreconfiguredPin ? "pre-configured PIN"
                                                      : (m == pairing_method::kRandomPin ? "random PIN" : std::to_string(m));
    }
    return out;
}

}  // namespace steward::plugins::directpairing
