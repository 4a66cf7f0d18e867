// OTM-JustWorks: ownership by Just-Works (ocf-security.md; Steward's 0xC037 variant with the
// public Just-Works PSK, trust on first use). The steps themselves are core's transferOwnership.
#include <memory>

#include "steward/crypto/ocf_kdf.hpp"
#include "steward/model/doxm.hpp"
#include "steward/plugin/ownership_provider.hpp"
#include "steward/plugin/plugin_abi.hpp"

namespace {

using namespace steward::core;

class JustWorksProvider final : public OwnershipTransferProvider {
public:
    int oxm() const override { return steward::core::oxm::kJustWorks; }
    std::string label() const override { return std::string(kJustWorksLabel); }
    bool needsPin() const override { return false; }
    OwnershipResult transfer(CoapEndpoint& endpoint, const OwnershipRequest& request) const override {
        OwnershipRequest r = request;
        r.method = OwnershipMethod::JustWorks;
        return transferOwnership(endpoint, r);
    }
};

}  // namespace

STEWARD_PLUGIN("otm-justworks", "0.1.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(ProviderRegistrar& registrar) {
    registrar.add(std::string(provider_category::kOwnershipTransfer), std::string(kJustWorksLabel), "0.1.0",
                  std::make_shared<JustWorksProvider>());
}
