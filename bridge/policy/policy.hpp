#pragma once
// The policy model: what policies.d/*.yaml declare, validated. Values only; see policy_loader.hpp
// for reading files and policy_plan.hpp for turning policies into work on devices.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "policy/selector.hpp"
#include "steward/model/acl2.hpp"
#include "steward/model/uuid.hpp"

namespace steward::bridge {

// The ACE subject "gateway": the gateway's own UUID, filled in when a plan is made.
struct Gateway {
    friend bool operator==(const Gateway&, const Gateway&) = default;
};

// gateway | one device by UUID | every owned device a selector matches | a connection type
using PolicySubject = std::variant<Gateway, core::Uuid, Selector, core::ConnType>;

struct PolicyAce {
    PolicySubject subject;
    std::vector<core::AceResource> resources;  // never empty
    int permission = 0;                        // CRUDN bits, never 0

    friend bool operator==(const PolicyAce&, const PolicyAce&) = default;
};

// A pairwise credential between the device and each owned device `with` matches, plus ACEs both
// ways: each grants the other `resources` with `permission`.
struct PolicyLink {
    Selector with;
    std::vector<core::AceResource> resources;  // never empty
    int permission = 0;                        // CRUDN bits, never 0
    int keyBits = 128;                         // 128 or 256

    friend bool operator==(const PolicyLink&, const PolicyLink&) = default;
};

// Direct Pairing (/oic/sec/pconf) for the device: the methods a client may pair by, the
// pre-configured PIN, and what the device grants a paired client (one pdacl entry). Given once,
// right after the device is owned, through the pairing plugin.
struct PolicyDirectPairing {
    std::vector<int> methods;  // core::pairing_method ids, in the order written, each once; never empty
    // 8 ASCII digits; empty: the plugin makes a random one per device (then "preconfigured" is not
    // among the methods: nobody could learn that PIN). Plain text as in the file it came from;
    // never logged or described.
    std::string pin;
    std::vector<core::AceResource> resources;  // never empty, never a /oic/sec/ href
    int permission = 0;                        // CRUDN bits, never 0

    friend bool operator==(const PolicyDirectPairing&, const PolicyDirectPairing&) = default;
};

struct Policy {
    std::string name;  // unique across every file of a set
    std::string file;  // the file it came from, as the path was given
    int line = 0;      // where its name is (1-based), for messages
    int column = 0;
    Selector match;  // which devices it applies to
    std::vector<PolicyAce> aces;
    std::vector<PolicyLink> links;
    std::optional<PolicyDirectPairing> directPairing;

    // Same rules (match, aces, links, direct_pairing), wherever they are written.
    bool sameRules(const Policy& other) const {
        return match == other.match && aces == other.aces && links == other.links && directPairing == other.directPairing;
    }
};

struct PolicySet {
    std::vector<Policy> policies;  // file name order, then the order within each file

    const Policy* find(const std::string& name) const {
        for (const auto& p : policies) {
            if (p.name == name) return &p;
        }
        return nullptr;
    }
};

}  // namespace steward::bridge
