#include "steward/gateway/gateway_state.hpp"

#include "steward/pdm/sqlite_pdm.hpp"

namespace steward::core {
namespace {

GatewayIdentity openIdentity(const std::filesystem::path& stateDir) {
    std::error_code ec;
    std::filesystem::create_directories(stateDir, ec);
    if (ec) throw std::runtime_error("cannot create the state directory " + stateDir.string() + ": " + ec.message());
    std::filesystem::permissions(stateDir, std::filesystem::perms::owner_all, ec);  // keys live here: 0700
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
