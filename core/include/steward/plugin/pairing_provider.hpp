#pragma once
// Provider interface of category "pairing": Direct Pairing (IoTivity 1.2; seed menu item 33,
// ocf-security.md "Direct Pairing"). The gateway provisions /oic/sec/pconf on an owned,
// direct-pairing-capable device; later a client device pairs with it by PIN without the gateway.
// At sync the gateway reads the pairings the devices made (pconf pddev) and records them in the
// PDM as direct links, which unlink and remove revoke like gateway-made links.
//
// Same contract as credential_provider.hpp: calls get a ProvisioningContext, must not throw, may
// run concurrently for different devices.
#include <string>
#include <string_view>
#include <vector>

#include "steward/model/pconf.hpp"
#include "steward/plugin/credential_provider.hpp"

namespace steward::core {

struct DirectPairingConfig {
    // pairing_method::kPreconfiguredPin and/or kRandomPin; not empty.
    std::vector<int> methods;
    // 8 ASCII digits. Empty: the provider makes a random one (the device needs a PIN whenever
    // edp is true, even when only the random-PIN method is offered).
    SecretBytes pin;
    // What the device grants a paired client (pdacl): each entry's resources and permission.
    // Never a security resource (/oic/sec/*): the device refuses those.
    std::vector<PdAce> pdacl;
};

// How configure() and disable() say that the device hosts no pconf ("device X is not
// direct-pairing capable ..."): callers such as the policy applier treat it as "skipped".
inline constexpr std::string_view kNotDirectPairingCapable = "is not direct-pairing capable";

class DirectPairingProvider : public Provider {
public:
    // POSTs pconf {edp:true, prm, pin, pdacl, rowneruuid: gateway} to an owned device. Fails
    // cleanly for a device that is not direct-pairing capable (it has no pconf) or refuses it.
    virtual ProvisioningOutcome configure(ProvisioningContext& ctx, const Uuid& device, const DirectPairingConfig& config) const = 0;
    // POSTs pconf {edp:false, prm:[], pdacl:[]}: no new pairing is accepted; pairings already
    // made stay (unlink revokes them).
    virtual ProvisioningOutcome disable(ProvisioningContext& ctx, const Uuid& device) const = 0;
    // Reads pconf pddev from every reachable owned device that hosts pconf and records each
    // (device, paired client) as a direct link; a recorded direct link whose client the device no
    // longer lists is forgotten.
    virtual ProvisioningOutcome syncPairings(ProvisioningContext& ctx) const = 0;
};

}  // namespace steward::core
