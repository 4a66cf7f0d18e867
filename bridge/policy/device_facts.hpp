#pragma once
// What the policy engine knows about one device: enough to match selectors, nothing more.

#include <string>
#include <vector>

#include "steward/model/uuid.hpp"

namespace steward::bridge {

struct DeviceFacts {
    core::Uuid id;
    std::string name;                      // /oic/d "n"; may be empty
    std::vector<std::string> deviceTypes;  // /oic/d "rt", e.g. "oic.d.light"
    std::string otm;                       // the OTM it was owned with: "oic.sec.doxm.jw" (short names work too)
};

}  // namespace steward::bridge
