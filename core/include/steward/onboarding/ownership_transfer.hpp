#pragma once
// The gateway side of an ownership transfer, in the order and with the payloads of
// ocf-security.md ("Ownership transfer"): select the method over plain CoAP, open the method's
// DTLS session, make the gateway the owner one property per POST, derive the owner PSK from the
// session, move pstat to RFNOP, close, and verify with the owner credential. The OTM plugins wrap
// this; it works with any device that follows the note, not only steward-device.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/model/acl2.hpp"
#include "steward/model/uuid.hpp"
#include "steward/onboarding/security_domain.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::core {

enum class OwnershipMethod { JustWorks = 0, RandomPin = 1 };

struct OwnershipRequest {
    Uuid gatewayId;
    // Written to the device's /oic/sec/sdi (step 10; iotivity-lite refuses the transfer without
    // it). A nil uuid: one derived from gatewayId, for callers without a GatewayIdentity.
    SecurityDomain securityDomain;
    OwnershipMethod method = OwnershipMethod::JustWorks;
    // The UUID discovery found at `plain`: step 1's doxm must name the same device, or nothing
    // is sent to it (a device discovered as Y must not be owned as X). Unset: whatever it says.
    std::optional<Uuid> expectedDevice;
    PeerAddress plain;   // the device's plain CoAP address (discovery)
    PeerAddress secure;  // its DTLS address (the coaps ep)
    // Random PIN: asked once the device shows its PIN; nullopt abandons the transfer.
    std::function<std::optional<SecretBytes>(const Uuid& device)> pin;
    // ACEs the gateway gives itself in step 14; empty: full access to every resource.
    std::vector<Ace> gatewayAces;
    // Called with the owner PSK once derived (right after the handshake) and finished before the
    // device is told to derive it (step 9): the caller stores it durably, so that no crash can
    // leave a device owned by a gateway that lacks its credential. It runs on a thread of its own
    // while steps 3-8 cross the network (the fsyncs overlap the round trips), and has returned
    // by the time transferOwnership() does. Returning false (or throwing) aborts the transfer.
    std::function<bool(const Uuid& device, const SecretBytes& ownerPsk)> persistOwnerCredential;
    std::chrono::milliseconds stepTimeout{5000};
    std::function<void(const std::string& step)> progress;  // one line per step, for logs
};

struct OwnershipResult {
    bool ok = false;
    std::string failedStep;  // e.g. "POST /oic/sec/pstat {om:4}"
    std::string error;       // why, for the user
    Uuid deviceId;           // as read in step 1
    SecretBytes ownerPsk;    // on success: the credential for later owner sessions
    std::string cipher;      // the suite of the ownership session
};

OwnershipResult transferOwnership(CoapEndpoint& endpoint, const OwnershipRequest& request);

// Client PSK lookup for an owner (or pairwise) session: identity = our raw UUID, key = `psk`.
ClientPskLookup ownerSessionPsk(const Uuid& self, SecretBytes psk);

}  // namespace steward::core
