// Menus 30 and 31: one fresh random key on both devices, each keyed by the other's UUID (and, for
// a link, ACEs both ways). All or nothing: a failure on the second device takes back the first.

#include "device_edits.hpp"
#include "operations.hpp"
#include "steward/crypto/random.hpp"

namespace steward::plugins::credmgmt {
namespace {

struct Installed {
    int credid = 0;
    std::vector<Ace> aces;
};

// Installs on `self` the key for `peer` and, if asked, an ACE granting `peer` the resources.
Installed installOn(OwnerSession& session, const Uuid& peer, const SecretBytes& key, const PairwiseRequest& request) {
    Installed done;
    session.whileProvisioning([&] {
        done.credid = addPairwiseCredential(session, peer, key);
        if (!request.resources.empty()) {
            Ace ace;
            ace.subject = peer;
            ace.resources = request.resources;
            ace.permission = request.permission;
            try {
                done.aces = addAces(session, {ace});
            } catch (...) {
                removeEntries(session, {done.credid}, {});
                throw;
            }
        }
    });
    return done;
}

void record(ProvisioningContext& ctx, const Uuid& device, const Uuid& peer, const Installed& installed, int keyBits) {
    CredentialRecord c;
    c.device = device;
    c.subject = peer;
    c.credtype = credtype::kSymmetricPairwise;
    c.keyBits = keyBits;
    ctx.pdm.addCredential(c);
    for (const auto& ace : installed.aces) ctx.pdm.addAce(aceRecordFor(device, ace, "pairwise"));
}

}  // namespace

ProvisioningOutcome provisionPairwise(ProvisioningContext& ctx, const PairwiseRequest& request) {
    return runOperation([&] {
        if (request.keyBits != 128 && request.keyBits != 256) {
            throw InvalidRequest("key length " + std::to_string(request.keyBits) + " bits: only 128 or 256");
        }
        if (request.a == request.b) throw InvalidRequest("a device cannot be paired with itself");
        const auto a = ownedDevice(ctx, request.a);
        const auto b = ownedDevice(ctx, request.b);
        if (!request.resources.empty() && (request.permission <= 0 || request.permission > permission::kAll)) {
            throw InvalidRequest("permission " + std::to_string(request.permission) + " is not a CRUDN bit mask (1..31)");
        }
        if (const auto existing = ctx.pdm.link(a.id, b.id)) {
            throw InvalidRequest("devices " + a.id.toString() + " and " + b.id.toString() +
                                 (existing->stale    ? " have a stale link (pending " + existing->pendingAction + "); run sync first"
                                  : existing->direct ? " are already paired with each other (Direct Pairing); unlink them first"
                                                     : " are already linked; unlink them first"));
        }

        const auto key = randomSecret(static_cast<std::size_t>(request.keyBits / 8));

        auto sessionA = openOwnerSession(ctx, a);
        auto sessionB = openOwnerSession(ctx, b);  // both reachable before anything changes
        // The intent first: from here a crash (or a failure that cannot be undone) leaves a stale
        // link that sync takes back from both devices; only both sides written make it a link.
        ctx.pdm.transaction([&] {
            ctx.pdm.putLink(a.id, b.id);
            ctx.pdm.setLinkStale(a.id, b.id, true, "unlink");
        });
        progress(ctx, "installing the pairwise credential on " + a.id.toString());
        Installed onA;
        try {
            onA = installOn(sessionA, b.id, key, request);
        } catch (const ProvisioningError& e) {
            throw ProvisioningError(e.kind(), std::string(e.what()) + " (the link is marked stale until sync takes back what " +
                                                  a.id.toString() + " may hold)");
        }
        Installed onB;
        try {
            progress(ctx, "installing the pairwise credential on " + b.id.toString());
            onB = installOn(sessionB, a.id, key, request);
        } catch (const ProvisioningError& e) {
            progress(ctx, "taking the credential back from " + a.id.toString());
            std::vector<int> aceids;
            for (const auto& ace : onA.aces) aceids.push_back(ace.aceid);
            try {
                sessionA.whileProvisioning([&] { removeEntries(sessionA, {onA.credid}, aceids); });
            } catch (const ProvisioningError& undo) {
                // A holds a key B does not: harmless (nobody else has it); the stale link stays for sync.
                throw ProvisioningError(e.kind(), std::string(e.what()) + "; undoing on " + a.id.toString() + " failed too (" +
                                                      undo.what() + "): the link is marked stale");
            }
            ctx.pdm.removeLink(a.id, b.id);
            throw;
        }
        ctx.pdm.transaction([&] {
            ctx.pdm.setLinkStale(a.id, b.id, false, "");
            record(ctx, a.id, b.id, onA, request.keyBits);
            record(ctx, b.id, a.id, onB, request.keyBits);
        });
        ProvisioningOutcome outcome;
        outcome.ok = true;
        outcome.done.push_back(std::to_string(request.keyBits) + "-bit pairwise credential: " + a.id.toString() + " (credid " +
                               std::to_string(onA.credid) + ") <-> " + b.id.toString() + " (credid " + std::to_string(onB.credid) + ")");
        if (!request.resources.empty()) outcome.done.push_back("ACEs both ways, permission " + permission::toString(request.permission));
        return outcome;
    });
}

}  // namespace steward::plugins::credmgmt
