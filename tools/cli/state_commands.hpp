#pragma once
// steward devices (what the provisioning database holds) and steward plugins (what was loaded,
// and what was skipped and why).
#include <ostream>
#include <string>
#include <vector>

namespace steward::tools {

std::string devicesUsage();
int runDevices(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);
std::string pluginsUsage();
int runPlugins(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace steward::tools
