#pragma once
// How much a policies.d directory may hold. Policy files are trusted configuration, but a bad one
// (or an alias-heavy YAML document) must not take the daemon's memory or time.

#include <cstddef>
#include <cstdint>

namespace steward::bridge::policy_limits {

inline constexpr std::uintmax_t kFileBytes = 1024 * 1024;  // per file
inline constexpr std::size_t kFiles = 256;                 // *.yaml/*.yml files per directory
inline constexpr std::size_t kPolicies = 1000;             // per directory (a set)
inline constexpr std::size_t kEntries = 256;               // aces, links of one policy (each)
inline constexpr std::size_t kResources = 64;              // per ACE or link
// Every list element read (policies, aces, links, resources) counts against one budget per
// directory: YAML aliases can repeat a large list many times for a few bytes.
inline constexpr std::size_t kItems = 20000;
inline constexpr std::size_t kTextBytes = 1024;  // one string value
inline constexpr std::size_t kNameBytes = 64;    // a policy name

}  // namespace steward::bridge::policy_limits
