// At sync: the pairings devices made without the gateway, read from each owned device's pconf
// pddev, recorded in the PDM as direct links (server = the device, client = the paired UUID).
// A pddev entry counts only while the device still holds a credential for that client: once
// unlink or remove revoked it, the pairing is over even if the device still lists the client.
#include <set>

#include "operations.hpp"
#include "steward/cbor/decode_error.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::plugins::directpairing {
namespace {

// The clients `device` is paired with now, or nullopt when it has no pconf (not capable).
std::optional<std::set<Uuid>> pairedClients(ProvisioningContext& ctx, const DeviceRecord& device) {
    auto session = openOwnerSession(ctx, device);
    CoapResponse answer;
    try {
        answer = session.get(kPconfPath);
    } catch (const ProvisioningError& e) {
        if (isNotFound(e)) return std::nullopt;
        throw;
    }
    Pconf pconf;
    try {
        pconf = decodePconf(answer.payload);
    } catch (const DecodeError& e) {
        throw ProvisioningError(ProvisioningError::Kind::Malformed, device.id.toString() + ": malformed pconf: " + e.what());
    }
    std::set<Uuid> keyed;
    for (const auto& c : session.readCred().creds) {
        if (!c.subjectuuid.wildcard) keyed.insert(c.subjectuuid.uuid);
    }
    std::set<Uuid> out;
    for (const auto& client : pconf.pddev) {
        if (client != device.id && !client.isNil() && keyed.count(client) != 0) out.insert(client);
    }
    return out;
}

// Makes the PDM's direct links of `server` match `clients`; stale links are left to unlink.
void record(ProvisioningContext& ctx, const Uuid& server, const std::set<Uuid>& clients, ProvisioningOutcome& outcome) {
    std::set<Uuid> recorded;
    std::vector<Uuid> gone;
    for (const auto& l : ctx.pdm.links(server)) {
        if (!l.direct || l.a != server) continue;
        recorded.insert(l.b);
        if (!l.stale && clients.count(l.b) == 0) gone.push_back(l.b);
    }
    ctx.pdm.transaction([&] {
        for (const auto& client : clients) {
            if (recorded.count(client) != 0) continue;
            ctx.pdm.putDirectLink(server, client);
            outcome.done.push_back("recorded direct pairing " + server.toString() + " <- " + client.toString());
        }
        for (const auto& client : gone) {
            ctx.pdm.removeDirectLink(server, client);
            outcome.done.push_back("forgot direct pairing " + server.toString() + " <- " + client.toString() +
                                   " (the device no longer lists it)");
        }
    });
}

}  // namespace

ProvisioningOutcome syncPairings(ProvisioningContext& ctx) {
    return runOperation([&] {
        ProvisioningOutcome outcome;
        for (const auto& device : ctx.pdm.devicesInState(DeviceRecordState::Owned)) {
            std::optional<std::set<Uuid>> clients;
            try {
                clients = pairedClients(ctx, device);
            } catch (const ProvisioningError& e) {
                // Its direct links stay as recorded until it can be asked again.
                outcome.deferred.push_back(device.id.toString() + ": direct pairings not read (" + std::string(toString(e.kind())) +
                                           "): " + e.what());
                continue;
            }
            if (!clients) continue;  // not direct-pairing capable
            record(ctx, device.id, *clients, outcome);
        }
        outcome.ok = true;
        return outcome;
    });
}

}  // namespace steward::plugins::directpairing
