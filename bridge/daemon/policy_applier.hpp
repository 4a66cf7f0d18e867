#pragma once
// Applies the YAML policies: right after a device is owned, and to every owned device again after a
// reload. What they declare goes through the credential-management provider (idempotent: ACEs
// already recorded in the PDM are not sent again, existing links are kept), recorded in the PDM
// with the policy's name as origin, and announced (policy_applied, device_provisioned). Runs on
// the provisioning worker.
#include <functional>
#include <string>

#include "device_directory.hpp"
#include "event_sink.hpp"
#include "policy/policy_store.hpp"
#include "steward/gateway/gateway_state.hpp"

namespace steward::bridge {

class PolicyApplier {
public:
    PolicyApplier(core::GatewayState& gateway, PolicyStore& policies, DeviceDirectory& directory, EventSink& events,
                  std::function<void(const std::string&)> log);

    // Everything the current policies give `device` (and other devices because of it). Returns
    // false if any operation failed (each failure is logged and announced).
    bool apply(const core::Uuid& device);
    // apply() for every owned device.
    void applyAll();

private:
    std::vector<DeviceFacts> ownedFacts() const;

    core::GatewayState& gateway_;
    PolicyStore& policies_;
    DeviceDirectory& directory_;
    EventSink& events_;
    std::function<void(const std::string&)> log_;
};

}  // namespace steward::bridge
