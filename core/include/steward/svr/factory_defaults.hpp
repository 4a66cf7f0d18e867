#pragma once
// What a brand-new, unowned device holds: RFOTM, nothing owned, no credentials, no ACEs.

#include <vector>

#include "steward/model/security_resources.hpp"

namespace steward::core {

struct DeviceProfile {
    std::vector<int> oxms{oxm::kJustWorks};  // the ownership transfer methods offered
    bool directPairing = false;              // hosts pconf and dpairing
};

SecurityResources factoryResources(const Uuid& deviceId, const DeviceProfile& profile);

}  // namespace steward::core
