#pragma once
// The discovery options every command that finds devices shares: --multicast-if, --unicast,
// --timeout.
#include <ostream>
#include <string>
#include <vector>

#include "args.hpp"
#include "steward/discovery/device_discovery.hpp"

namespace steward::tools {

std::vector<OptionSpec> discoveryOptionSpecs();
// Throws UsageError unless at least one interface or address is named; logs go to `err`.
core::DiscoveryOptions discoveryOptionsFrom(const Args& args, std::ostream& err);
// A whole number in [min, max], else UsageError naming `option`.
int parseBoundedInt(const std::string& text, const std::string& option, int min, int max);

}  // namespace steward::tools
