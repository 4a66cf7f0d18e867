// Loads fine, but its ownership transfer throws: the host must get a failed result, not the
// exception.
#include <memory>
#include <stdexcept>

#include "steward/plugin/ownership_provider.hpp"
#include "steward/plugin/plugin_abi.hpp"

namespace {
class Thrower final : public steward::core::OwnershipTransferProvider {
public:
    int oxm() const override { return 0xFF01; }
    std::string label() const override { return "x.test.throws"; }
    bool needsPin() const override { return false; }
    steward::core::OwnershipResult transfer(steward::core::CoapEndpoint&, const steward::core::OwnershipRequest&) const override {
        throw std::logic_error("vendor method exploded");
    }
};
}  // namespace

STEWARD_PLUGIN("throws-on-transfer", "1.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(steward::core::ProviderRegistrar& r) {
    r.add("otm", "x.test.throws", "1.0", std::make_shared<Thrower>());
}
