#include "steward/crypto/random.hpp"

#include <openssl/rand.h>

#include <climits>
#include <stdexcept>

namespace steward::core {

void randomBytes(std::span<std::uint8_t> out) {
    if (out.size() > static_cast<std::size_t>(INT_MAX)) throw std::invalid_argument("random request too large");
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
        throw std::runtime_error("the system random generator failed");
    }
}

std::vector<std::uint8_t> randomBytes(std::size_t count) {
    std::vector<std::uint8_t> out(count);
    randomBytes(out);
    return out;
}

SecretBytes randomSecret(std::size_t count) {
    SecretBytes out(count);
    randomBytes(out.writable());
    return out;
}

}  // namespace steward::core
