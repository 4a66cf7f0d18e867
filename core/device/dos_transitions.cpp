// pstat.dos.s transitions as iotivity-lite enforces them.
#include "steward/device/dos_transitions.hpp"

#include <algorithm>

namespace steward::core {
namespace {

bool hasCredFor(const CredResource& cred, const Uuid& subject) {
    return std::any_of(cred.creds.begin(), cred.creds.end(),
                       [&](const Cred& c) { return !c.subjectuuid.wildcard && c.subjectuuid.uuid == subject; });
}

std::optional<std::string> ownershipIncomplete(const SecurityResources& svr) {
    const struct {
        const char* name;
        const Uuid& rowner;
    } owners[] = {
        {"doxm", svr.doxm.rowneruuid}, {"pstat", svr.pstat.rowneruuid}, {"acl2", svr.acl.rowneruuid}, {"cred", svr.cred.rowneruuid}};
    for (const auto& o : owners) {
        if (o.rowner.isNil()) return std::string(o.name) + " has no rowneruuid";
        if (!hasCredFor(svr.cred, o.rowner)) return std::string("no credential for ") + o.name + "'s rowneruuid";
    }
    if (!svr.doxm.owned) return std::string("doxm.owned is false");
    if (svr.doxm.devowneruuid.isNil()) return std::string("doxm has no devowneruuid");
    if (svr.doxm.deviceuuid.isNil()) return std::string("doxm has no deviceuuid");
    return std::nullopt;
}

}  // namespace

std::optional<std::string> dosTransitionRefusal(const SecurityResources& svr, DosState target) {
    const DosState from = svr.pstat.dos.state;
    const auto refused = [&] { return std::string(dosStateName(from)) + " -> " + std::string(dosStateName(target)) + " is not allowed"; };
    switch (from) {
        case DosState::Reset:
            if (target != DosState::Reset && target != DosState::Rfotm) return refused();
            break;
        case DosState::Rfotm:
            if (target == DosState::Sreset) return refused();
            break;
        case DosState::Rfpro:
        case DosState::Rfnop:
            if (target == DosState::Rfotm) return refused();
            break;
        case DosState::Sreset:
            if (target == DosState::Rfotm || target == DosState::Rfnop) return refused();
            break;
    }
    if (target == DosState::Rfotm && (svr.doxm.owned || !svr.doxm.devowneruuid.isNil())) {
        return std::string("RFOTM needs an unowned doxm");
    }
    if (target == DosState::Rfpro || target == DosState::Rfnop || target == DosState::Sreset) {
        if (auto why = ownershipIncomplete(svr)) return "cannot enter " + std::string(dosStateName(target)) + ": " + *why;
    }
    return std::nullopt;
}

void applyDosState(SecurityResources& svr, DosState target) {
    auto& p = svr.pstat;
    p.dos.state = target;
    p.dos.pending = false;
    switch (target) {
        case DosState::Reset:
            p.cm = provisioning_mode::kReset;
            p.tm = provisioning_mode::kTakeOwner;
            p.isop = false;
            break;
        case DosState::Rfotm:
            p.cm = provisioning_mode::kTakeOwner;
            p.tm = 0;
            p.isop = false;
            break;
        case DosState::Rfpro:
            p.cm = 0;
            p.tm = 0;
            p.isop = false;
            break;
        case DosState::Rfnop:
            p.cm = 0;
            p.tm = 0;
            p.isop = true;
            break;
        case DosState::Sreset:
            p.cm = provisioning_mode::kReset;
            p.tm = 0;
            p.isop = false;
            break;
    }
}

}  // namespace steward::core
