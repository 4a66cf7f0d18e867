#include "policy/selector.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "policy/policy_values.hpp"

namespace steward::bridge {

bool Selector::matches(const DeviceFacts& device) const {
    if (deviceType && std::find(device.deviceTypes.begin(), device.deviceTypes.end(), *deviceType) == device.deviceTypes.end()) {
        return false;
    }
    if (otm && canonicalOtm(device.otm).value_or(device.otm) != *otm) return false;
    if (uuidGlob && ::fnmatch(uuidGlob->c_str(), device.id.toString().c_str(), 0) != 0) return false;
    if (nameGlob && ::fnmatch(nameGlob->c_str(), device.name.c_str(), 0) != 0) return false;
    return true;
}

std::string Selector::toString() const {
    std::string out;
    const auto add = [&out](const char* key, const std::optional<std::string>& value) {
        if (!value) return;
        out += (out.empty() ? "" : ", ") + std::string(key) + ": " + *value;
    };
    add("device_type", deviceType);
    add("otm", otm);
    add("uuid", uuidGlob);
    add("name", nameGlob);
    return "{" + (out.empty() ? std::string("any") : out) + "}";
}

}  // namespace steward::bridge
