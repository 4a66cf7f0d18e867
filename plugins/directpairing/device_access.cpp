#include "device_access.hpp"

namespace steward::plugins::directpairing {

DeviceRecord ownedDevice(ProvisioningContext& ctx, const Uuid& id) {
    const auto record = ctx.pdm.device(id);
    if (!record) throw InvalidRequest("unknown device " + id.toString() + " (not in the provisioning database)");
    if (record->state != DeviceRecordState::Owned) {
        throw InvalidRequest("device " + id.toString() + " is not owned yet (ownership transfer pending)");
    }
    return *record;
}

OwnerSession openOwnerSession(ProvisioningContext& ctx, const DeviceRecord& device) {
    const PeerAddress at{device.address, device.securePort};
    progress(ctx, "owner session to " + device.id.toString() + " at " + at.host + ":" + std::to_string(at.port));
    return OwnerSession(ctx.endpoint, ctx.identity, device.id, at, ctx.stepTimeout);
}

bool isNotFound(const ProvisioningError& e) { return e.kind() == ProvisioningError::Kind::Refused && e.answer() == CoapCode::NotFound; }

std::string notCapable(const Uuid& device) {
    return "device " + device.toString() + " " + std::string(kNotDirectPairingCapable) + " (it has no /oic/sec/pconf)";
}

void progress(ProvisioningContext& ctx, const std::string& line) {
    if (ctx.progress) ctx.progress(line);
}

ProvisioningOutcome failure(std::string error) {
    ProvisioningOutcome o;
    o.error = std::move(error);
    return o;
}

}  // namespace steward::plugins::directpairing
