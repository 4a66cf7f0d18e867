#include "policy_applier.hpp"

#include "steward/util/fault_injection.hpp"

#include <Poco/JSON/Array.h>

#include <map>

#include "policy/policy_plan.hpp"

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

bool PolicyApplier::apply(const core::Uuid& device) {
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
        if (gateway_.pdm->link(device, link.peer)) continue;  // already linked (a reload)
        core::PairwiseRequest request;
        request.a = device;
        request.b = link.peer;
        request.keyBits = link.keyBits;
        request.resources = link.resources;
        request.permission = link.permission;
        const auto outcome = credmgmt->provisionPairwise(ctx, request);
        if (!outcome.ok) failed("link with " + link.peer.toString() + " (policy " + link.policy + ")", outcome.error);
    }

    Poco::JSON::Object::Ptr event = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    event->set("device", device.toString());
    Poco::JSON::Array names;
    for (const auto& p : plan.policies) names.add(p);
    event->set("policies", names);
    event->set("aces", static_cast<std::uint64_t>(plan.aces.size() + plan.acesOnOthers.size()));
    event->set("links", static_cast<std::uint64_t>(plan.links.size()));
    event->set("status", ok ? "ok" : "error");
    if (!ok) event->set("errors", failures);
    // The retained state first, then the announcements: whoever reacts to an event finds the state current.
    directory_.update(device, [&](DeviceView& v) {
        v.policies = plan.policies;
        if (ok) v.status = DeviceStatus::Provisioned;
        else v.error = "policy application failed";
    });
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

void PolicyApplier::applyAll() {
    for (const auto& facts : ownedFacts()) apply(facts.id);
}

}  // namespace steward::bridge
