// libFuzzer target for a device's request handling: any datagram, in any state and on any kind
// of session, must be refused or applied cleanly, and whatever a POST/DELETE accepted must store
// and load again (the device writes it to its SVR DB and must be able to restart from it).
//
// Input: byte 0 picks the device state and the session; the rest is one CoAP datagram.
#include <cstdlib>

#include "device_update_driver.hpp"
#include "steward/device/access_policy.hpp"
#include "steward/device/svr_updates.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "steward/svr/svr_file_format.hpp"
#include "steward/transport/coap_wire.hpp"

using namespace steward::core;

namespace {

const Uuid kDevice = Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99").value();
const Uuid kOwner = Uuid::parse("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f").value();
const Uuid kPeer = Uuid::parse("11111111-2222-3333-4444-555555555555").value();

SecurityResources initialState(bool owned) {
    auto r = factoryResources(kDevice, DeviceProfile{{oxm::kJustWorks, oxm::kRandomPin}, true});
    if (!owned) return r;
    r.doxm.owned = true;
    r.doxm.devowneruuid = r.doxm.rowneruuid = r.pstat.rowneruuid = r.acl.rowneruuid = r.cred.rowneruuid = kOwner;
    Cred c;
    c.credid = 1;
    c.subjectuuid = CredSubject{kOwner, false};
    c.privatedata = EncodedData{std::vector<std::uint8_t>(16, 7), encoding::kRaw};
    r.cred.creds.push_back(c);
    r.pstat.dos.state = DosState::Rfpro;
    // Pairing enabled, so that dpairing requests reach the pairing rules.
    r.pconf->edp = true;
    r.pconf->prm = {1, 2};
    r.pconf->pin = {'1', '2', '3', '4', '5', '6', '7', '8'};
    PdAce ace;
    AceResource light;
    light.href = "/a/light";
    ace.resources = {light};
    ace.permission = 6;
    r.pconf->pdacl = {ace};
    r.pconf->rowneruuid = kOwner;
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t selector = data[0];
    CoapRequest request;
    try {
        request = requestFromWire(decodeCoapMessage({data + 1, size - 1}));
    } catch (const CoapWireError&) {
        return 0;
    }
    SecurityResources svr = initialState((selector & 1U) != 0);
    AccessRequest access;
    access.method = request.method;
    access.path = normalisePath(request.path);
    access.secure = (selector & 2U) != 0;
    access.ownershipSession = (selector & 4U) != 0;
    if ((selector & 8U) != 0) access.peer = kOwner;
    (void)checkAccess(svr, (selector & 16U) != 0, access);

    UpdateContext ctx;
    ctx.secure = access.secure;
    ctx.ownershipSession = access.ownershipSession;
    ctx.deriveOwnerPsk = [](const Uuid&) { return std::optional(std::vector<std::uint8_t>(16, 0x5A)); };
    steward::fuzz::applyAndCheck(svr, request, access.path, ctx, (selector & 32U) != 0 ? kPeer : Uuid{});
    return 0;
}
