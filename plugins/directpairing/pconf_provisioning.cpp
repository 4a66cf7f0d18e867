// Menu item 33 and its undoing: the owner POSTs /oic/sec/pconf to an owned, direct-pairing-capable
// device (ocf-security.md, Direct Pairing step 1). The device takes it in RFNOP from its owner, so
// no state change is needed. The PIN goes to the device only: never into a log or an outcome line.
#include <openssl/crypto.h>

#include "config_check.hpp"
#include "operations.hpp"
#include "steward/device/device_security.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::plugins::directpairing {
namespace {

// POSTs `pconf`; 4.04 means the device has no pconf at all.
void postPconf(ProvisioningContext& ctx, const DeviceRecord& device, const Pconf& pconf) {
    auto session = openOwnerSession(ctx, device);
    progress(ctx, "POST " + std::string(kPconfPath) + " to " + device.id.toString());
    auto body = pconfToCbor(pconf, PrivateData::Include);
    try {
        session.post(kPconfPath, body);
    } catch (const ProvisioningError& e) {
        if (isNotFound(e)) throw InvalidRequest(notCapable(device.id));
        throw;
    }
}

}  // namespace

ProvisioningOutcome configure(ProvisioningContext& ctx, const Uuid& id, const DirectPairingConfig& config) {
    return runOperation([&] {
        if (const auto error = configError(config); !error.empty()) throw InvalidRequest(error);
        const auto device = ownedDevice(ctx, id);
        // The device needs a PIN whenever edp is true, even if only the random-PIN method is offered.
        const SecretBytes pin = config.pin.empty() ? generatePin() : config.pin.clone();

        Pconf pconf;
        pconf.edp = true;
        pconf.prm = config.methods;
        pconf.pin.assign(pin.begin(), pin.end());
        pconf.pdacl = config.pdacl;
        pconf.deviceuuid = id;
        pconf.rowneruuid = ctx.identity.id();
        try {
            postPconf(ctx, device, pconf);
        } catch (...) {
            OPENSSL_cleanse(pconf.pin.data(), pconf.pin.size());
            throw;
        }
        OPENSSL_cleanse(pconf.pin.data(), pconf.pin.size());

        ProvisioningOutcome outcome;
        outcome.done.push_back("direct pairing enabled on " + id.toString() + ": " + methodNames(config.methods) + "; " +
                               std::to_string(config.pdacl.size()) + " ACL template entr" + (config.pdacl.size() == 1 ? "y" : "ies") +
                               " for paired clients");
        outcome.ok = true;
        return outcome;
    });
}

ProvisioningOutcome disable(ProvisioningContext& ctx, const Uuid& id) {
    return runOperation([&] {
        const auto device = ownedDevice(ctx, id);
        Pconf pconf;  // edp false, no methods, no template
        pconf.deviceuuid = id;
        pconf.rowneruuid = ctx.identity.id();
        postPconf(ctx, device, pconf);
        ProvisioningOutcome outcome;
        outcome.done.push_back("direct pairing disabled on " + id.toString() +
                               ": no new pairing is accepted (pairings already made stay until unlinked)");
        outcome.ok = true;
        return outcome;
    });
}

}  // namespace steward::plugins::directpairing
