#pragma once
// What every Direct Pairing operation starts from: an owned device's PDM record, an owner session
// to it, pconf's wire form, and the outcome bookkeeping.
#include <stdexcept>
#include <string>

#include "steward/plugin/pairing_provider.hpp"
#include "steward/provisioning/owner_session.hpp"

namespace steward::plugins::directpairing {

using namespace steward::core;

inline constexpr const char* kPconfPath = "/oic/sec/pconf";

// A request that is wrong before any device is touched; the operation fails with this message
// and changes nothing.
class InvalidRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The PDM record of an owned device; InvalidRequest if it is unknown or not (yet) owned.
DeviceRecord ownedDevice(ProvisioningContext& ctx, const Uuid& id);

// An owner session to `device` at its recorded address.
OwnerSession openOwnerSession(ProvisioningContext& ctx, const DeviceRecord& device);

// Whether the device answered 4.04: it hosts no pconf, so it is not direct-pairing capable.
bool isNotFound(const ProvisioningError& e);

// "device X is not direct-pairing capable (it has no /oic/sec/pconf)".
std::string notCapable(const Uuid& device);

void progress(ProvisioningContext& ctx, const std::string& line);
ProvisioningOutcome failure(std::string error);

// Runs `operation`; InvalidRequest, ProvisioningError, PdmError and anything else become a failed
// outcome (nothing may unwind across the plugin boundary).
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
    } catch (const std::exception& e) {
        return failure(e.what());
    }
}

}  // namespace steward::plugins::directpairing
