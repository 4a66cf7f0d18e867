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

// One link as `links` shows it, from the PDM (local mode) or stewardd's links response.
struct LinkLine {
    std::string a, b;  // direct: a is the server, b the client (possibly a guest device)
    bool direct = false;
    bool stale = false;
    std::string pending;  // what a stale link still needs
};
// A revocation or reset owed to a device that could not be reached.
struct OwedLine {
    std::string device, action, peer;
};
// The link status as text, the same in both modes: "A <-> B", "SERVER <- CLIENT  (direct pairing)",
// stale ones marked, then what is owed.
void printLinkStatus(const std::vector<LinkLine>& links, const std::vector<OwedLine>& owed, std::ostream& out);

// The devices linked with `device`, in the order the PDM keeps them.
std::vector<core::Uuid> linkedPeers(const core::ProvisioningDatabase& pdm, const core::Uuid& device);

}  // namespace steward::tools
