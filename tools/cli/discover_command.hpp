#pragma once
// steward discover: find OCF devices (provisioning client menu items 10, 11, 12).
#include <ostream>
#include <string>
#include <vector>

namespace steward::tools {

std::string discoverUsage();
// Returns the exit code; throws UsageError for a bad command line.
// `local`: steward --local, where the gateway state is at hand for owned devices.
int runDiscover(const std::vector<std::string>& words, bool local, std::ostream& out, std::ostream& err);

}  // namespace steward::tools
