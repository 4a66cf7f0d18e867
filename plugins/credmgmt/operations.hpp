#pragma once
// The operations of the CredMgmt provider, one file each (see credential_provider.hpp for what
// each promises).
#include "device_access.hpp"

namespace steward::plugins::credmgmt {

ProvisioningOutcome provisionAcl(ProvisioningContext& ctx, const Uuid& device, const std::vector<Ace>& aces, const std::string& origin);
ProvisioningOutcome provisionPairwise(ProvisioningContext& ctx, const PairwiseRequest& request);
ProvisioningOutcome unlink(ProvisioningContext& ctx, const Uuid& a, const Uuid& b);
ProvisioningOutcome removeDevice(ProvisioningContext& ctx, const Uuid& device);
ProvisioningOutcome resetDevice(ProvisioningContext& ctx, const Uuid& device);
ProvisioningOutcome provisionCertificate(ProvisioningContext& ctx, const Uuid& device, std::chrono::hours validity);
ProvisioningOutcome resolvePending(ProvisioningContext& ctx);

// The PDM record of an ACE as the device stored it.
AceRecord aceRecordFor(const Uuid& device, const Ace& stored, const std::string& origin);

}  // namespace steward::plugins::credmgmt
