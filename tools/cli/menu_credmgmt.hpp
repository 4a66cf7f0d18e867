#pragma once
// The provisioning client's credential-management menu items (30, 31, 32, 34, 40, 50) and Direct
// Pairing's (33), with the seed's prompts; devices are chosen by their number in the list of owned
// devices.
#include <istream>
#include <ostream>
#include <string>

#include "local_context.hpp"

namespace steward::tools {

// Runs `item` if it is one of these; false if it is not.
bool runCredentialMenuItem(const std::string& item, LocalContext& ctx, std::istream& in, std::ostream& out);

}  // namespace steward::tools
