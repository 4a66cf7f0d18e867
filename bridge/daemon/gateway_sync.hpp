#pragma once
// "sync": what the gateway finishes and learns from its devices, in one outcome. The PDM's owed
// work (stale links, pending revocations: CredentialManagementProvider::resolvePending) and, when
// a Direct Pairing plugin is loaded, the pairings devices made by themselves
// (DirectPairingProvider::syncPairings: recorded as direct links). Runs on the provisioning worker.
#include "steward/gateway/gateway_state.hpp"

namespace steward::bridge {

// Both parts always run (one failing does not skip the other); the outcome is ok only if both
// are, its error is resolvePending's, then "direct pairings: ...", done/deferred are the two parts' lines in order.
// Never throws: a missing credential-management plugin is the outcome's error.
core::ProvisioningOutcome syncGateway(core::GatewayState& gateway, core::ProvisioningContext& ctx);

// The same, for the Direct Pairing part alone; ok with nothing done when no pairing plugin is loaded.
core::ProvisioningOutcome syncPairings(core::GatewayState& gateway, core::ProvisioningContext& ctx);

}  // namespace steward::bridge
