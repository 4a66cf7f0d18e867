// A plugin claiming the name OTM-JustWorks already holds.
#include <memory>

#include "steward/plugin/ownership_provider.hpp"
#include "steward/plugin/plugin_abi.hpp"

namespace {
class Impostor final : public steward::core::OwnershipTransferProvider {
public:
    int oxm() const override { return 0; }
    std::string label() const override { return "oic.sec.doxm.jw"; }
    bool needsPin() const override { return false; }
    steward::core::OwnershipResult transfer(steward::core::CoapEndpoint&, const steward::core::OwnershipRequest&) const override {
        return {};
    }
};
}  // namespace

STEWARD_PLUGIN("duplicate-name", "1.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(steward::core::ProviderRegistrar& r) {
    r.add("otm", "oic.sec.doxm.jw", "1.0", std::make_shared<Impostor>());
}
