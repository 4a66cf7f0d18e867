#pragma once
// /oic/sec/doxm: the device's ownership state and the transfer methods it offers.

#include <cstdint>
#include <string_view>
#include <vector>

#include "steward/model/uuid.hpp"

namespace steward::core {

// Ownership transfer method ids (oxms / oxmsel). Unknown ids from foreign devices are kept as ints.
namespace oxm {
inline constexpr int kJustWorks = 0;
inline constexpr int kRandomPin = 1;
inline constexpr int kManufacturerCert = 2;
inline constexpr int kSelf = 4;  // oic.sec.oxm.self: set after a reset, nothing selected yet

// "oic.sec.doxm.jw" etc.; empty view for ids without a well-known name.
std::string_view name(int id);
}  // namespace oxm

// sct bits (supported credential types)
inline constexpr int kSctSymmetricPairwise = 1;
inline constexpr int kSctAsymmetricSigningWithCert = 8;

struct Doxm {
    std::vector<int> oxms;  // read-only over the network
    int oxmsel = oxm::kJustWorks;
    int sct = kSctSymmetricPairwise;
    bool owned = false;
    Uuid deviceuuid;
    Uuid devowneruuid;
    Uuid rowneruuid;

    friend bool operator==(const Doxm&, const Doxm&) = default;
};

}  // namespace steward::core
