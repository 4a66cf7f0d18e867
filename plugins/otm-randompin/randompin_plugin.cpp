// OTM-RandomPIN: ownership by the PIN the device shows (PBKDF2 of the PIN salted with the
// device UUID, ECDHE-PSK DTLS). The PIN comes from the request's callback: the CLI prompts, the
// MQTT bridge forwards a pairing request. The steps themselves are core's transferOwnership.
#include <memory>

#include "steward/crypto/ocf_kdf.hpp"
#include "steward/model/doxm.hpp"
#include "steward/plugin/ownership_provider.hpp"
#include "steward/plugin/plugin_abi.hpp"

namespace {

using namespace steward::core;

class RandomPinProvider final : public OwnershipTransferProvider {
public:
    int oxm() const override { return steward::core::oxm::kRandomPin; }
    std::string label() const override { return std::string(kRandomPinLabel); }
    bool needsPin() const override { return true; }
    OwnershipResult transfer(CoapEndpoint& endpoint, const OwnershipRequest& request) const override {
        OwnershipRequest r = request;
        r.method = OwnershipMethod::RandomPin;
        return transferOwnership(endpoint, r);
    }
};

}  // namespace

STEWARD_PLUGIN("otm-randompin", "0.1.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(ProviderRegistrar& registrar) {
    registrar.add(std::string(provider_category::kOwnershipTransfer), std::string(kRandomPinLabel), "0.1.0",
                  std::make_shared<RandomPinProvider>());
}
