#pragma once
// What `steward --local` runs in-process: the gateway's identity and PDM under a state
// directory, the plugins, and a CoAP endpoint. Opened once per command.
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "steward/crypto/certificate_authority.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/onboarding/ownership_service.hpp"
#include "steward/pdm/provisioning_database.hpp"
#include "steward/plugin/plugin_loader.hpp"

namespace steward::tools {

struct LocalPaths {
    std::filesystem::path stateDir;   // --state-dir, $STEWARD_STATE_DIR, or /var/lib/steward
    std::filesystem::path pluginDir;  // --plugin-dir, $STEWARD_PLUGIN_DIR, the build tree's, or the installed one
};

LocalPaths resolvePaths(const std::optional<std::string>& stateDir, const std::optional<std::string>& pluginDir);

class LocalContext {
    LocalPaths paths_;  // first: the members below are built from it

public:
    // Creates the state directory (0700) if needed; plugin failures are reported on `err`.
    LocalContext(const LocalPaths& paths, std::ostream& err);

    core::ProviderRegistry registry;
    std::vector<core::PluginLoadReport> pluginReports;
    core::GatewayIdentity identity;
    std::unique_ptr<core::ProvisioningDatabase> pdm;
    std::unique_ptr<core::CoapEndpoint> endpoint;
    core::OwnershipService ownership;

    // The gateway CA (state dir/ca), created on first use.
    core::CertificateAuthority& ca();
    // What a credential-management operation runs with.
    core::ProvisioningContext provisioning(std::function<void(const std::string&)> progress = {});
    // The credential-management provider; throws std::runtime_error naming the plugin directory
    // when no plugin provides one.
    std::shared_ptr<const core::CredentialManagementProvider> credentials() const;

private:
    std::optional<core::CertificateAuthority> ca_;
    core::PluginLoader loader_{registry};
};

}  // namespace steward::tools
