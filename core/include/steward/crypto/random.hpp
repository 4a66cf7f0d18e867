#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "steward/crypto/secret_bytes.hpp"

namespace steward::core {
// Fills `out` from OpenSSL's CSPRNG; throws std::runtime_error if it is not seeded.
void randomBytes(std::span<std::uint8_t> out);
std::vector<std::uint8_t> randomBytes(std::size_t count);
// Fresh key material (a pairwise PSK), held as a secret from the start.
SecretBytes randomSecret(std::size_t count);
}  // namespace steward::core
