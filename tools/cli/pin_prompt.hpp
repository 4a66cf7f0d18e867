#pragma once
// Asks the user for the PIN a device shows: a prompt on stderr, one line from stdin (a terminal
// or a pipe), within a time limit.
#include <chrono>
#include <optional>
#include <string>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/model/uuid.hpp"

namespace steward::tools {

std::optional<core::SecretBytes> promptForPin(const core::Uuid& device, const std::string& name, std::chrono::seconds timeout);

}  // namespace steward::tools
