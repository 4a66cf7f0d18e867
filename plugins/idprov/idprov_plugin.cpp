// The IDProv plugin: registers the "enrollment" provider "idprov", whose start() runs the HTTPS
// provisioning server (idprov_service.hpp).
#include "idprov_service.hpp"
#include "steward/plugin/plugin_abi.hpp"

namespace steward::plugins::idprov {

class IdprovProvider : public core::EnrollmentProvider {
public:
    std::unique_ptr<core::EnrollmentService> start(const core::EnrollmentSettings& settings, core::CertificateAuthority& ca,
                                                   std::function<void(const core::EnrollmentEvent&)> events,
                                                   std::function<void(const std::string&)> log) const override {
        return std::make_unique<IdprovService>(settings, ca, std::move(events), std::move(log));
    }
};

}  // namespace steward::plugins::idprov

STEWARD_PLUGIN("idprov", "1.0.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(steward::core::ProviderRegistrar& registrar) {
    registrar.add("enrollment", "idprov", "1.0.0", std::make_shared<steward::plugins::idprov::IdprovProvider>());
}
