// Direct Pairing's device-side rules: pconf writes, dpairing requests, the installed pairing.
#include "steward/device/direct_pairing.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "cbor/object_reader.hpp"
#include "device/update_helpers.hpp"
#include "steward/model/resource_codec.hpp"
#include "util/id_allocator.hpp"

namespace steward::core {
namespace {

using detail::badRequest;
using detail::guarded;
using detail::parseBody;
using detail::refuse;
using detail::unknownKey;

void wipe(std::vector<std::uint8_t>& secret) {
    if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
    secret.clear();
}

bool allDigits(const std::vector<std::uint8_t>& pin) {
    return std::all_of(pin.begin(), pin.end(), [](std::uint8_t c) { return c >= '0' && c <= '9'; });
}

bool namesSecurityResource(const PdAce& ace) {
    return std::any_of(ace.resources.begin(), ace.resources.end(),
                       [](const AceResource& r) { return !r.wc && normalisePath(r.href).rfind("/oic/sec/", 0) == 0; });
}

bool offered(const Pconf& p, int method) { return std::find(p.prm.begin(), p.prm.end(), method) != p.prm.end(); }

}  // namespace

void ensurePairingResources(SecurityResources& svr) {
    if (!svr.pconf) {
        svr.pconf = Pconf{};
        svr.pconf->deviceuuid = svr.doxm.deviceuuid;
    }
    if (!svr.dpairing) svr.dpairing = Dpairing{};
}

UpdateOutcome postPconf(SecurityResources& svr, std::span<const std::uint8_t> payload) {
    return guarded([&]() -> UpdateOutcome {
        if (!svr.pconf) return refuse(CoapCode::NotFound, "this device does not offer direct pairing");
        const CborValue body = parseBody(payload, "pconf");
        if (auto key = unknownKey(body, {"edp", "prm", "pin", "pdacl", "pddev", "deviceuuid", "rowneruuid"})) {
            return badRequest("pconf." + *key + " is not writable");
        }
        Pconf incoming = pconfFromCbor(body, "pconf");
        Pconf& p = *svr.pconf;
        if (body.find("deviceuuid") != nullptr && !incoming.deviceuuid.isNil() && incoming.deviceuuid != svr.doxm.deviceuuid) {
            return badRequest("pconf.deviceuuid is not this device's UUID");
        }
        if (body.find("pin") != nullptr && !allDigits(incoming.pin)) return badRequest("pconf.pin must be 8 ASCII digits");
        for (const auto& ace : incoming.pdacl) {
            if (namesSecurityResource(ace)) return badRequest("pconf.pdacl may not grant a security resource (/oic/sec/...)");
            if (ace.resources.empty() || ace.permission == 0) return badRequest("pconf.pdacl entries need resources and a permission");
        }
        if (incoming.edp) {
            if (incoming.prm.empty()) return badRequest("pconf.edp true needs a pairing method in prm");
            if (incoming.pin.empty() && p.pin.empty()) return badRequest("pconf.edp true needs a pin");
            if (incoming.pdacl.empty()) return badRequest("pconf.edp true needs a pdacl (what a paired client may do)");
        }
        p.edp = incoming.edp;
        p.prm = incoming.prm;
        p.pdacl = std::move(incoming.pdacl);
        if (!incoming.pin.empty()) {
            wipe(p.pin);
            p.pin = std::move(incoming.pin);
        }
        if (!p.edp) wipe(p.pin);
        wipe(incoming.pin);
        if (!incoming.rowneruuid.isNil()) p.rowneruuid = incoming.rowneruuid;
        p.deviceuuid = svr.doxm.deviceuuid;
        return UpdateOutcome{};
    });
}

std::variant<PairingRequest, UpdateOutcome> checkPairingRequest(const SecurityResources& svr, std::span<const std::uint8_t> payload) {
    try {
        const CborValue body = parseBody(payload, "dpairing");
        if (auto key = unknownKey(body, {"spm", "pdeviceuuid", "rowneruuid"})) return badRequest("dpairing." + *key + " is not writable");
        const Dpairing d = dpairingFromCbor(body, "dpairing");
        if (!svr.pconf || !svr.pconf->edp) return refuse(CoapCode::Forbidden, "direct pairing is disabled");
        if (!offered(*svr.pconf, d.spm)) return badRequest("pairing method " + std::to_string(d.spm) + " is not offered");
        if (d.pdeviceuuid.isNil()) return badRequest("dpairing.pdeviceuuid may not be nil");
        if (d.pdeviceuuid == svr.doxm.deviceuuid || d.pdeviceuuid == svr.doxm.devowneruuid) {
            return badRequest("dpairing.pdeviceuuid names this device or its owner");
        }
        if (!d.pdeviceuuid.isPskUsable()) return badRequest("dpairing.pdeviceuuid cannot be a PSK identity (it holds a 0x00 byte)");
        if (holdsKeyFor(svr, d.pdeviceuuid))
            return refuse(CoapCode::Forbidden, "client " + d.pdeviceuuid.toString() + " is paired already");
        return PairingRequest{d.pdeviceuuid, d.spm};
    } catch (const DecodeError& e) {
        return badRequest(e.what());
    }
}

std::optional<UpdateOutcome> checkPairingConfirmation(std::span<const std::uint8_t> payload, const Uuid& client) {
    try {
        const CborValue body = parseBody(payload, "dpairing");
        if (auto key = unknownKey(body, {"spm", "pdeviceuuid", "rowneruuid"})) return badRequest("dpairing." + *key + " is not writable");
        const Dpairing d = dpairingFromCbor(body, "dpairing");
        if (d.pdeviceuuid != client) return refuse(CoapCode::Forbidden, "the confirmation names another client than the PIN session's");
        return std::nullopt;
    } catch (const DecodeError& e) {
        return badRequest(e.what());
    }
}

bool holdsKeyFor(const SecurityResources& svr, const Uuid& client) { return findPairwiseKey(svr.cred, client) != nullptr; }

UpdateOutcome completePairing(SecurityResources& svr, const Uuid& client, const SecretBytes& key) {
    if (!svr.pconf || !svr.pconf->edp) return refuse(CoapCode::Forbidden, "direct pairing was disabled meanwhile");
    if (holdsKeyFor(svr, client)) return refuse(CoapCode::Forbidden, "client " + client.toString() + " is paired already");
    detail::IdAllocator credids;
    for (const auto& c : svr.cred.creds) credids.markUsed(c.credid.value_or(0));
    Cred cred;
    cred.credid = credids.next();
    if (!cred.credid) return refuse(CoapCode::InternalServerError, "cred: no free credid left");
    cred.credtype = credtype::kSymmetricPairwise;
    cred.subjectuuid = CredSubject{client, false};
    cred.privatedata = EncodedData{std::vector<std::uint8_t>(key.data(), key.data() + key.size()), encoding::kRaw};
    svr.cred.creds.push_back(std::move(cred));

    detail::IdAllocator aceids;
    for (const auto& a : svr.acl.aclist2) aceids.markUsed(a.aceid);
    for (const auto& entry : svr.pconf->pdacl) {
        Ace ace;
        const auto id = aceids.next();
        if (!id) return refuse(CoapCode::InternalServerError, "acl2: no free aceid left");
        ace.aceid = *id;
        ace.subject = client;
        ace.resources = entry.resources;
        ace.permission = entry.permission;
        for (const auto& period : entry.prds) ace.validity.push_back(Validity{period, entry.recurrence});
        svr.acl.aclist2.push_back(std::move(ace));
    }
    auto& pddev = svr.pconf->pddev;
    if (std::find(pddev.begin(), pddev.end(), client) == pddev.end()) pddev.push_back(client);
    return UpdateOutcome{};
}

void forgetRevokedPairings(SecurityResources& svr) {
    if (!svr.pconf) return;
    std::erase_if(svr.pconf->pddev, [&](const Uuid& client) { return !holdsKeyFor(svr, client); });
}

}  // namespace steward::core
