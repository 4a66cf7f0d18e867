#pragma once
// Direct Pairing on the server device (ocf-security.md, "Direct Pairing"; IoTivity 1.2): what the
// owner's pconf POST changes, whether a client's plain dpairing POST may start a pairing, and what
// a finished pairing installs. Like svr_updates.hpp, functions edit a copy of the resources; the
// caller stores it only when the update succeeded.
#include <span>
#include <variant>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/device/svr_updates.hpp"

namespace steward::core {

// A direct-pairing-capable device that holds no pconf yet (a new one, or one just reset: the
// reset profile holds only doxm, pstat, cred and acl) gets a disabled one and an empty dpairing.
void ensurePairingResources(SecurityResources& svr);

// POST /oic/sec/pconf from the resource owner: edp, prm, pin, pdacl and rowneruuid are replaced;
// edp true needs a non-empty prm and a pin; edp false also forgets the pin. pddev is the device's
// own record and a POST's pddev is ignored; deviceuuid, if sent, must be the device's. A pdacl
// naming a security resource (/oic/sec/...) is refused: a guest must never get those.
UpdateOutcome postPconf(SecurityResources& svr, std::span<const std::uint8_t> payload);

struct PairingRequest {
    Uuid client;
    int method = 0;  // pairing_method::kPreconfiguredPin or kRandomPin
};

// A client's plain POST /oic/sec/dpairing {spm, pdeviceuuid, rowneruuid}: accepted when pairing
// is enabled, spm is offered and the client is not paired already (nor the device itself or its
// owner). Otherwise the refusal (code and reason).
std::variant<PairingRequest, UpdateOutcome> checkPairingRequest(const SecurityResources& svr, std::span<const std::uint8_t> payload);

// The client's confirmation on the PIN session, PUT /oic/sec/dpairing {spm: 0, pdeviceuuid}:
// nullopt if it names `client`, else the refusal.
std::optional<UpdateOutcome> checkPairingConfirmation(std::span<const std::uint8_t> payload, const Uuid& client);

// Installs the pairing: a pairwise credential for `client` with `key`, one ACE per pdacl entry
// with the client as subject, and the client in pddev.
UpdateOutcome completePairing(SecurityResources& svr, const Uuid& client, const SecretBytes& key);

// True if the device holds a pairwise credential for `client`.
bool holdsKeyFor(const SecurityResources& svr, const Uuid& client);

// Drops from pddev the clients the device no longer holds a credential for (the owner revoked the
// pairing), so that pddev stays true and a revoked client may pair again.
void forgetRevokedPairings(SecurityResources& svr);

}  // namespace steward::core
