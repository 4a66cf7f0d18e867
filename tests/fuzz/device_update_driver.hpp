#pragma once
// What the device fuzzers share: applying one request to a device's security resources as the
// device does, and the check that whatever was applied stores and loads again.
#include <cstdlib>
#include <string>

#include "steward/device/access_policy.hpp"
#include "steward/device/direct_pairing.hpp"
#include "steward/device/svr_updates.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::fuzz {

// Aborts (a finding) if the device could not restart from what it would write.
inline void mustReload(const core::SecurityResources& r) {
    try {
        (void)core::decodeDoxm(core::encodeDoxm(r.doxm));
        (void)core::decodePstat(core::encodePstat(r.pstat));
        (void)core::decodeCred(core::encodeCred(r.cred, core::PrivateData::Include));
        (void)core::decodeAcl2(core::encodeAcl2(r.acl));
        if (r.pconf) (void)core::decodePconf(core::encodePconf(*r.pconf, core::PrivateData::Include));
    } catch (const core::DecodeError&) {
        std::abort();  // accepted but not storable: a device would not restart
    }
}

// Direct Pairing: a plain dpairing POST only asks (nothing changes); on a secure session the
// confirmation installs a pairing for `peer` when it names it.
inline core::UpdateOutcome applyPairing(core::SecurityResources& svr, const core::CoapRequest& request, const core::UpdateContext& ctx,
                                        const core::Uuid& peer) {
    if (!ctx.secure) {
        (void)core::checkPairingRequest(svr, request.payload);
        return core::UpdateOutcome{core::CoapCode::BadRequest, "", {}, {}};
    }
    if (auto refusal = core::checkPairingConfirmation(request.payload, peer)) return *refusal;
    const core::SecretBytes key(std::vector<std::uint8_t>(16, 0x3C));
    auto outcome = core::completePairing(svr, peer, key);
    if (outcome.ok()) {
        auto reloaded = svr;
        core::forgetRevokedPairings(reloaded);
        if (reloaded.pconf != svr.pconf) std::abort();  // a fresh pairing must hold its own key
    }
    return outcome;
}

// The POST/DELETE rules for `request` on `path` (normalised); GETs and other resources change
// nothing. Then mustReload() if the update was accepted. `peer`: who sends it (Direct Pairing).
inline void applyAndCheck(core::SecurityResources& svr, const core::CoapRequest& request, const std::string& path,
                          const core::UpdateContext& ctx, const core::Uuid& peer = core::Uuid{}) {
    using core::ResourceClass;
    core::UpdateOutcome outcome;
    const bool write = request.method == core::CoapMethod::Post || request.method == core::CoapMethod::Put;
    switch (core::classifyResource(path)) {
        case ResourceClass::Doxm:
            outcome = write ? core::postDoxm(svr, request.payload, ctx) : outcome;
            break;
        case ResourceClass::Pstat:
            outcome = write ? core::postPstat(svr, request.payload, ctx) : outcome;
            break;
        case ResourceClass::Cred:
            outcome = write ? core::postCred(svr, request.payload, ctx) : core::deleteCred(svr, request.query);
            break;
        case ResourceClass::Acl2:
            outcome = write ? core::postAcl2(svr, request.payload, ctx) : core::deleteAcl2(svr, request.query);
            break;
        case ResourceClass::Pconf:
            outcome = write ? core::postPconf(svr, request.payload) : outcome;
            break;
        case ResourceClass::Dpairing:
            if (!write || peer.isNil()) return;
            outcome = applyPairing(svr, request, ctx, peer);
            break;
        default:
            return;
    }
    if (outcome.ok() && core::classifyResource(path) == ResourceClass::Cred && request.method == core::CoapMethod::Delete) {
        core::forgetRevokedPairings(svr);
    }
    if (outcome.ok()) mustReload(svr);
}

}  // namespace steward::fuzz
