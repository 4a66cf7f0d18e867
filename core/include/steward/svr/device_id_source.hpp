#pragma once
// Where a new device's UUID comes from: random, or seeded (the same seed always gives the same
// UUID, IoTivity's SetDeviceIdSeed). As there, the seed must be set before the stack starts:
// once an id has been issued, setSeed refuses.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "steward/model/uuid.hpp"

namespace steward::core {

class DeviceIdSource {
public:
    // Throws std::invalid_argument unless 8..64 bytes; std::logic_error once an id was issued.
    void setSeed(std::span<const std::uint8_t> seed);
    void setSeed(std::string_view seed);
    bool seeded() const { return seed_.has_value(); }

    // The seeded UUID, or a random one. Freezes the seed.
    Uuid issue();

private:
    std::optional<std::vector<std::uint8_t>> seed_;
    bool issued_ = false;
};

}  // namespace steward::core
