#include "device_access.hpp"

namespace steward::plugins::credmgmt {

DeviceRecord ownedDevice(ProvisioningContext& ctx, const Uuid& id) {
    const auto record = ctx.pdm.device(id);
    if (!record) throw InvalidRequest("unknown device " + id.toString() + " (not in the provisioning database)");
    if (record->state != DeviceRecordState::Owned) {
        throw InvalidRequest("device " + id.toString() + " is not owned yet (ownership transfer pending)");
    }
    return *record;
}

OwnerSession openOwnerSession(ProvisioningContext& ctx, const DeviceRecord& device) {
    return openOwnerSession(ctx, device.id, {device.address, device.securePort});
}

OwnerSession openOwnerSession(ProvisioningContext& ctx, const Uuid& id, const PeerAddress& at) {
    progress(ctx, "owner session to " + id.toString() + " at " + at.host + ":" + std::to_string(at.port));
    return OwnerSession(ctx.endpoint, ctx.identity, id, at, ctx.stepTimeout);
}

void progress(ProvisioningContext& ctx, const std::string& line) {
    if (ctx.progress) ctx.progress(line);
}

ProvisioningOutcome failure(std::string error) {
    ProvisioningOutcome o;
    o.error = std::move(error);
    return o;
}

std::string subjectText(const Uuid& device) { return "uuid:" + device.toString(); }

}  // namespace steward::plugins::credmgmt
