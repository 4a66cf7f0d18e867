#pragma once
// The interactive numbered menu (IoTivity svrdbeditor's layout). It holds the database's write
// lock for the whole session, so what it prints is what the next edit changes.

#include <filesystem>
#include <istream>
#include <ostream>

namespace steward::tools {

// Returns the exit code: 0 on "99. Exit" or end of input, 1 if the database cannot be opened.
int runMenu(const std::filesystem::path& file, std::istream& in, std::ostream& out, std::ostream& err, bool terminal);

}  // namespace steward::tools
