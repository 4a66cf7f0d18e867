#include "local_context.hpp"

#include <unistd.h>

#include <cstdlib>

#include "steward/pdm/sqlite_pdm.hpp"

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

core::GatewayIdentity openIdentity(const std::filesystem::path& stateDir) {
    std::error_code ec;
    std::filesystem::create_directories(stateDir, ec);
    if (ec) throw std::runtime_error("cannot create the state directory " + stateDir.string() + ": " + ec.message());
    std::filesystem::permissions(stateDir, std::filesystem::perms::owner_all, ec);  // keys live here: 0700
    return core::GatewayIdentity::openOrCreate(stateDir / "gateway.svrdb");
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

LocalContext::LocalContext(const LocalPaths& paths, std::ostream& err)
    : paths_(paths),
      identity(openIdentity(paths.stateDir)),
      pdm(core::openSqlitePdm(paths.stateDir / "pdm.sqlite")),
      endpoint([] {
          core::EndpointOptions o;
          o.udpPort = std::nullopt;
          return std::make_unique<core::CoapEndpoint>(o);
      }()),
      ownership(registry, identity, *pdm, *endpoint) {
    pluginReports = loader_.loadDirectory(paths.pluginDir);
    for (const auto& r : pluginReports) {
        if (!r.loaded) err << "steward: plugin " << r.path << " skipped: " << r.reason << '\n';
    }
}

core::CertificateAuthority& LocalContext::ca() {
    if (!ca_) ca_.emplace(core::CertificateAuthority::openOrCreate(paths_.stateDir / "ca"));
    return *ca_;
}

core::ProvisioningContext LocalContext::provisioning(std::function<void(const std::string&)> progress) {
    core::ProvisioningContext ctx(identity, *pdm, *endpoint);
    ctx.progress = std::move(progress);
    return ctx;
}

std::shared_ptr<const core::CredentialManagementProvider> LocalContext::credentials() const {
    auto provider = registry.credentialProvider();
    if (!provider) throw std::runtime_error("no credential-management plugin in " + paths_.pluginDir.string() + " (see steward plugins)");
    return provider;
}

}  // namespace steward::tools
