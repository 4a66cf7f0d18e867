#include "policy/policy_plan.hpp"

#include <algorithm>
#include <variant>

namespace steward::bridge {

namespace {

core::Ace makeAce(core::AceSubject subject, const std::vector<core::AceResource>& resources, int permission) {
    core::Ace ace;
    ace.subject = std::move(subject);
    ace.resources = resources;
    ace.permission = permission;
    return ace;
}

class Planner {
public:
    Planner(const DeviceFacts& device, const std::vector<DeviceFacts>& owned, const core::Uuid& gatewayId)
        : device_(device), gatewayId_(gatewayId) {
        for (const auto& o : owned) {
            if (o.id == device.id) continue;
            const bool seen = std::any_of(others_.begin(), others_.end(), [&o](const DeviceFacts* d) { return d->id == o.id; });
            if (!seen) others_.push_back(&o);
        }
    }

    PolicyPlan plan(const PolicySet& set) {
        for (const auto& policy : set.policies) {
            if (policy.match.matches(device_)) ownPolicy(policy);
        }
        for (const DeviceFacts* other : others_) {
            for (const auto& policy : set.policies) {
                if (policy.match.matches(*other)) otherPolicy(policy, other->id);
            }
        }
        for (const auto& candidate : candidates_) addLink(candidate);
        return std::move(plan_);
    }

private:
    // The device's own policy: everything it declares.
    void ownPolicy(const Policy& policy) {
        plan_.policies.push_back(policy.name);
        for (const auto& rule : policy.aces) {
            const auto grant = [&](core::AceSubject subject) {
                addAce(makeAce(std::move(subject), rule.resources, rule.permission), policy.name);
            };
            if (std::holds_alternative<Gateway>(rule.subject)) {
                grant(gatewayId_);
            } else if (const auto* uuid = std::get_if<core::Uuid>(&rule.subject)) {
                grant(*uuid);
            } else if (const auto* conn = std::get_if<core::ConnType>(&rule.subject)) {
                grant(*conn);
            } else {
                const auto& selector = std::get<Selector>(rule.subject);
                for (const DeviceFacts* other : others_) {
                    if (selector.matches(*other)) grant(other->id);
                }
            }
        }
        for (const auto& rule : policy.links) {
            for (const DeviceFacts* other : others_) {
                if (rule.with.matches(*other)) {
                    candidates_.push_back({other->id, rule.resources, rule.permission, rule.keyBits, policy.name});
                }
            }
        }
        if (policy.directPairing) {
            if (plan_.directPairing) {
                plan_.directPairingIgnored.push_back(policy.name);
            } else {
                const auto& d = *policy.directPairing;
                plan_.directPairing = DirectPairingPlan{d.methods, d.pin, d.resources, d.permission, policy.name};
            }
        }
    }

    // Another owned device's policy: only what its selectors say about the new device.
    void otherPolicy(const Policy& policy, const core::Uuid& other) {
        for (const auto& rule : policy.aces) {
            const auto* selector = std::get_if<Selector>(&rule.subject);
            if (selector != nullptr && selector->matches(device_)) {
                addAceOn(other, makeAce(device_.id, rule.resources, rule.permission));
            }
        }
        for (const auto& rule : policy.links) {
            if (rule.with.matches(device_)) {
                candidates_.push_back({other, rule.resources, rule.permission, rule.keyBits, policy.name});
            }
        }
    }

    void addAce(core::Ace ace, const std::string& policy) {
        const bool seen = std::any_of(plan_.aces.begin(), plan_.aces.end(), [&ace](const auto& entry) { return entry.first == ace; });
        if (!seen) plan_.aces.emplace_back(std::move(ace), policy);
    }

    void addAceOn(const core::Uuid& other, core::Ace ace) {
        std::pair<core::Uuid, core::Ace> entry{other, std::move(ace)};
        if (std::find(plan_.acesOnOthers.begin(), plan_.acesOnOthers.end(), entry) == plan_.acesOnOthers.end()) {
            plan_.acesOnOthers.push_back(std::move(entry));
        }
    }

    void addLink(const LinkPlan& candidate) {
        const auto existing =
            std::find_if(plan_.links.begin(), plan_.links.end(), [&candidate](const LinkPlan& l) { return l.peer == candidate.peer; });
        if (existing == plan_.links.end()) {
            plan_.links.push_back(candidate);
            return;
        }
        existing->keyBits = std::max(existing->keyBits, candidate.keyBits);
        if (existing->resources == candidate.resources && existing->permission == candidate.permission) return;
        // One credential per pair: a second rule's grants travel as plain ACEs, both ways.
        addAce(makeAce(candidate.peer, candidate.resources, candidate.permission), candidate.policy);
        addAceOn(candidate.peer, makeAce(device_.id, candidate.resources, candidate.permission));
    }

    const DeviceFacts& device_;
    const core::Uuid& gatewayId_;
    std::vector<const DeviceFacts*> others_;
    std::vector<LinkPlan> candidates_;
    PolicyPlan plan_;
};

}  // namespace

PolicyPlan planFor(const PolicySet& set, const DeviceFacts& device, const std::vector<DeviceFacts>& ownedDevices,
                   const core::Uuid& gatewayId) {
    return Planner(device, ownedDevices, gatewayId).plan(set);
}

}  // namespace steward::bridge
