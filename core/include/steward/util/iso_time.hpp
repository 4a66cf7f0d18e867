#pragma once
// Times as people and scripts read them in Steward's output: ISO 8601 UTC ("2026-11-29T21:00:03Z");
// the epoch (a time never set) is "".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace steward::core {

std::string isoTime(std::chrono::system_clock::time_point t);

// Reads what a user or a peer writes for a moment: "2026-12-01T12:00:00Z", with an offset
// ("+01:00") or fractional seconds, or a date alone ("2026-12-01", meaning its start in UTC).
// nullopt for anything else (no guessing at local time or other orders).
std::optional<std::chrono::system_clock::time_point> parseIsoTime(std::string_view text);

}  // namespace steward::core
