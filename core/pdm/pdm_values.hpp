#pragma once
// How PDM values are stored: times as integer milliseconds since the epoch, UUIDs as their
// 36-character text, states as "pending"/"owned", an ACE's resources as a JSON array of strings.
// The readers throw std::runtime_error for a stored value that does not parse (a corrupt row);
// the database object turns that into a PdmError naming the operation.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "steward/pdm/provisioning_database.hpp"

namespace steward::core::detail {

std::int64_t toMillis(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point fromMillis(std::int64_t ms);
// The current time, already at the stored precision.
std::chrono::system_clock::time_point pdmNow();

Uuid uuidFromColumn(const std::string& text);
DeviceRecordState stateFromColumn(const std::string& text);

// A list of strings as a JSON array, and back; `what` names the list in the corrupt-row error.
std::string stringsToJson(const std::vector<std::string>& items);
std::vector<std::string> stringsFromJson(const std::string& json, const std::string& what);

std::string resourcesToJson(const std::vector<std::string>& resources);
std::vector<std::string> resourcesFromJson(const std::string& json);
// The identity of a resource list for ACE de-duplication: sorted, repetitions dropped.
std::string resourcesKey(std::vector<std::string> resources);

}  // namespace steward::core::detail
