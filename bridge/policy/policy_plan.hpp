#pragma once
// What the policies mean for one newly owned device (or one whose policies changed): the ACEs it
// gets, the ACEs other owned devices get because of it, and its pairwise links. Pure computation
// on values; the daemon hands the result to the credential-management provider.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "policy/device_facts.hpp"
#include "policy/policy.hpp"
#include "steward/model/acl2.hpp"
#include "steward/model/uuid.hpp"

namespace steward::bridge {

// A pairwise credential between the device and `peer`, with ACEs both ways granting `resources`
// with `permission` (core::PairwiseRequest).
struct LinkPlan {
    core::Uuid peer;
    std::vector<core::AceResource> resources;
    int permission = 0;
    int keyBits = 128;
    std::string policy;  // the policy that asked for it (the first, when several did)

    friend bool operator==(const LinkPlan&, const LinkPlan&) = default;
};

// The device's Direct Pairing configuration (/oic/sec/pconf, through the pairing plugin), from the
// first matching policy that declares one: a device has one pconf.
struct DirectPairingPlan {
    std::vector<int> methods;  // core::pairing_method ids
    std::string pin;           // 8 digits, or empty: the plugin makes a random one. Never described.
    std::vector<core::AceResource> resources;
    int permission = 0;
    std::string policy;

    friend bool operator==(const DirectPairingPlan&, const DirectPairingPlan&) = default;
};

struct PolicyPlan {
    // ACEs for the device itself, each with the name of the policy it comes from.
    std::vector<std::pair<core::Ace, std::string>> aces;
    // ACEs for other owned devices (device to change, ACE): their policies' selector subjects
    // match the new device, e.g. a light owned before the switch its policy lets in.
    std::vector<std::pair<core::Uuid, core::Ace>> acesOnOthers;
    // One per peer, whichever side's policy asked for it.
    std::vector<LinkPlan> links;
    // Names of the policies that match the device, in set order.
    std::vector<std::string> policies;
    std::optional<DirectPairingPlan> directPairing;
    // Later matching policies whose direct_pairing gave way to directPairing's (set order).
    std::vector<std::string> directPairingIgnored;

    bool empty() const { return aces.empty() && acesOnOthers.empty() && links.empty() && !directPairing; }
};

// For each policy matching `device`: its ACEs as concrete values (subject gateway -> gatewayId, a
// selector subject -> one ACE per owned device it matches), its links -> one LinkPlan per owned
// device `with` matches. For each policy matching another owned device: its selector subjects and
// `with` selectors that match `device` give acesOnOthers and links. The device itself is never its
// own selector-matched subject or peer (ownedDevices may include it or not). Exact duplicates are
// dropped. Several link rules for one peer make one LinkPlan (the first rule, with the largest
// key size): the others' grants become plain ACEs both ways, so nothing more and nothing less is
// granted than the rules say. The first matching policy with a direct_pairing gives directPairing
// (only the device's own policies: pconf says nothing about other devices). Deterministic: set
// order, then ownedDevices order.
PolicyPlan planFor(const PolicySet& set, const DeviceFacts& device, const std::vector<DeviceFacts>& ownedDevices,
                   const core::Uuid& gatewayId);

// One line per item, for logs (no trailing newline):
//   policy lights-readable-by-switches matches
//   ace: uuid:<gw> CRUDN * (policy lights-readable-by-switches)
//   ace on <uuid>: uuid:<device> -RU-N /a/light
//   link with <uuid>: -RU-- /a/light, 128-bit key (policy lights-readable-by-switches)
//   direct pairing: methods preconfigured random, the policy's PIN, grants -RU-- /a/light (policy kitchen-guest)
//   direct pairing of policy other-guest ignored: policy kitchen-guest's comes first (one pconf per device)
// "no policy matches" when none does. The PIN itself is never part of it.
std::string describe(const PolicyPlan& plan);

}  // namespace steward::bridge
