#pragma once
// steward menu: the provisioning client's numbered menu (10, 11, 12, 20, 99), reading choices
// line by line from stdin (a terminal or a pipe).
#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace steward::tools {

std::string menuUsage();
int runMenu(const std::vector<std::string>& words, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace steward::tools
