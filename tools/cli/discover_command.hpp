#pragma once
// steward discover: find OCF devices (provisioning client menu items 10, 11, 12).
#include <ostream>
#include <string>
#include <vector>

namespace steward::tools {

std::string discoverUsage();
// Returns the exit code; throws UsageError for a bad command line.
int runDiscover(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace steward::tools
