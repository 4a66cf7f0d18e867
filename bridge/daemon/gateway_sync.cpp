#include "gateway_sync.hpp"

#include <exception>

namespace steward::bridge {
namespace {

// `what` names the part in the error; nullptr: the part's error as it is.
void merge(core::ProvisioningOutcome& into, const core::ProvisioningOutcome& part, const char* what) {
    if (!part.ok) {
        into.ok = false;
        into.error += (into.error.empty() ? "" : "; ") + (what == nullptr ? part.error : std::string(what) + ": " + part.error);
    }
    into.done.insert(into.done.end(), part.done.begin(), part.done.end());
    into.deferred.insert(into.deferred.end(), part.deferred.begin(), part.deferred.end());
}

core::ProvisioningOutcome failure(const std::exception& e) {
    core::ProvisioningOutcome o;
    o.error = e.what();
    return o;
}

}  // namespace

core::ProvisioningOutcome syncPairings(core::GatewayState& gateway, core::ProvisioningContext& ctx) {
    const auto provider = gateway.registry.pairingProvider();
    if (!provider) {
        core::ProvisioningOutcome nothing;
        nothing.ok = true;
        return nothing;
    }
    try {
        return provider->syncPairings(ctx);
    } catch (const std::exception& e) {  // the guarded view does not throw; kept as a barrier
        return failure(e);
    }
}

core::ProvisioningOutcome syncGateway(core::GatewayState& gateway, core::ProvisioningContext& ctx) {
    core::ProvisioningOutcome out;
    out.ok = true;
    core::ProvisioningOutcome pending;
    try {
        pending = gateway.credentials()->resolvePending(ctx);
    } catch (const std::exception& e) {
        pending = failure(e);
    }
    merge(out, pending, nullptr);  // worded as before Direct Pairing existed
    merge(out, syncPairings(gateway, ctx), "direct pairings");
    return out;
}

}  // namespace steward::bridge
