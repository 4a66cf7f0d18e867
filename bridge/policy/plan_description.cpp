// describe(): a PolicyPlan as log lines.
#include <algorithm>

#include "policy/policy_plan.hpp"
#include "steward/model/ace_text.hpp"
#include "steward/model/pconf.hpp"

namespace steward::bridge {

namespace {

std::string resourcesText(const std::vector<core::AceResource>& resources) {
    std::string out;
    for (const auto& r : resources) out += (out.empty() ? "" : " ") + core::aceResourceToString(r);
    return out;
}

std::string aceText(const core::Ace& ace) {
    return core::aceSubjectToString(ace.subject) + " " + core::permission::toString(ace.permission) + " " + resourcesText(ace.resources);
}

std::string methodsText(const std::vector<int>& methods) {
    std::string out;
    for (int m : methods) {
        out += out.empty() ? "" : " ";
        out += m == core::pairing_method::kPreconfiguredPin ? "preconfigured"
               : m == core::pairing_method::kRandomPin      ? "random"
                                                            : std::to_string(m);
    }
    return out;
}

// Where the PIN comes from, never the PIN itself.
std::string pinText(const DirectPairingPlan& d) {
    const bool preconfigured = std::find(d.methods.begin(), d.methods.end(), core::pairing_method::kPreconfiguredPin) != d.methods.end();
    if (!preconfigured) return "the device shows a fresh PIN per pairing";
    return d.pin.empty() ? "a random PIN per device" : "the policy's PIN";
}

}  // namespace

std::string describe(const PolicyPlan& plan) {
    std::vector<std::string> lines;
    for (const auto& name : plan.policies) lines.push_back("policy " + name + " matches");
    if (plan.policies.empty()) lines.emplace_back("no policy matches");
    for (const auto& [ace, policy] : plan.aces) lines.push_back("ace: " + aceText(ace) + " (policy " + policy + ")");
    for (const auto& [device, ace] : plan.acesOnOthers) {
        lines.push_back("ace on " + device.toString() + ": " + aceText(ace));
    }
    for (const auto& link : plan.links) {
        lines.push_back("link with " + link.peer.toString() + ": " + core::permission::toString(link.permission) + " " +
                        resourcesText(link.resources) + ", " + std::to_string(link.keyBits) + "-bit key (policy " + link.policy + ")");
    }
    if (const auto& d = plan.directPairing) {
        lines.push_back("direct pairing: methods " + methodsText(d->methods) + ", " + pinText(*d) + ", grants " +
                        core::permission::toString(d->permission) + " " + resourcesText(d->resources) + " (policy " + d->policy + ")");
        for (const auto& name : plan.directPairingIgnored) {
            lines.push_back("direct pairing of policy " + name + " ignored: policy " + d->policy + "'s comes first (one pconf per device)");
        }
    }
    std::string out;
    for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
    return out;
}

}  // namespace steward::bridge
