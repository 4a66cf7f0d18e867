// describe(): a PolicyPlan as log lines.
#include "policy/policy_plan.hpp"
#include "steward/model/ace_text.hpp"

namespace steward::bridge {

namespace {

std::string resourcesText(const std::vector<core::AceResource>& resources) {
    std::string out;
    for (const auto& r : resources) out += (out.empty() ? "" : " ") + core::aceResourceToString(r);
    return out;
}

std::string aceText(const core::Ace& ace) {
    return core::aceSubjectToString(ace.subject) + " " + core::permission::toString(ace.permission) + " " +
           resourcesText(ace.resources);
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
                        resourcesText(link.resources) + ", " + std::to_string(link.keyBits) + "-bit key (policy " +
                        link.policy + ")");
    }
    std::string out;
    for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
    return out;
}

}  // namespace steward::bridge
