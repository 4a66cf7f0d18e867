#pragma once
// Provider interface of category "credmgmt": what the gateway provisions on devices it owns and
// how it takes it back (the Provisioning Manager's second role, seed menu items 30–50): ACEs,
// pairwise credentials (links), unlinking, removing a device, remote reset, certificates.
//
// The host hands every call a ProvisioningContext: the gateway's identity (owner credentials),
// its PDM and a CoAP endpoint. A provider keeps the PDM consistent with the devices: what it
// installs is recorded, what it cannot finish because a device is unreachable is recorded as
// stale (links) or pending (PendingAction) and finished by resolvePending() when the device is
// seen again. Calls may run concurrently for different devices; calls must not throw (the host
// guards them anyway and turns an exception into a failed outcome).
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "steward/model/acl2.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/pdm/provisioning_database.hpp"
#include "steward/plugin/provider.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::core {

class CertificateAuthority;

struct ProvisioningContext {
    ProvisioningContext(GatewayIdentity& id, ProvisioningDatabase& db, CoapEndpoint& ep) : identity(id), pdm(db), endpoint(ep) {}

    GatewayIdentity& identity;
    ProvisioningDatabase& pdm;
    CoapEndpoint& endpoint;
    CertificateAuthority* ca = nullptr;  // nullptr: certificate operations fail cleanly
    std::chrono::milliseconds stepTimeout{5000};
    std::function<void(const std::string&)> progress;  // one line per step, for logs; may be empty
};

// What became of the device itself in removeDevice() and resetDevice().
enum class DeviceReset {
    None,          // not a removal or reset (every other call), or the call failed
    Reset,         // it accepted the reset (pstat dos.s=0) now: it returns to its reset profile, unowned
    AlreadyReset,  // it answered but no longer knew this gateway (reset by other means): nothing to do
    Pending,       // unreachable: recorded as a pending action, reset when it is seen again (removal only)
};

// "none", "reset", "already_reset", "pending" (as the MQTT API reports it).
inline std::string_view toString(DeviceReset r) {
    switch (r) {
        case DeviceReset::None:
            return "none";
        case DeviceReset::Reset:
            return "reset";
        case DeviceReset::AlreadyReset:
            return "already_reset";
        case DeviceReset::Pending:
            return "pending";
    }
    return "none";
}

// The facts of a removal or reset, for reports that must agree with each other (a response and an
// event); the lines in `done`/`deferred` say the same for people.
struct RemovalReport {
    DeviceReset reset = DeviceReset::None;
    std::vector<Uuid> revokedOn;      // owned devices that lost the device's credentials and ACEs now
    std::vector<Uuid> revokePending;  // unreachable ones: recorded as pending, revoked when seen again
    bool forgotten = false;           // the PDM and the owner credential no longer know the device
};

struct ProvisioningOutcome {
    bool ok = false;
    std::string error;                  // why it failed, for the user ("" when ok)
    std::vector<std::string> deferred;  // work left for a device that was unreachable (stale/pending)
    std::vector<std::string> done;      // what was changed, one line each
    RemovalReport removal;              // filled by removeDevice() and resetDevice() only
};

struct PairwiseRequest {
    Uuid a;
    Uuid b;
    int keyBits = 128;  // 128 or 256
    // Menu 30 ("link"): also ACEs both ways, each device granting the other `resources` with
    // `permission`. Menu 31: credentials only (empty resources).
    std::vector<AceResource> resources;
    int permission = 0;
};

class CredentialManagementProvider : public Provider {
public:
    // Menu 32: writes `aces` to `device` (aceids assigned by the device) and records them; an ACE
    // already recorded for the device (same subject, resources, permission) is not sent again.
    virtual ProvisioningOutcome provisionAcl(ProvisioningContext& ctx, const Uuid& device, const std::vector<Ace>& aces,
                                             const std::string& origin) const = 0;
    // Menus 30/31: a fresh random key on both devices, each with the other as subject; the link is
    // recorded. All or nothing: if the second device fails, the first is undone.
    virtual ProvisioningOutcome provisionPairwise(ProvisioningContext& ctx, const PairwiseRequest& request) const = 0;
    // Menu 40: deletes the pair's credentials and ACEs on both devices and forgets the link; a
    // device that cannot be reached leaves the link stale, pending "unlink".
    virtual ProvisioningOutcome unlink(ProvisioningContext& ctx, const Uuid& a, const Uuid& b) const = 0;
    // Menu 50: revokes the device's credentials and ACEs on every device linked with it, resets it
    // if reachable, and forgets it (unreachable peers and the device's own reset become pending).
    // outcome.removal says which of these happened now and which are pending.
    virtual ProvisioningOutcome removeDevice(ProvisioningContext& ctx, const Uuid& device) const = 0;
    // Remote reset (pstat dos.s=0): the device returns to its reset profile, unowned; the PDM and
    // the owner credential forget it. Links to it are revoked on its peers as for removal.
    // outcome.removal as for removeDevice() (its reset is never Pending: unreachable fails).
    virtual ProvisioningOutcome resetDevice(ProvisioningContext& ctx, const Uuid& device) const = 0;
    // The gateway CA as a trust anchor (credusage trustca) and a fresh device certificate with its
    // key (credtype 8, credusage cert, CN "uuid:<device>").
    virtual ProvisioningOutcome provisionCertificate(ProvisioningContext& ctx, const Uuid& device, std::chrono::hours validity) const = 0;
    // Finishes stale links and pending actions whose devices can be reached now.
    virtual ProvisioningOutcome resolvePending(ProvisioningContext& ctx) const = 0;
};

}  // namespace steward::core
