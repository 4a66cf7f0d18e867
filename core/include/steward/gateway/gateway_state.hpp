#pragma once
// Everything a gateway process runs the provisioning core with, opened from its state directory
// and plugin directory: the plugins, its identity (gateway.svrdb) and owner credentials (gateway.svrdb.keys), the PDM
// (pdm.sqlite), a CoAP endpoint, the ownership service, the CA (ca/, created on first use) and the
// credential-management provider. The CLI's local mode and stewardd both build on it.
//
// Threading: the members are thread-safe as documented on their own types; ca() may be called
// from several threads.
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "steward/crypto/certificate_authority.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/onboarding/ownership_service.hpp"
#include "steward/pdm/provisioning_database.hpp"
#include "steward/plugin/credential_provider.hpp"
#include "steward/plugin/pairing_provider.hpp"
#include "steward/plugin/plugin_loader.hpp"

namespace steward::core {

class GatewayState {
    std::filesystem::path stateDir_;
    std::filesystem::path pluginDir_;

public:
    // Creates the state directory (0700) if needed and loads every plugin of pluginDir (failures
    // are in pluginReports, never thrown). Throws for an unusable identity store or PDM.
    GatewayState(std::filesystem::path stateDir, std::filesystem::path pluginDir);

    ProviderRegistry registry;
    std::vector<PluginLoadReport> pluginReports;
    GatewayIdentity identity;
    std::unique_ptr<ProvisioningDatabase> pdm;
    std::unique_ptr<CoapEndpoint> endpoint;
    OwnershipService ownership;

    const std::filesystem::path& stateDir() const { return stateDir_; }
    const std::filesystem::path& pluginDir() const { return pluginDir_; }

    // The gateway CA (stateDir/ca), created on first use. Throws CryptoError.
    CertificateAuthority& ca();
    // What a credential-management operation runs with (the CA included once it exists).
    ProvisioningContext provisioning(std::function<void(const std::string&)> progress = {});
    // The credential-management provider; throws std::runtime_error naming the plugin directory
    // when no plugin provides one.
    std::shared_ptr<const CredentialManagementProvider> credentials() const;
    // The Direct Pairing provider; throws std::runtime_error naming the plugin directory when no
    // plugin provides one.
    std::shared_ptr<const DirectPairingProvider> pairing() const;

private:
    std::mutex caMutex_;
    std::optional<CertificateAuthority> ca_;
    PluginLoader loader_{registry};
};

}  // namespace steward::core
