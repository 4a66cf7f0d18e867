// DirectPairing: the Direct Pairing provider (pconf on owned devices, the pairings they made
// recorded at sync). Each operation lives in its own file; this one registers.
#include <memory>

#include "operations.hpp"
#include "steward/plugin/plugin_abi.hpp"

namespace {

using namespace steward::core;
namespace ops = steward::plugins::directpairing;

class DirectPairing final : public DirectPairingProvider {
public:
    ProvisioningOutcome configure(ProvisioningContext& ctx, const Uuid& device, const DirectPairingConfig& config) const override {
        return ops::configure(ctx, device, config);
    }
    ProvisioningOutcome disable(ProvisioningContext& ctx, const Uuid& device) const override { return ops::disable(ctx, device); }
    ProvisioningOutcome syncPairings(ProvisioningContext& ctx) const override { return ops::syncPairings(ctx); }
};

}  // namespace

STEWARD_PLUGIN("directpairing", "0.1.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(ProviderRegistrar& registrar) {
    registrar.add(std::string(provider_category::kPairing), "steward.directpairing", "0.1.0", std::make_shared<DirectPairing>());
}
