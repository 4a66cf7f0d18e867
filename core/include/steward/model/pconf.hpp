#pragma once
// /oic/sec/pconf and /oic/sec/dpairing: Direct Pairing configuration (IoTivity 1.2).

#include <cstdint>
#include <string>
#include <vector>

#include "steward/model/acl2.hpp"
#include "steward/model/uuid.hpp"

namespace steward::core {

namespace pairing_method {
inline constexpr int kPreconfiguredPin = 1;
inline constexpr int kRandomPin = 2;
}  // namespace pairing_method

struct PdAce {
    std::vector<AceResource> resources;
    int permission = 0;
    std::vector<std::string> prds;  // periods
    std::vector<std::string> recurrence;
    friend bool operator==(const PdAce&, const PdAce&) = default;
};

struct Pconf {
    bool edp = false;
    std::vector<int> prm;
    std::vector<std::uint8_t> pin;  // 8 bytes; never returned on GET (Steward's deviation)
    std::vector<PdAce> pdacl;
    std::vector<Uuid> pddev;
    Uuid deviceuuid;
    Uuid rowneruuid;
    friend bool operator==(const Pconf&, const Pconf&) = default;
};

struct Dpairing {
    int spm = 0;
    Uuid pdeviceuuid;
    Uuid rowneruuid;
    friend bool operator==(const Dpairing&, const Dpairing&) = default;
};

}  // namespace steward::core
