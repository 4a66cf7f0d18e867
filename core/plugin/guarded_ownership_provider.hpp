#pragma once
// The host's view of a plugin's ownership provider: every call is caught, so an exception thrown
// by plugin code never crosses into the host; it becomes a failed result naming the plugin.
#include <memory>
#include <string>

#include "steward/plugin/ownership_provider.hpp"

namespace steward::core::detail {

class GuardedOwnershipProvider final : public OwnershipTransferProvider {
public:
    GuardedOwnershipProvider(std::shared_ptr<const OwnershipTransferProvider> inner, std::string origin)
        : inner_(std::move(inner)), origin_(std::move(origin)) {}

    int oxm() const override {
        try {
            return inner_->oxm();
        } catch (...) {
            return -1;  // matches no device's oxms
        }
    }
    std::string label() const override {
        try {
            return inner_->label();
        } catch (...) {
            return "(" + origin_ + ")";
        }
    }
    bool needsPin() const override {
        try {
            return inner_->needsPin();
        } catch (...) {
            return false;
        }
    }
    OwnershipResult transfer(CoapEndpoint& endpoint, const OwnershipRequest& request) const override {
        try {
            return inner_->transfer(endpoint, request);
        } catch (const std::exception& e) {
            return failed(std::string("the ownership plugin threw: ") + e.what());
        } catch (...) {
            return failed("the ownership plugin threw a non-standard exception");
        }
    }

private:
    OwnershipResult failed(std::string why) const {
        OwnershipResult r;
        r.failedStep = "plugin " + origin_;
        r.error = std::move(why);
        return r;
    }

    std::shared_ptr<const OwnershipTransferProvider> inner_;
    std::string origin_;
};

}  // namespace steward::core::detail
