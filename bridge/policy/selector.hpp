#pragma once
// Which devices a policy (or an ACE subject, or a link) is about. Every key given must match; a
// selector with no key matches every device.

#include <optional>
#include <string>

#include "policy/device_facts.hpp"

namespace steward::bridge {

struct Selector {
    std::optional<std::string> deviceType;  // exact; one of the device's types
    std::optional<std::string> otm;         // canonical OCF label ("oic.sec.doxm.jw"), see canonicalOtm()
    std::optional<std::string> uuidGlob;    // fnmatch pattern on the 36-character lowercase UUID
    std::optional<std::string> nameGlob;    // fnmatch pattern on the device name (case-sensitive)

    // Pure; safe from any thread. The device's otm may be a short name or a label.
    bool matches(const DeviceFacts& device) const;
    bool matchesAll() const { return !deviceType && !otm && !uuidGlob && !nameGlob; }
    std::string toString() const;  // "{device_type: oic.d.switch, otm: oic.sec.doxm.jw}", "{any}"

    friend bool operator==(const Selector&, const Selector&) = default;
};

}  // namespace steward::bridge
