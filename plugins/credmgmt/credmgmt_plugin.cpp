// CredMgmt: the credential-management provider (ACLs, pairwise credentials and links, unlink,
// removal, remote reset, certificates). Each operation lives in its own file; this one registers.
#include <memory>

#include "operations.hpp"
#include "steward/plugin/plugin_abi.hpp"

namespace {

using namespace steward::core;
namespace ops = steward::plugins::credmgmt;

class CredMgmtProvider final : public CredentialManagementProvider {
public:
    ProvisioningOutcome provisionAcl(ProvisioningContext& ctx, const Uuid& device, const std::vector<Ace>& aces,
                                     const std::string& origin) const override {
        return ops::provisionAcl(ctx, device, aces, origin);
    }
    ProvisioningOutcome provisionPairwise(ProvisioningContext& ctx, const PairwiseRequest& request) const override {
        return ops::provisionPairwise(ctx, request);
    }
    ProvisioningOutcome unlink(ProvisioningContext& ctx, const Uuid& a, const Uuid& b) const override { return ops::unlink(ctx, a, b); }
    ProvisioningOutcome removeDevice(ProvisioningContext& ctx, const Uuid& device) const override { return ops::removeDevice(ctx, device); }
    ProvisioningOutcome resetDevice(ProvisioningContext& ctx, const Uuid& device) const override { return ops::resetDevice(ctx, device); }
    ProvisioningOutcome provisionCertificate(ProvisioningContext& ctx, const Uuid& device, std::chrono::hours validity) const override {
        return ops::provisionCertificate(ctx, device, validity);
    }
    ProvisioningOutcome resolvePending(ProvisioningContext& ctx) const override { return ops::resolvePending(ctx); }
};

}  // namespace

STEWARD_PLUGIN("credmgmt", "0.1.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(ProviderRegistrar& registrar) {
    registrar.add(std::string(provider_category::kCredentialManagement), "steward.credmgmt", "0.1.0", std::make_shared<CredMgmtProvider>());
}
