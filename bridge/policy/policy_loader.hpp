#pragma once
// Reading policies from disk: one file, or every *.yaml / *.yml file of a policies.d directory.

#include <filesystem>

#include "policy/policy.hpp"
#include "policy/policy_error.hpp"

namespace steward::bridge {

// One file (at most policy_limits::kFileBytes). Throws PolicyError, and nothing else, for a file
// that cannot be read and for any error in it (see policy_parser.hpp).
PolicySet loadPolicyFile(const std::filesystem::path& file);

// Every *.yaml and *.yml file directly in `dir`, in file name order (byte order), skipping names
// that start with '.' (editor files). A missing directory is an empty set; policy names must be
// unique across all files. Throws PolicyError (the first error found) and nothing else; nothing
// is returned unless every file is good. Reads only; safe from any thread.
PolicySet loadPolicyDirectory(const std::filesystem::path& dir);

}  // namespace steward::bridge
