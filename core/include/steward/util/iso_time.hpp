#pragma once
// Times as people and scripts read them in Steward's output: ISO 8601 UTC ("2026-11-29T21:00:03Z");
// the epoch (a time never set) is "".
#include <chrono>
#include <string>

namespace steward::core {

std::string isoTime(std::chrono::system_clock::time_point t);

}  // namespace steward::core
