#pragma once
// What every CredMgmt operation starts from: an owned device's PDM record and an owner session to
// it, and the outcome bookkeeping.
#include <string>

#include "steward/plugin/credential_provider.hpp"
#include "steward/provisioning/owner_session.hpp"

namespace steward::plugins::credmgmt {

using namespace steward::core;

// Thrown for a request that is wrong before any device is touched (unknown UUID, not owned, bad
// key length); the operation fails with this message and changes nothing.
class InvalidRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The PDM record of an owned device; InvalidRequest if it is unknown or not (yet) owned.
DeviceRecord ownedDevice(ProvisioningContext& ctx, const Uuid& id);

// An owner session to `device` at its recorded address.
OwnerSession openOwnerSession(ProvisioningContext& ctx, const DeviceRecord& device);
OwnerSession openOwnerSession(ProvisioningContext& ctx, const Uuid& id, const PeerAddress& at);

void progress(ProvisioningContext& ctx, const std::string& line);
ProvisioningOutcome failure(std::string error);

// Runs `operation`, turning InvalidRequest, ProvisioningError and PdmError into a failed outcome.
template <class F>
ProvisioningOutcome runOperation(F&& operation) {
    try {
        return operation();
    } catch (const InvalidRequest& e) {
        return failure(e.what());
    } catch (const ProvisioningError& e) {
        return failure(e.what());
    } catch (const PdmError& e) {
        return failure(std::string("provisioning database: ") + e.what());
    }
}

// The ACE subject as the PDM stores it ("uuid:...").
std::string subjectText(const Uuid& device);

}  // namespace steward::plugins::credmgmt
