#pragma once
// Credential management from the command line (seed menu items 30, 31, 32, 34, 40, 50, and remote
// reset, certificates, sync): each subcommand runs one operation of the CredMgmt plugin.
#include <ostream>
#include <string>
#include <vector>

#include "steward/plugin/credential_provider.hpp"

namespace steward::tools {

// Returns the exit status, or -1 if `command` is not one of these.
int runCredentialCommand(const std::string& command, const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

// "acl", "pair", ... with a one-line summary each, for steward --help.
std::string credentialCommandsSummary();

// Menu 50 / `remove`: blocks the device in the PDM first (as stewardd does: its permit-join and
// automatic modes never own a blocked device again unasked; an explicit own lifts the block), then
// revokes it everywhere, resets and forgets it. A failed removal takes a new block back.
core::ProvisioningOutcome removeAndBlock(const core::CredentialManagementProvider& credmgmt, core::ProvisioningContext& pc,
                                         const core::Uuid& device);

// Prints an outcome for people (done lines, deferred lines) or as one JSON object; a failure also
// as "steward: COMMAND: error" on `err` either way (as in daemon mode), "steward: error" without a
// command (the menu).
void printOutcome(const core::ProvisioningOutcome& outcome, bool json, std::ostream& out, std::ostream& err,
                  const std::string& command = "");

}  // namespace steward::tools
