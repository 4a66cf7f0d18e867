#pragma once
// One policy file's text to a PolicySet: strict (unknown keys, wrong types, empty resources, zero
// permissions are errors: a typo must never silently weaken a policy). The format is documented in
// config/policies.d/README.md.

#include <cstddef>
#include <string>
#include <string_view>

#include "policy/policy.hpp"
#include "policy/policy_error.hpp"

namespace steward::bridge {

// Throws PolicyError and nothing else (yaml-cpp's exceptions are converted, keeping their line and
// column); `file` is only used in messages and Policy::file. Pure; safe from any thread.
PolicySet parsePolicyText(std::string_view text, const std::string& file);

// As above, for one file of a directory: names already in `earlier` are duplicates, and every list
// element read is taken from `itemBudget` (see policy_limits::kItems).
PolicySet parsePolicyText(std::string_view text, const std::string& file, const PolicySet& earlier, std::size_t& itemBudget);

}  // namespace steward::bridge
