#pragma once
// The security domain a gateway enrols its devices in (OCF /oic/sec/sdi, written during the
// ownership transfer): a random UUID made once with the gateway identity — not the gateway's own
// UUID, as with iotivity-lite's onboarding tool — and a human-readable name.
#include <string>

#include "steward/model/uuid.hpp"

namespace steward::core {

struct SecurityDomain {
    Uuid uuid;
    std::string name;
};

}  // namespace steward::core
