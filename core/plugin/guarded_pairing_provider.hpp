#pragma once
// The host's view of a plugin's Direct Pairing provider: an exception thrown by plugin code never
// crosses into the host; it becomes a failed outcome.
#include <memory>
#include <string>

#include "steward/plugin/pairing_provider.hpp"

namespace steward::core::detail {

class GuardedPairingProvider final : public DirectPairingProvider {
public:
    GuardedPairingProvider(std::shared_ptr<const DirectPairingProvider> inner, std::string origin)
        : inner_(std::move(inner)), origin_(std::move(origin)) {}

    ProvisioningOutcome configure(ProvisioningContext& ctx, const Uuid& device, const DirectPairingConfig& config) const override {
        return guard([&] { return inner_->configure(ctx, device, config); });
    }
    ProvisioningOutcome disable(ProvisioningContext& ctx, const Uuid& device) const override {
        return guard([&] { return inner_->disable(ctx, device); });
    }
    ProvisioningOutcome syncPairings(ProvisioningContext& ctx) const override {
        return guard([&] { return inner_->syncPairings(ctx); });
    }

private:
    template <class F>
    ProvisioningOutcome guard(F&& call) const {
        try {
            return call();
        } catch (const std::exception& e) {
            return failed(std::string("the direct-pairing plugin ") + origin_ + " threw: " + e.what());
        } catch (...) {
            return failed("the direct-pairing plugin " + origin_ + " threw a non-standard exception");
        }
    }
    static ProvisioningOutcome failed(std::string why) {
        ProvisioningOutcome o;
        o.error = std::move(why);
        return o;
    }

    std::shared_ptr<const DirectPairingProvider> inner_;
    std::string origin_;
};

}  // namespace steward::core::detail
