#pragma once
// The host's view of a plugin's credential-management provider: every call is caught, so an
// exception thrown by plugin code never crosses into the host; it becomes a failed outcome.
#include <memory>
#include <string>

#include "steward/plugin/credential_provider.hpp"

namespace steward::core::detail {

class GuardedCredentialProvider final : public CredentialManagementProvider {
public:
    GuardedCredentialProvider(std::shared_ptr<const CredentialManagementProvider> inner, std::string origin)
        : inner_(std::move(inner)), origin_(std::move(origin)) {}

    ProvisioningOutcome provisionAcl(ProvisioningContext& ctx, const Uuid& device, const std::vector<Ace>& aces,
                                     const std::string& origin) const override {
        return guard([&] { return inner_->provisionAcl(ctx, device, aces, origin); });
    }
    ProvisioningOutcome provisionPairwise(ProvisioningContext& ctx, const PairwiseRequest& request) const override {
        return guard([&] { return inner_->provisionPairwise(ctx, request); });
    }
    ProvisioningOutcome unlink(ProvisioningContext& ctx, const Uuid& a, const Uuid& b) const override {
        return guard([&] { return inner_->unlink(ctx, a, b); });
    }
    ProvisioningOutcome removeDevice(ProvisioningContext& ctx, const Uuid& device) const override {
        return guard([&] { return inner_->removeDevice(ctx, device); });
    }
    ProvisioningOutcome resetDevice(ProvisioningContext& ctx, const Uuid& device) const override {
        return guard([&] { return inner_->resetDevice(ctx, device); });
    }
    ProvisioningOutcome provisionCertificate(ProvisioningContext& ctx, const Uuid& device, std::chrono::hours validity) const override {
        return guard([&] { return inner_->provisionCertificate(ctx, device, validity); });
    }
    ProvisioningOutcome resolvePending(ProvisioningContext& ctx) const override {
        return guard([&] { return inner_->resolvePending(ctx); });
    }

private:
    template <class F>
    ProvisioningOutcome guard(F&& call) const {
        try {
            return call();
        } catch (const std::exception& e) {
            return failed(std::string("the credential-management plugin ") + origin_ + " threw: " + e.what());
        } catch (...) {
            return failed("the credential-management plugin " + origin_ + " threw a non-standard exception");
        }
    }
    static ProvisioningOutcome failed(std::string why) {
        ProvisioningOutcome o;
        o.error = std::move(why);
        return o;
    }

    std::shared_ptr<const CredentialManagementProvider> inner_;
    std::string origin_;
};

}  // namespace steward::core::detail
