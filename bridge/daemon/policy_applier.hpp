#pragma once
// Applies the YAML policies: right after a device is owned, and to every owned device again after a
// reload. What they declare goes through the credential-management provider (idempotent: ACEs
// already recorded in the PDM are not sent again, existing links are kept), recorded in the PDM
// with the policy's name as origin, and announced (policy_applied, device_provisioned); a
// direct_pairing goes through the Direct Pairing provider, once, right after ownership. Runs on
// the provisioning worker.
#include <functional>
#include <string>
#include <utility>

#include "device_directory.hpp"
#include "event_sink.hpp"
#include "policy/policy_plan.hpp"
#include "policy/policy_store.hpp"
#include "steward/gateway/gateway_state.hpp"

namespace steward::bridge {

class PolicyApplier {
public:
    PolicyApplier(core::GatewayState& gateway, PolicyStore& policies, DeviceDirectory& directory, EventSink& events,
                  std::function<void(const std::string&)> log);

    // Why apply() runs. A policy's direct_pairing is given only right after ownership: sent again
    // on every reload or start-up it would undo a `direct_pairing` request that disabled it.
    enum class Reason { Owned, Reapply };

    // Everything the current policies give `device` (and other devices because of it). Returns
    // false if any operation failed (each failure is logged and announced). Direct Pairing
    // skipped (no pairing plugin, a device without pconf) is logged and announced, not a failure.
    bool apply(const core::Uuid& device, Reason reason = Reason::Reapply);
    // apply() for every owned device.
    // `progress` (optional) hears of each device before it is done: (index from 1, count, uuid).
    using Progress = std::function<void(std::size_t done, std::size_t total, const core::Uuid& device)>;
    void applyAll(const Progress& progress = {});

private:
    std::vector<DeviceFacts> ownedFacts() const;
    // The plan's direct pairing on `device`: its status for the event ("configured", "skipped",
    // "not sent", "failed") and a detail line; `failed` is called for a failure.
    std::pair<std::string, std::string> applyDirectPairing(core::ProvisioningContext& ctx, const core::Uuid& device,
                                                           const DirectPairingPlan& plan, Reason reason);

    core::GatewayState& gateway_;
    PolicyStore& policies_;
    DeviceDirectory& directory_;
    EventSink& events_;
    std::function<void(const std::string&)> log_;
};

}  // namespace steward::bridge
