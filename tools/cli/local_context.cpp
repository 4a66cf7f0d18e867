#include "local_context.hpp"

#include <unistd.h>

#include <cstdlib>

#ifndef STEWARD_INSTALLED_PLUGIN_DIR
#define STEWARD_INSTALLED_PLUGIN_DIR "/usr/lib/steward/plugins"
#endif

namespace steward::tools {
namespace {

std::filesystem::path executableDir() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : exe.parent_path();
}

std::filesystem::path defaultPluginDir() {
    if (const char* env = std::getenv("STEWARD_PLUGIN_DIR"); env != nullptr && *env != '\0') return env;
    // In the build tree (build/tools/cli/steward) the plugins are in build/plugins.
    const auto buildTree = executableDir() / ".." / ".." / "plugins";
    std::error_code ec;
    if (std::filesystem::exists(buildTree / "otm-justworks.so", ec)) return std::filesystem::weakly_canonical(buildTree, ec);
    return STEWARD_INSTALLED_PLUGIN_DIR;
}

}  // namespace

LocalPaths resolvePaths(const std::optional<std::string>& stateDir, const std::optional<std::string>& pluginDir) {
    LocalPaths p;
    if (stateDir) {
        p.stateDir = *stateDir;
    } else if (const char* env = std::getenv("STEWARD_STATE_DIR"); env != nullptr && *env != '\0') {
        p.stateDir = env;
    } else {
        p.stateDir = "/var/lib/steward";
    }
    p.pluginDir = pluginDir ? std::filesystem::path(*pluginDir) : defaultPluginDir();
    return p;
}

LocalContext::LocalContext(const LocalPaths& paths, std::ostream& err) : core::GatewayState(paths.stateDir, paths.pluginDir) {
    for (const auto& r : pluginReports) {
        if (!r.loaded) err << "steward: plugin " << r.path << " skipped: " << r.reason << '\n';
    }
}

}  // namespace steward::tools
