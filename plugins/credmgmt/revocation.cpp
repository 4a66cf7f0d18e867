// Menus 40 and 50, remote reset, and finishing what unreachable devices were owed: taking
// credentials and ACEs back. A device that cannot be reached leaves a stale link or a pending
// action in the PDM; resolvePending() finishes them once it answers again.
#include <set>

#include "device_edits.hpp"
#include "operations.hpp"

namespace steward::plugins::credmgmt {
namespace {

// AlreadyDone: the device answered but no longer knows this gateway (reset by other means).
enum class SideResult { Done, AlreadyDone, Unreachable };

using ProvisioningKind = ProvisioningError::Kind;

// Forgets in the PDM what `device` held for `peer` (its records stay in the history as revoked).
void forgetOnDevice(ProvisioningContext& ctx, const Uuid& device, const Uuid& peer) {
    if (!ctx.pdm.device(device)) return;
    for (const auto& c : ctx.pdm.credentials(device)) {
        if (c.subject == peer && !c.revokedAt) ctx.pdm.revokeCredential(c.id);
    }
    for (const auto& a : ctx.pdm.aces(device)) {
        if (a.subject == subjectText(peer)) ctx.pdm.removeAce(a.id);
    }
}

// Deletes on `device` every credential and ACE for `peer`. A device that no longer knows us was
// reset: what we would delete is gone already.
SideResult revokeOn(ProvisioningContext& ctx, const Uuid& device, const PeerAddress& at, const Uuid& peer, ProvisioningOutcome& outcome) {
    try {
        auto session = openOwnerSession(ctx, device, at);
        int removed = 0;
        session.whileProvisioning([&] { removed = revokePeer(session, peer); });
        outcome.done.push_back("revoked " + std::to_string(removed) + " credential(s)/ACE(s) for " + peer.toString() + " on " +
                               device.toString());
    } catch (const ProvisioningError& e) {
        if (e.kind() == ProvisioningKind::Unreachable) return SideResult::Unreachable;
        if (e.kind() != ProvisioningKind::NotOurs && e.kind() != ProvisioningKind::NoCredential) throw;
        outcome.done.push_back(device.toString() + " no longer knows this gateway (reset?): nothing left to revoke there");
    }
    return SideResult::Done;
}

PeerAddress addressOf(const DeviceRecord& d) { return {d.address, d.securePort}; }

// Every device that holds something for `device`: its links (pairwise, and direct ones on either
// side: a Direct Pairing server holds a credential and ACEs for its client, and an owned client
// one for its server), and devices with ACEs naming it. A holder that is not in the PDM (a guest
// client) is skipped by the callers: nothing of ours is there.
std::set<Uuid> holdersOf(ProvisioningContext& ctx, const Uuid& device) {
    std::set<Uuid> out;
    for (const auto& l : ctx.pdm.links(device)) out.insert(l.a == device ? l.b : l.a);
    for (const auto& d : ctx.pdm.devices()) {
        if (d.id == device) continue;
        for (const auto& a : ctx.pdm.aces(d.id)) {
            if (a.subject == subjectText(device)) out.insert(d.id);
        }
    }
    return out;
}

// Posts pstat dos.s=0; the device answers, then restores its reset profile (unowned).
SideResult resetOn(ProvisioningContext& ctx, const Uuid& device, const PeerAddress& at, ProvisioningOutcome& outcome) {
    try {
        auto session = openOwnerSession(ctx, device, at);
        session.post("/oic/sec/pstat",
                     CborValue::map({{CborValue::text("dos"), CborValue::map({{CborValue::text("s"), CborValue::unsignedInt(0)}})}}));
        outcome.done.push_back(device.toString() + " reset: it returns to its reset profile, unowned");
    } catch (const ProvisioningError& e) {
        if (e.kind() == ProvisioningKind::Unreachable) return SideResult::Unreachable;
        if (e.kind() != ProvisioningKind::NotOurs && e.kind() != ProvisioningKind::NoCredential) throw;
        outcome.done.push_back(device.toString() + " no longer knows this gateway: already reset");
        ctx.identity.removeOwnerCredential(device);
        return SideResult::AlreadyDone;
    }
    ctx.identity.removeOwnerCredential(device);
    return SideResult::Done;
}

// Revokes `device` on every holder and forgets it; `resetPending` records that its own reset is
// still owed.
void revokeEverywhereAndForget(ProvisioningContext& ctx, const DeviceRecord& device, bool resetPending, ProvisioningOutcome& outcome) {
    std::vector<PendingAction> owed;
    std::set<Uuid> revoked;
    for (const auto& holder : holdersOf(ctx, device.id)) {
        const auto record = ctx.pdm.device(holder);
        if (!record) continue;
        if (revokeOn(ctx, holder, addressOf(*record), device.id, outcome) == SideResult::Done) {
            revoked.insert(holder);
        } else {
            owed.push_back({0, holder, device.id, "revoke", record->address, record->securePort, {}});
            outcome.deferred.push_back(holder.toString() + " is unreachable: it loses its credentials for " + device.id.toString() +
                                       " when it is seen again");
        }
    }
    if (resetPending) {
        owed.push_back({0, device.id, device.id, "reset", device.address, device.securePort, {}});
        outcome.deferred.push_back(device.id.toString() + " is unreachable: it is reset when it is seen again");
    }
    ctx.pdm.transaction([&] {
        for (const auto& holder : revoked) forgetOnDevice(ctx, holder, device.id);
        for (const auto& p : owed) ctx.pdm.addPendingAction(p);
        ctx.pdm.removeDevice(device.id);
    });
    auto& report = outcome.removal;
    report.revokedOn.assign(revoked.begin(), revoked.end());
    for (const auto& p : owed) {
        if (p.action == "revoke") report.revokePending.push_back(p.device);
    }
    report.forgotten = true;
}

DeviceReset resetReport(SideResult r) {
    switch (r) {
        case SideResult::Done:
            return DeviceReset::Reset;
        case SideResult::AlreadyDone:
            return DeviceReset::AlreadyReset;
        case SideResult::Unreachable:
            return DeviceReset::Pending;
    }
    return DeviceReset::None;
}

bool unlinkSide(ProvisioningContext& ctx, const Uuid& side, const Uuid& other, ProvisioningOutcome& outcome) {
    const auto record = ctx.pdm.device(side);
    if (!record) return true;  // forgotten since, or a guest client of a direct pairing: nothing of ours there
    if (revokeOn(ctx, side, addressOf(*record), other, outcome) == SideResult::Unreachable) {
        outcome.deferred.push_back(side.toString() + " is unreachable: the link stays stale until it is seen again");
        return false;
    }
    ctx.pdm.transaction([&] { forgetOnDevice(ctx, side, other); });
    return true;
}

ProvisioningOutcome unlinkPair(ProvisioningContext& ctx, const Uuid& a, const Uuid& b) {
    ProvisioningOutcome outcome;
    const bool doneA = unlinkSide(ctx, a, b, outcome);
    const bool doneB = unlinkSide(ctx, b, a, outcome);
    if (doneA && doneB) {
        // Every link between the two goes: both sides lost every credential and ACE naming the other.
        ctx.pdm.removeLink(a, b);
        outcome.done.push_back("unlinked " + a.toString() + " and " + b.toString());
    } else {
        ctx.pdm.setLinkStale(a, b, true, "unlink");
    }
    outcome.ok = true;
    return outcome;
}

}  // namespace

ProvisioningOutcome unlink(ProvisioningContext& ctx, const Uuid& a, const Uuid& b) {
    return runOperation([&] {
        if (a == b) throw InvalidRequest("a device is never linked with itself");
        // The client of a direct link may be a guest the PDM does not know: only then may one side
        // be unknown (unlinkSide skips it).
        if (!ctx.pdm.link(a, b)) {
            for (const auto& id : {a, b}) {
                if (!ctx.pdm.device(id)) throw InvalidRequest("unknown device " + id.toString() + " (not in the provisioning database)");
            }
            throw InvalidRequest("devices " + a.toString() + " and " + b.toString() + " are not linked");
        }
        return unlinkPair(ctx, a, b);
    });
}

ProvisioningOutcome removeDevice(ProvisioningContext& ctx, const Uuid& id) {
    return runOperation([&] {
        const auto device = ctx.pdm.device(id);
        if (!device) throw InvalidRequest("unknown device " + id.toString() + " (not in the provisioning database)");
        ProvisioningOutcome outcome;
        const auto reset = resetOn(ctx, id, addressOf(*device), outcome);
        revokeEverywhereAndForget(ctx, *device, reset == SideResult::Unreachable, outcome);
        outcome.removal.reset = resetReport(reset);
        outcome.done.push_back("removed " + id.toString() + " from the provisioning database");
        outcome.ok = true;
        return outcome;
    });
}

ProvisioningOutcome resetDevice(ProvisioningContext& ctx, const Uuid& id) {
    return runOperation([&] {
        const auto device = ownedDevice(ctx, id);
        ProvisioningOutcome outcome;
        // Unlike removal, a reset is the point: an unreachable device fails it and nothing changes.
        const auto reset = resetOn(ctx, id, addressOf(device), outcome);
        if (reset == SideResult::Unreachable) {
            throw ProvisioningError(ProvisioningKind::Unreachable, id.toString() + " is unreachable: not reset, nothing changed");
        }
        revokeEverywhereAndForget(ctx, device, false, outcome);
        outcome.removal.reset = resetReport(reset);
        outcome.ok = true;
        return outcome;
    });
}

ProvisioningOutcome resolvePending(ProvisioningContext& ctx) {
    return runOperation([&] {
        ProvisioningOutcome outcome;
        for (const auto& link : ctx.pdm.staleLinks()) {
            if (link.pendingAction != "unlink") continue;
            const auto step = unlinkPair(ctx, link.a, link.b);
            outcome.done.insert(outcome.done.end(), step.done.begin(), step.done.end());
            outcome.deferred.insert(outcome.deferred.end(), step.deferred.begin(), step.deferred.end());
        }
        for (const auto& p : ctx.pdm.pendingActions()) {
            // A device still in the PDM may have been seen at a newer address since.
            const auto record = ctx.pdm.device(p.device);
            const PeerAddress at = record ? addressOf(*record) : PeerAddress{p.address, p.securePort};
            const auto result = p.action == "reset" ? resetOn(ctx, p.device, at, outcome) : revokeOn(ctx, p.device, at, p.peer, outcome);
            if (result == SideResult::Unreachable) {
                outcome.deferred.push_back(p.action + " on " + p.device.toString() + ": still unreachable");
                continue;
            }
            ctx.pdm.transaction([&] {
                if (p.action == "revoke") forgetOnDevice(ctx, p.device, p.peer);
                ctx.pdm.removePendingAction(p.id);
            });
        }
        outcome.ok = true;
        return outcome;
    });
}

}  // namespace steward::plugins::credmgmt
