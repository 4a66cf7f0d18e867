// A third party's ownership transfer method: a vendor OxM id that reuses Steward's Just-Works
// steps and reports each one, as a vendor might add an audit trail. It shows the whole plugin
// contract: the ABI record, the registration function, and one OwnershipTransferProvider.
#include <memory>

#include "steward/plugin/ownership_provider.hpp"
#include "steward/plugin/plugin_abi.hpp"

namespace {

using namespace steward::core;

constexpr int kExampleOxm = 0xFF42;  // vendor-specific range

class AuditedJustWorks final : public OwnershipTransferProvider {
public:
    int oxm() const override { return kExampleOxm; }
    std::string label() const override { return "x.example.audited-jw"; }
    bool needsPin() const override { return false; }
    OwnershipResult transfer(CoapEndpoint& endpoint, const OwnershipRequest& request) const override {
        OwnershipRequest audited = request;
        audited.method = OwnershipMethod::JustWorks;
        audited.progress = [inner = request.progress](const std::string& step) {
            if (inner) inner("[audited] " + step);
        };
        return transferOwnership(endpoint, audited);
    }
};

}  // namespace

STEWARD_PLUGIN("otm-example", "1.0.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(ProviderRegistrar& registrar) {
    registrar.add("otm", "x.example.audited-jw", "1.0.0", std::make_shared<AuditedJustWorks>());
}
