#pragma once
// Provider interface of category "otm": one ownership transfer method. The host picks the
// provider whose oxm() the device offers, and calls transfer() with its DTLS endpoint. A
// provider must follow ocf-security.md's order; core's transferOwnership() does, and a provider
// for a new method can reuse it or write its own steps.
#include "steward/onboarding/ownership_transfer.hpp"
#include "steward/plugin/provider.hpp"

namespace steward::core {

class OwnershipTransferProvider : public Provider {
public:
    // doxm oxm id (0 Just-Works, 1 Random PIN, 2 manufacturer certificate, vendor ids above 0xFF00).
    virtual int oxm() const = 0;
    // Its name, e.g. "oic.sec.doxm.jw"; also the provider's registered name.
    virtual std::string label() const = 0;
    // Whether it needs a PIN from the user (the host then prompts or asks over MQTT).
    virtual bool needsPin() const = 0;
    // Runs the whole transfer. Must not throw (the host guards it anyway) and must leave no
    // session open.
    virtual OwnershipResult transfer(CoapEndpoint& endpoint, const OwnershipRequest& request) const = 0;
};

}  // namespace steward::core
