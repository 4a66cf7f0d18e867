// Loads fine, but every credential-management call throws: the host must get a failed outcome,
// not the exception.
#include <memory>
#include <stdexcept>

#include "steward/plugin/credential_provider.hpp"
#include "steward/plugin/plugin_abi.hpp"

namespace {
using namespace steward::core;
class Thrower final : public CredentialManagementProvider {
public:
    ProvisioningOutcome provisionAcl(ProvisioningContext&, const Uuid&, const std::vector<Ace>&, const std::string&) const override {
        explode();
    }
    ProvisioningOutcome provisionPairwise(ProvisioningContext&, const PairwiseRequest&) const override { explode(); }
    ProvisioningOutcome unlink(ProvisioningContext&, const Uuid&, const Uuid&) const override { explode(); }
    ProvisioningOutcome removeDevice(ProvisioningContext&, const Uuid&) const override { throw 42; }  // not even a std::exception
    ProvisioningOutcome resetDevice(ProvisioningContext&, const Uuid&) const override { explode(); }
    ProvisioningOutcome provisionCertificate(ProvisioningContext&, const Uuid&, std::chrono::hours) const override { explode(); }
    ProvisioningOutcome resolvePending(ProvisioningContext&) const override { explode(); }

private:
    [[noreturn]] static void explode() { throw std::logic_error("credmgmt exploded"); }
};
}  // namespace

STEWARD_PLUGIN("throws-in-credmgmt", "1.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(ProviderRegistrar& r) {
    r.add("credmgmt", "x.test.throws", "1.0", std::make_shared<Thrower>());
}
