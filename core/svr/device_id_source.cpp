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
    // DTLS PSK identities are C strings in the TLS library, and OCF uses the raw UUID as the
    // identity: a 0x00 byte would make the device unreachable over DTLS. Random ids avoid it
    // (about 6% of draws); a seeded id is what the seed says, and the device warns about it.
    for (;;) {
        const Uuid id = Uuid::random();
        if (std::find(id.bytes().begin(), id.bytes().end(), std::uint8_t{0}) == id.bytes().end()) return id;
    }
}

}  // namespace steward::core
