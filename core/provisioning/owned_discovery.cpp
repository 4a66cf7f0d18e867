#include "steward/provisioning/owned_discovery.hpp"

#include "steward/cbor/decode_error.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/provisioning/owner_session.hpp"

namespace steward::core {

void confirmOwnedDevices(CoapEndpoint& endpoint, const GatewayIdentity& identity, std::vector<DiscoveredDevice>& devices,
                         std::chrono::milliseconds timeout, const std::function<void(const std::string&)>& log) {
    const Uuid self = identity.id();
    std::erase_if(devices, [&](DiscoveredDevice& d) {
        if (d.ownerConfirmed) return false;
        const auto drop = [&](const std::string& why) {
            if (log) log(d.deviceId.toString() + " (found by its /oic/res link) not confirmed as ours: " + why);
            return true;
        };
        if (!d.securePort) return drop("no coaps endpoint in its link");
        try {
            OwnerSession session(endpoint, identity, d.deviceId, {d.address, *d.securePort}, timeout);
            const Doxm doxm = decodeDoxm(session.get("/oic/sec/doxm").payload);
            if (!doxm.owned || doxm.devowneruuid != self) return drop("its doxm names another owner");
            if (doxm.deviceuuid != d.deviceId) return drop("its doxm names the device " + doxm.deviceuuid.toString());
            d.oxms = doxm.oxms;
            d.oxmsel = doxm.oxmsel;
            d.owned = true;
            d.owner = self;
            d.ownerConfirmed = true;
            return false;
        } catch (const ProvisioningError& e) {
            return drop(e.what());
        } catch (const DecodeError& e) {
            return drop(std::string("malformed doxm: ") + e.what());
        }
    });
}

}  // namespace steward::core
