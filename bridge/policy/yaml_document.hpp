#pragma once
// Internal to the policy parser: the one YAML document of a policy file.

#include <yaml-cpp/yaml.h>

#include <string>

namespace steward::bridge {

// The file's only document (a null node for an empty file). PolicyError for a second document,
// and for text yaml-cpp 0.7 cannot get past: on some malformed input its parser stops advancing
// and reports an endless series of empty documents (YAML::LoadAll then never returns, and
// YAML::Load returns an empty document for garbage). YAML::Exception for syntax errors.
YAML::Node loadSingleDocument(const std::string& text, const std::string& file);

}  // namespace steward::bridge
