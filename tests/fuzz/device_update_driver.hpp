#pragma once
// What the device fuzzers share: applying one request to a device's security resources as the
// device does, and the check that whatever was applied stores and loads again.
#include <cstdlib>
#include <string>

#include "steward/device/access_policy.hpp"
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
    } catch (const core::DecodeError&) {
        std::abort();  // accepted but not storable: a device would not restart
    }
}

// The POST/DELETE rules for `request` on `path` (normalised); GETs and other resources change
// nothing. Then mustReload() if the update was accepted.
inline void applyAndCheck(core::SecurityResources& svr, const core::CoapRequest& request, const std::string& path,
                          const core::UpdateContext& ctx) {
    using core::ResourceClass;
    core::UpdateOutcome outcome;
    const bool write = request.method == core::CoapMethod::Post || request.method == core::CoapMethod::Put;
    switch (core::classifyResource(path)) {
        case ResourceClass::Doxm: outcome = write ? core::postDoxm(svr, request.payload, ctx) : outcome; break;
        case ResourceClass::Pstat: outcome = write ? core::postPstat(svr, request.payload, ctx) : outcome; break;
        case ResourceClass::Cred: outcome = write ? core::postCred(svr, request.payload, ctx) : core::deleteCred(svr, request.query); break;
        case ResourceClass::Acl2: outcome = write ? core::postAcl2(svr, request.payload, ctx) : core::deleteAcl2(svr, request.query); break;
        default: return;
    }
    if (outcome.ok()) mustReload(svr);
}

}  // namespace steward::fuzz
