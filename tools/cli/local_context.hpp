#pragma once
// What `steward --local` runs in-process: the gateway's identity and PDM under a state
// directory, the plugins, and a CoAP endpoint. Opened once per command.
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

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
public:
    // Creates the state directory (0700) if needed; plugin failures are reported on `err`.
    LocalContext(const LocalPaths& paths, std::ostream& err);

    core::ProviderRegistry registry;
    std::vector<core::PluginLoadReport> pluginReports;
    core::GatewayIdentity identity;
    std::unique_ptr<core::ProvisioningDatabase> pdm;
    std::unique_ptr<core::CoapEndpoint> endpoint;
    core::OwnershipService ownership;

private:
    core::PluginLoader loader_{registry};
};

}  // namespace steward::tools
