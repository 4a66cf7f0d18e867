#pragma once
// The subcommands as requests to stewardd over its MQTT API (the default mode; --local runs the
// provisioning core in this process instead).
#include <ostream>
#include <string>
#include <vector>

namespace steward::tools {

// Returns the exit status, or -1 if `command` has no MQTT form (the caller then says so).
int runRemoteCommand(const std::string& command, const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

// The commands only the daemon has (no --local form), for steward --help.
std::string remoteOnlyCommandsSummary();

}  // namespace steward::tools
