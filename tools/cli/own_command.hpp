#pragma once
// steward own: take ownership of unowned devices (provisioning client menu item 20).
#include <ostream>
#include <string>
#include <vector>

namespace steward::tools {

std::string ownUsage();
int runOwn(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace steward::tools
