#pragma once
// The end of an ownership transfer, once more: a device that reports us as its owner but never
// reached normal operation (the gateway died after step 13, RFPRO, with the ACL half-written) is
// finished over the owner credential — the gateway's ACEs and RFNOP — instead of being taken for
// owned and left unusable.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "steward/cbor/cbor_value.hpp"
#include "steward/model/acl2.hpp"
#include "steward/model/uuid.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::core {

// The ACL a transfer installs (step 14): `gatewayAces`, or full access for the gateway when empty,
// and anonymous reads of /oic/res, /oic/d and /oic/p so the device stays discoverable; as the
// aclist2 array.
CborValue ownershipAclist(const Uuid& gatewayId, const std::vector<Ace>& gatewayAces);

enum class CompletionResult {
    AlreadyComplete,  // the device is in RFNOP: nothing sent
    Completed,        // the ACL was installed and the device moved to RFNOP
    Failed,           // a step failed (see error)
};

struct Completion {
    CompletionResult result = CompletionResult::Failed;
    std::string error;
};

// On an owner session to a device that reports us as owner: reads pstat; unless it is in RFNOP,
// replaces the ACL with ownershipAclist() and moves it to RFNOP.
Completion completeOwnership(CoapEndpoint& endpoint, const Session& session, const Uuid& gatewayId, const std::vector<Ace>& gatewayAces,
                             std::chrono::milliseconds stepTimeout);

}  // namespace steward::core
