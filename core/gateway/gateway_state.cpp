#include "steward/gateway/gateway_state.hpp"

#include "steward/pdm/sqlite_pdm.hpp"
#include "steward/util/private_files.hpp"

namespace steward::core {
namespace {

GatewayIdentity openIdentity(const std::filesystem::path& stateDir) {
    try {
        // Keys live here: 0700, and whatever an older version left looser (a 0644 CA certificate,
        // a 0755 subdirectory) is tightened before anything is read from it.
        makeTreePrivate(stateDir);
    } catch (const FileError& e) {
        throw std::runtime_error(std::string("cannot create the state directory: ") + e.what());
    }
    return GatewayIdentity::openOrCreate(stateDir / "gateway.svrdb");
}

std::unique_ptr<CoapEndpoint> clientEndpoint() {
    EndpointOptions o;
    o.udpPort = std::nullopt;  // a client only: the gateway serves nothing over CoAP
    return std::make_unique<CoapEndpoint>(o);
}

}  // namespace

GatewayState::GatewayState(std::filesystem::path stateDir, std::filesystem::path pluginDir)
    : stateDir_(std::move(stateDir)),
      pluginDir_(std::move(pluginDir)),
      identity(openIdentity(stateDir_)),
      pdm(openSqlitePdm(stateDir_ / "pdm.sqlite")),
      endpoint(clientEndpoint()),
      ownership(registry, identity, *pdm, *endpoint) {
    pluginReports = loader_.loadDirectory(pluginDir_);
}

CertificateAuthority& GatewayState::ca() {
    const std::lock_guard lock(caMutex_);
    if (!ca_) ca_.emplace(CertificateAuthority::openOrCreate(stateDir_ / "ca"));
    return *ca_;
}

ProvisioningContext GatewayState::provisioning(std::function<void(const std::string&)> progress) {
    ProvisioningContext ctx(identity, *pdm, *endpoint);
    ctx.progress = std::move(progress);
    {
        const std::lock_guard lock(caMutex_);
        if (ca_) ctx.ca = &*ca_;
    }
    return ctx;
}

std::shared_ptr<const CredentialManagementProvider> GatewayState::credentials() const {
    auto provider = registry.credentialProvider();
    if (!provider) throw std::runtime_error("no credential-management plugin in " + pluginDir_.string() + " (see steward plugins)");
    return provider;
}

std::shared_ptr<const DirectPairingProvider> GatewayState::pairing() const {
    auto provider = registry.pairingProvider();
    if (!provider) throw std::runtime_error("no direct-pairing plugin in " + pluginDir_.string() + " (see steward plugins)");
    return provider;
}

}  // namespace steward::core
