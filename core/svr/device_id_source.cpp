#include "steward/svr/device_id_source.hpp"

#include <algorithm>
#include <stdexcept>

namespace steward::core {

void DeviceIdSource::setSeed(std::span<const std::uint8_t> seed) {
    if (issued_) throw std::logic_error("the UUID seed must be set before the stack starts (an id was already issued)");
    if (seed.size() < 8 || seed.size() > 64) {
        throw std::invalid_argument("a UUID seed must be 8 to 64 bytes, got " + std::to_string(seed.size()));
    }
    seed_.emplace(seed.begin(), seed.end());
}

void DeviceIdSource::setSeed(std::string_view seed) {
    setSeed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(seed.data()), seed.size()));
}

Uuid DeviceIdSource::issue() {
    issued_ = true;
    if (seed_) return Uuid::fromSeed(*seed_);
    // A seeded id is what the seed says (the device warns if it cannot be a PSK identity).
    return Uuid::randomPskUsable();
}

}  // namespace steward::core
