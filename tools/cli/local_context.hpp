#pragma once
// What `steward --local` runs in-process: core's GatewayState under the state directory and the
// plugin directory the user (or the environment) chose. Opened once per command.
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "steward/gateway/gateway_state.hpp"

namespace steward::tools {

struct LocalPaths {
    std::filesystem::path stateDir;   // --state-dir, $STEWARD_STATE_DIR, or /var/lib/steward
    std::filesystem::path pluginDir;  // --plugin-dir, $STEWARD_PLUGIN_DIR, the build tree's, or the installed one
};

LocalPaths resolvePaths(const std::optional<std::string>& stateDir, const std::optional<std::string>& pluginDir);

class LocalContext : public core::GatewayState {
public:
    // Plugin failures are reported on `err`.
    LocalContext(const LocalPaths& paths, std::ostream& err);
};

}  // namespace steward::tools
