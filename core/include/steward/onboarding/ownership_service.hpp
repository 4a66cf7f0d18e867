#pragma once
// Owning discovered devices the crash-safe way: the method's provider comes from the registry;
// the owner credential is stored durably, with the device's PDM row marked pending, before the
// device can leave RFOTM; the row becomes owned only once the device confirmed the last step. A
// pending row (a crash, or a failure after the credential was stored) is resolved by asking the
// device: owned by us -> owned; otherwise the credential and the row are removed. A UUID the PDM
// records as owned is never owned again nor its credential overwritten: that is refused, whatever
// answers as that UUID (remove the device first). Thread-safe as long as two calls do not own the
// same device at once.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "steward/discovery/device_discovery.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/pdm/provisioning_database.hpp"
#include "steward/plugin/provider_registry.hpp"

namespace steward::core {

using PinSource = std::function<std::optional<SecretBytes>(const Uuid& device)>;

struct OwnOptions {
    std::optional<int> method;  // an oxm id; default: the first the device offers that a plugin provides
    PinSource pin;              // for methods that need one
    std::function<void(const std::string&)> progress;
    std::chrono::milliseconds stepTimeout{5000};
};

struct OwnOutcome {
    OwnershipResult result;
    std::string method;  // the OxM label used ("" if none could be chosen)
    // The provisioning database already records the UUID (result.error says why it stays so):
    // nothing was sent to the device and nothing of ours changed.
    bool refused = false;
    // A success that did not go as planned (e.g. owned after all, a step having failed): for logs.
    std::string note;
};

// Owned: it reports us as owner, in normal operation. Finished: it reported us as owner but had
// stopped short of normal operation (the ACL and RFNOP steps were lost): they were done now.
enum class Resolution { Owned, Finished, Removed, Unreachable };
std::string_view toString(Resolution r);

class OwnershipService {
public:
    OwnershipService(ProviderRegistry& registry, GatewayIdentity& identity, ProvisioningDatabase& pdm, CoapEndpoint& endpoint)
        : registry_(registry), identity_(identity), pdm_(pdm), endpoint_(endpoint) {}

    OwnOutcome own(const DiscoveredDevice& device, const OwnOptions& options);

    // Asks the device of a pending row whether it is ours (owner session + doxm), and settles the
    // row and the credential accordingly. Unreachable: left pending for a later try.
    Resolution resolve(const DeviceRecord& record);
    // resolve() for every pending row; returns (device, resolution) pairs.
    std::vector<std::pair<Uuid, Resolution>> resolvePending();

    enum class Probe { Ours, NotOurs, Unreachable };
    // Whether the device at the record's address holds our owner credential and reports us as
    // its owner under the record's UUID. Changes nothing.
    Probe probe(const DeviceRecord& record);

private:
    // Why a transfer to a UUID the PDM already records must not happen, or nullopt (no record,
    // or a pending one that turned out stale and was cleared).
    std::optional<std::string> refusal(const DiscoveredDevice& device);

    ProviderRegistry& registry_;
    GatewayIdentity& identity_;
    ProvisioningDatabase& pdm_;
    CoapEndpoint& endpoint_;
};

}  // namespace steward::core
