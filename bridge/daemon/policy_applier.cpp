#include "policy_applier.hpp"

#include "steward/util/fault_injection.hpp"

#include <Poco/JSON/Array.h>

#include <map>

namespace steward::bridge {
namespace {

DeviceFacts factsOf(const core::DeviceRecord& r) { return {r.id, r.name, r.deviceTypes, r.otm}; }

}  // namespace

PolicyApplier::PolicyApplier(core::GatewayState& gateway, PolicyStore& policies, DeviceDirectory& directory, EventSink& events,
                             std::function<void(const std::string&)> log)
    : gateway_(gateway), policies_(policies), directory_(directory), events_(events), log_(std::move(log)) {}

std::vector<DeviceFacts> PolicyApplier::ownedFacts() const {
    std::vector<DeviceFacts> out;
    for (const auto& r : gateway_.pdm->devicesInState(core::DeviceRecordState::Owned)) out.push_back(factsOf(r));
    return out;
}

std::pair<std::string, std::string> PolicyApplier::applyDirectPairing(core::ProvisioningContext& ctx, const core::Uuid& device,
                                                                      const DirectPairingPlan& plan, Reason reason) {
    const std::string what = "direct pairing of policy " + plan.policy + " on " + device.toString();
    if (reason != Reason::Owned) {
        // Not an error, and not news: said once per device and reload, for whoever wonders why a
        // changed direct_pairing did not reach a device owned before.
        log_("policy: " + what + " not sent: given only right after ownership (use the direct_pairing request to change it)");
        return {"not sent", "given only right after ownership"};
    }
    const auto provider = gateway_.registry.pairingProvider();
    if (!provider) {
        const std::string why = "no Direct Pairing plugin is loaded (none in " + gateway_.pluginDir().string() + ")";
        log_("policy: " + what + " skipped: " + why);
        return {"skipped", why};
    }
    core::DirectPairingConfig config;
    config.methods = plan.methods;
    if (!plan.pin.empty()) config.pin = core::SecretBytes::fromText(plan.pin);
    config.pdacl.push_back(core::PdAce{plan.resources, plan.permission, {}, {}});
    const auto outcome = provider->configure(ctx, device, config);
    if (outcome.ok) {
        log_("policy: " + what + " configured");
        return {"configured", ""};
    }
    // A device without pconf matched the policy: it cannot pair, which is not the policy failing
    // (the plugin's words, plugins/directpairing/device_access.cpp).
    if (outcome.error.find(core::kNotDirectPairingCapable) != std::string::npos) {
        log_("policy: " + what + " skipped: " + outcome.error);
        return {"skipped", outcome.error};
    }
    return {"failed", outcome.error};
}

bool PolicyApplier::apply(const core::Uuid& device, Reason reason) {
    const auto record = gateway_.pdm->device(device);
    if (!record || record->state != core::DeviceRecordState::Owned) return false;
    const auto set = policies_.current();
    const auto plan = planFor(*set, factsOf(*record), ownedFacts(), gateway_.identity.id());
    if (plan.policies.empty() && plan.empty()) return true;
    // One log line per item: the journal keeps lines, not paragraphs.
    std::string text = describe(plan);
    for (std::size_t start = 0; start < text.size();) {
        const auto end = std::min(text.find('\n', start), text.size());
        log_("policies for " + device.toString() + ": " + text.substr(start, end - start));
        start = end + 1;
    }

    const auto credmgmt = gateway_.credentials();
    auto ctx = gateway_.provisioning([this](const std::string& line) {
        log_(line);
        core::killIfFaultInjectedAt(line);
    });
    bool ok = true;
    Poco::JSON::Array failures;
    const auto failed = [&](const std::string& what, const std::string& error) {
        ok = false;
        log_("policy: " + what + " failed: " + error);
        failures.add(what + ": " + error);
    };

    // The device's own ACEs, grouped by policy (the PDM records each ACE's policy as its origin).
    std::map<std::string, std::vector<core::Ace>> byPolicy;
    for (const auto& [ace, policy] : plan.aces) byPolicy[policy].push_back(ace);
    for (const auto& [policy, aces] : byPolicy) {
        const auto outcome = credmgmt->provisionAcl(ctx, device, aces, policy);
        if (!outcome.ok) failed("ACEs of policy " + policy + " on " + device.toString(), outcome.error);
    }
    for (const auto& [other, ace] : plan.acesOnOthers) {
        const auto outcome = credmgmt->provisionAcl(ctx, other, {ace}, "policy");
        if (!outcome.ok) failed("ACE on " + other.toString(), outcome.error);
    }
    for (const auto& link : plan.links) {
        // Already linked (a reload). A direct link (the devices paired by themselves) is no pairwise link.
        if (const auto existing = gateway_.pdm->link(device, link.peer); existing && !existing->direct) continue;
        core::PairwiseRequest request;
        request.a = device;
        request.b = link.peer;
        request.keyBits = link.keyBits;
        request.resources = link.resources;
        request.permission = link.permission;
        const auto outcome = credmgmt->provisionPairwise(ctx, request);
        if (!outcome.ok) failed("link with " + link.peer.toString() + " (policy " + link.policy + ")", outcome.error);
    }

    Poco::JSON::Object::Ptr pairing;
    if (plan.directPairing) {
        const auto [status, detail] = applyDirectPairing(ctx, device, *plan.directPairing, reason);
        if (status == "failed") failed("direct pairing of policy " + plan.directPairing->policy + " on " + device.toString(), detail);
        pairing = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        pairing->set("policy", plan.directPairing->policy);
        pairing->set("status", status);
        if (!detail.empty()) pairing->set("detail", detail);
    }

    Poco::JSON::Object::Ptr event = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    event->set("device", device.toString());
    Poco::JSON::Array names;
    for (const auto& p : plan.policies) names.add(p);
    event->set("policies", names);
    event->set("aces", static_cast<std::uint64_t>(plan.aces.size() + plan.acesOnOthers.size()));
    event->set("links", static_cast<std::uint64_t>(plan.links.size()));
    if (pairing) event->set("direct_pairing", pairing);
    event->set("status", ok ? "ok" : "error");
    if (!ok) event->set("errors", failures);
    // The retained state first, then the announcements: whoever reacts to an event finds the state current.
    // The PDM keeps it for the next start (a failure to record it is logged, not the policies' failure).
    core::AppliedPolicies applied{device, plan.policies, ok, ok ? "" : "policy application failed", {}};
    directory_.update(device, [&](DeviceView& v) {
        v.policies = plan.policies;
        if (ok) {
            v.status = DeviceStatus::Provisioned;
            v.error.clear();  // the last attempt succeeded
        } else {
            v.error = "policy application failed";
        }
        applied = appliedOf(v);
    });
    try {
        gateway_.pdm->setAppliedPolicies(applied);
    } catch (const std::exception& e) {
        log_("policies applied to " + device.toString() +
             " not recorded in the PDM (a restart shows them again once re-applied): " + e.what());
    }
    events_.deviceChanged(device);
    events_.event("policy_applied", event);
    if (ok) {
        Poco::JSON::Object::Ptr provisioned = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        provisioned->set("device", device.toString());
        provisioned->set("policies", names);
        events_.event("device_provisioned", provisioned);
    }
    for (const auto& [other, ace] : plan.acesOnOthers) events_.deviceChanged(other);
    for (const auto& link : plan.links) events_.deviceChanged(link.peer);
    return ok;
}

void PolicyApplier::applyAll(const Progress& progress) {
    const auto owned = ownedFacts();
    for (std::size_t i = 0; i < owned.size(); ++i) {
        if (progress) progress(i + 1, owned.size(), owned[i].id);
        apply(owned[i].id);
    }
}

}  // namespace steward::bridge
