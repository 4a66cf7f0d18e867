#pragma once
// The operations of the Direct Pairing provider, one file each (see pairing_provider.hpp for what
// each promises).
#include "device_access.hpp"

namespace steward::plugins::directpairing {

ProvisioningOutcome configure(ProvisioningContext& ctx, const Uuid& device, const DirectPairingConfig& config);
ProvisioningOutcome disable(ProvisioningContext& ctx, const Uuid& device);
ProvisioningOutcome syncPairings(ProvisioningContext& ctx);

}  // namespace steward::plugins::directpairing
