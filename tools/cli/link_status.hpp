#pragma once
// `steward links` (menu item 34): a device's links as the provisioning database records them
// (pairwise ones and direct pairings), stale ones marked, and what is still owed to unreachable
// devices.
#include <ostream>
#include <string>
#include <vector>

#include "steward/pdm/provisioning_database.hpp"

namespace steward::tools {

int runLinkStatus(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

// The devices linked with `device`, in the order the PDM keeps them.
std::vector<core::Uuid> linkedPeers(const core::ProvisioningDatabase& pdm, const core::Uuid& device);

}  // namespace steward::tools
