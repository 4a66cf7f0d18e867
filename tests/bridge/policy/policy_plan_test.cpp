// Planning: what policies mean for a newly owned device, in both directions.
#include <gtest/gtest.h>

#include <string>

#include "policy/policy_parser.hpp"
#include "policy/policy_plan.hpp"
#include "steward/model/pconf.hpp"

using namespace steward::bridge;
namespace core = steward::core;

namespace {

core::Uuid uuid(const char* text) { return *core::Uuid::parse(text); }

const core::Uuid kGateway = uuid("00000000-0000-0000-0000-0000000000aa");

DeviceFacts device(const char* id, const char* name, const char* type, const char* otm = "oic.sec.doxm.jw") {
    return DeviceFacts{uuid(id), name, {"oic.wk.d", type}, otm};
}

const DeviceFacts kLight = device("8e740000-0000-0000-0000-000000000001", "Kitchen light", "oic.d.light");
const DeviceFacts kLight2 = device("8e740000-0000-0000-0000-000000000002", "Hall light", "oic.d.light");
const DeviceFacts kSwitch = device("2b7c0000-0000-0000-0000-000000000003", "Kitchen switch", "oic.d.switch", "oic.sec.doxm.rdp");
const DeviceFacts kSwitch2 = device("2b7c0000-0000-0000-0000-000000000004", "Hall switch", "oic.d.switch");
const DeviceFacts kSensor = device("5e550000-0000-0000-0000-000000000005", "Sensor", "oic.d.sensor");

core::AceResource href(const std::string& h) {
    core::AceResource r;
    r.href = h;
    return r;
}

core::Ace ace(core::AceSubject subject, std::vector<core::AceResource> resources, int permission) {
    core::Ace a;
    a.subject = std::move(subject);
    a.resources = std::move(resources);
    a.permission = permission;
    return a;
}

constexpr int R = core::permission::kRead;
constexpr int U = core::permission::kUpdate;
constexpr int N = core::permission::kNotify;

PolicySet policies(const std::string& yaml) { return parsePolicyText(yaml, "test.yaml"); }

const std::string kLights = R"(policies:
  - name: lights
    match: {device_type: oic.d.light}
    aces:
      - subject: gateway
        resources: ["*"]
        permission: CRUDN
      - subject: {conntype: anon-clear}
        resources: [/oic/d]
        permission: R
      - subject: {match: {device_type: oic.d.switch}}
        resources: [/a/light]
        permission: RUN
)";

TEST(PolicyPlanTest, TheDevicesOwnAcesBecomeConcrete) {
    const PolicyPlan plan = planFor(policies(kLights), kLight, {kSwitch, kSensor, kSwitch2}, kGateway);
    core::AceResource all;
    all.wc = core::Wildcard::All;
    ASSERT_EQ(plan.aces.size(), 4u);
    EXPECT_EQ(plan.aces[0].first, ace(kGateway, {all}, core::permission::kAll));
    EXPECT_EQ(plan.aces[0].second, "lights");
    EXPECT_EQ(plan.aces[1].first, ace(core::ConnType::AnonClear, {href("/oic/d")}, R));
    EXPECT_EQ(plan.aces[2].first, ace(kSwitch.id, {href("/a/light")}, R | U | N));
    EXPECT_EQ(plan.aces[3].first, ace(kSwitch2.id, {href("/a/light")}, R | U | N));
    EXPECT_TRUE(plan.acesOnOthers.empty());
    EXPECT_TRUE(plan.links.empty());
    EXPECT_EQ(plan.policies, std::vector<std::string>{"lights"});
}

TEST(PolicyPlanTest, ADeviceOwnedLaterGetsItsAceOnDevicesOwnedBefore) {
    // The switch is owned after the light: the light's policy lets the switch in.
    const PolicyPlan plan = planFor(policies(kLights), kSwitch, {kLight, kSensor, kLight2}, kGateway);
    EXPECT_TRUE(plan.aces.empty());
    EXPECT_TRUE(plan.policies.empty());
    ASSERT_EQ(plan.acesOnOthers.size(), 2u);
    EXPECT_EQ(plan.acesOnOthers[0].first, kLight.id);
    EXPECT_EQ(plan.acesOnOthers[0].second, ace(kSwitch.id, {href("/a/light")}, R | U | N));
    EXPECT_EQ(plan.acesOnOthers[1].first, kLight2.id);
    EXPECT_EQ(plan.acesOnOthers[1].second, ace(kSwitch.id, {href("/a/light")}, R | U | N));
}

TEST(PolicyPlanTest, ASelectorNeverMatchesTheDeviceItself) {
    const PolicySet set = policies(R"(policies:
  - name: lights-see-lights
    match: {device_type: oic.d.light}
    aces:
      - subject: {match: {device_type: oic.d.light}}
        resources: [/a/light]
        permission: R
    links:
      - with: {}
        resources: [/a/light]
        permission: R
)");
    // ownedDevices may include the device itself (and even twice).
    const PolicyPlan plan = planFor(set, kLight, {kLight, kLight2, kLight}, kGateway);
    ASSERT_EQ(plan.aces.size(), 1u);
    EXPECT_EQ(plan.aces[0].first.subject, core::AceSubject(kLight2.id));
    // The other light's policy grants the new one the same, on the other light.
    ASSERT_EQ(plan.acesOnOthers.size(), 1u);
    EXPECT_EQ(plan.acesOnOthers[0].first, kLight2.id);
    EXPECT_EQ(plan.acesOnOthers[0].second.subject, core::AceSubject(kLight.id));
    // Both lights' policies ask for the same link: it appears once; never with itself.
    ASSERT_EQ(plan.links.size(), 1u);
    EXPECT_EQ(plan.links[0].peer, kLight2.id);
}

TEST(PolicyPlanTest, DuplicateAcesAreDropped) {
    const PolicySet set = policies(R"(policies:
  - name: first
    aces:
      - {subject: gateway, resources: [/a/light], permission: RU}
      - {subject: gateway, resources: [/a/light], permission: RU}
      - {subject: {uuid: 00000000-0000-0000-0000-0000000000aa}, resources: [/a/light], permission: RU}
  - name: second
    match: {device_type: oic.d.light}
    aces:
      - {subject: gateway, resources: [/a/light], permission: RU}
      - {subject: gateway, resources: [/a/light], permission: R}
      - {subject: {match: {}}, resources: [/x], permission: R}
      - {subject: {match: {name: "Kitchen*"}}, resources: [/x], permission: R}
)");
    const PolicyPlan plan = planFor(set, kLight, {kSwitch}, kGateway);
    ASSERT_EQ(plan.aces.size(), 3u);
    EXPECT_EQ(plan.aces[0].first, ace(kGateway, {href("/a/light")}, R | U));
    EXPECT_EQ(plan.aces[0].second, "first");
    EXPECT_EQ(plan.aces[1].first, ace(kGateway, {href("/a/light")}, R));
    EXPECT_EQ(plan.aces[1].second, "second");
    EXPECT_EQ(plan.aces[2].first, ace(kSwitch.id, {href("/x")}, R));
    EXPECT_EQ(plan.policies, (std::vector<std::string>{"first", "second"}));

    // The switch owned later: both rules of the light's "second" policy give it the same ACE.
    const PolicyPlan later = planFor(set, kSwitch, {kLight}, kGateway);
    ASSERT_EQ(later.acesOnOthers.size(), 1u);
    EXPECT_EQ(later.acesOnOthers[0], std::make_pair(kLight.id, ace(kSwitch.id, {href("/x")}, R)));
}

const std::string kLinks = R"(policies:
  - name: lights-link-switches
    match: {device_type: oic.d.light}
    links:
      - with: {device_type: oic.d.switch}
        resources: [/a/light]
        permission: RU
  - name: switches-link-lights
    match: {device_type: oic.d.switch}
    links:
      - with: {device_type: oic.d.light}
        resources: [/a/light]
        permission: RU
        key_bits: 256
)";

TEST(PolicyPlanTest, LinksFromEitherSideAppearOnce) {
    const PolicySet set = policies(kLinks);
    const PolicyPlan plan = planFor(set, kLight, {kSwitch, kSensor, kSwitch2}, kGateway);
    ASSERT_EQ(plan.links.size(), 2u);
    EXPECT_EQ(plan.links[0].peer, kSwitch.id);
    EXPECT_EQ(plan.links[0].resources, std::vector{href("/a/light")});
    EXPECT_EQ(plan.links[0].permission, R | U);
    EXPECT_EQ(plan.links[0].keyBits, 256);  // the larger key of the two rules
    EXPECT_EQ(plan.links[0].policy, "lights-link-switches");
    EXPECT_EQ(plan.links[1].peer, kSwitch2.id);
    EXPECT_TRUE(plan.aces.empty());  // same grants: nothing more to say
    EXPECT_TRUE(plan.acesOnOthers.empty());

    // From the switch's side: its own policy first.
    const PolicyPlan fromSwitch = planFor(set, kSwitch, {kLight, kLight2}, kGateway);
    ASSERT_EQ(fromSwitch.links.size(), 2u);
    EXPECT_EQ(fromSwitch.links[0].peer, kLight.id);
    EXPECT_EQ(fromSwitch.links[0].policy, "switches-link-lights");
    EXPECT_EQ(fromSwitch.links[1].peer, kLight2.id);

    // Only the other side's policy asks: the link is still made.
    const PolicySet oneSided = policies(kLinks.substr(0, kLinks.find("  - name: switches-link-lights")));
    const PolicyPlan later = planFor(oneSided, kSwitch, {kLight}, kGateway);
    ASSERT_EQ(later.links.size(), 1u);
    EXPECT_EQ(later.links[0].peer, kLight.id);
    EXPECT_EQ(later.links[0].keyBits, 128);
    EXPECT_EQ(later.links[0].policy, "lights-link-switches");
}

TEST(PolicyPlanTest, DifferentLinkRulesForOnePeerMakeOneLinkAndAcesBothWays) {
    const PolicySet set = policies(R"(policies:
  - name: a
    match: {device_type: oic.d.light}
    links:
      - {with: {device_type: oic.d.switch}, resources: [/a/light], permission: RU}
  - name: b
    match: {device_type: oic.d.switch}
    links:
      - {with: {device_type: oic.d.light}, resources: [/a/switch], permission: R, key_bits: 256}
)");
    const PolicyPlan plan = planFor(set, kLight, {kSwitch}, kGateway);
    ASSERT_EQ(plan.links.size(), 1u);
    EXPECT_EQ(plan.links[0].policy, "a");
    EXPECT_EQ(plan.links[0].keyBits, 256);
    EXPECT_EQ(plan.links[0].resources, std::vector{href("/a/light")});
    ASSERT_EQ(plan.aces.size(), 1u);
    EXPECT_EQ(plan.aces[0].first, ace(kSwitch.id, {href("/a/switch")}, R));
    EXPECT_EQ(plan.aces[0].second, "b");
    ASSERT_EQ(plan.acesOnOthers.size(), 1u);
    EXPECT_EQ(plan.acesOnOthers[0], std::make_pair(kSwitch.id, ace(kLight.id, {href("/a/switch")}, R)));
}

TEST(PolicyPlanTest, OtmShortNamesAndLabelsMatchEachOther) {
    const PolicySet set = policies(R"(policies:
  - name: pin-devices
    match: {otm: randompin}
    aces: [{subject: gateway, resources: [/a], permission: R}]
  - name: jw-devices
    match: {otm: oic.sec.doxm.jw}
    aces: [{subject: gateway, resources: [/b], permission: R}]
)");
    EXPECT_EQ(planFor(set, kSwitch, {}, kGateway).policies, std::vector<std::string>{"pin-devices"});
    EXPECT_EQ(planFor(set, kLight, {}, kGateway).policies, std::vector<std::string>{"jw-devices"});
    DeviceFacts shortNamed = kLight;
    shortNamed.otm = "justworks";
    EXPECT_EQ(planFor(set, shortNamed, {}, kGateway).policies, std::vector<std::string>{"jw-devices"});
    shortNamed.otm = "oic.sec.doxm.mfgcert";
    EXPECT_TRUE(planFor(set, shortNamed, {}, kGateway).policies.empty());
}

TEST(PolicyPlanTest, GlobsOnUuidAndName) {
    Selector s;
    s.uuidGlob = "8e74*";
    EXPECT_TRUE(s.matches(kLight));
    EXPECT_FALSE(s.matches(kSwitch));
    s.uuidGlob = "*-00000000000[13]";
    EXPECT_TRUE(s.matches(kLight));
    EXPECT_TRUE(s.matches(kSwitch));
    EXPECT_FALSE(s.matches(kLight2));
    s = Selector{};
    s.nameGlob = "Kitchen*";
    EXPECT_TRUE(s.matches(kLight));
    EXPECT_TRUE(s.matches(kSwitch));
    EXPECT_FALSE(s.matches(kSensor));
    s.nameGlob = "kitchen*";  // case-sensitive
    EXPECT_FALSE(s.matches(kLight));
    s.nameGlob = "* light";
    s.deviceType = "oic.d.light";
    EXPECT_TRUE(s.matches(kLight));
    s.deviceType = "oic.d.switch";  // all keys must match
    EXPECT_FALSE(s.matches(kLight));
    EXPECT_TRUE(Selector{}.matches(kSensor));
    EXPECT_EQ(Selector{}.toString(), "{any}");
    EXPECT_EQ(s.toString(), "{device_type: oic.d.switch, name: * light}");

    // Through a file: an uppercase pattern is matched against the lowercase UUID.
    const PolicySet set = policies(R"(policies:
  - name: by-uuid
    match: {uuid: "8E74*", name: "* light"}
    aces: [{subject: gateway, resources: [/a], permission: R}]
)");
    EXPECT_EQ(planFor(set, kLight, {}, kGateway).policies, std::vector<std::string>{"by-uuid"});
    EXPECT_EQ(planFor(set, kLight2, {}, kGateway).policies, std::vector<std::string>{"by-uuid"});
    EXPECT_TRUE(planFor(set, kSwitch, {}, kGateway).policies.empty());
}

TEST(PolicyPlanTest, NoMatchingPolicyIsAnEmptyPlan) {
    const PolicyPlan plan = planFor(policies(kLights), kSensor, {kLight, kSwitch}, kGateway);
    EXPECT_TRUE(plan.empty());
    EXPECT_TRUE(plan.policies.empty());
    EXPECT_EQ(describe(plan), "no policy matches");
}

TEST(PolicyPlanTest, DescribeWritesOneLinePerItem) {
    const PolicySet set = policies(kLights + R"(  - name: link
    match: {device_type: oic.d.light}
    links: [{with: {device_type: oic.d.switch}, resources: [/a/light, "+"], permission: RU}]
  - name: switches
    match: {device_type: oic.d.switch}
    aces: [{subject: {match: {device_type: oic.d.light}}, resources: [/a/switch], permission: RN}]
)");
    const PolicyPlan plan = planFor(set, kLight, {kSwitch}, kGateway);
    EXPECT_EQ(describe(plan),
              "policy lights matches\n"
              "policy link matches\n"
              "ace: uuid:00000000-0000-0000-0000-0000000000aa CRUDN * (policy lights)\n"
              "ace: conntype:anon-clear -R--- /oic/d (policy lights)\n"
              "ace: uuid:2b7c0000-0000-0000-0000-000000000003 -RU-N /a/light (policy lights)\n"
              "ace on 2b7c0000-0000-0000-0000-000000000003: uuid:8e740000-0000-0000-0000-000000000001 -R--N /a/switch\n"
              "link with 2b7c0000-0000-0000-0000-000000000003: -RU-- /a/light +, 128-bit key (policy link)");
}

}  // namespace

namespace {

const std::string kGuestPairing = R"(policies:
  - name: kitchen-guest
    match: {device_type: oic.d.light, name: "Kitchen*"}
    direct_pairing: {methods: [preconfigured, random], pin: "87654321", resources: [/a/light], permission: RU}
  - name: lights-guest
    match: {device_type: oic.d.light}
    direct_pairing: {methods: [random], resources: [/a/light, /oic/d], permission: R}
  - name: switch-lights
    match: {device_type: oic.d.switch}
    direct_pairing: {methods: [random], resources: [/a/switch], permission: RU}
)";

TEST(PolicyPlanTest, TheFirstMatchingDirectPairingIsTheDevicesAndTheOthersAreNamed) {
    const PolicyPlan kitchen = planFor(policies(kGuestPairing), kLight, {kLight2, kSwitch}, kGateway);
    ASSERT_TRUE(kitchen.directPairing);
    EXPECT_FALSE(kitchen.empty());  // direct pairing alone is work to do
    EXPECT_EQ(*kitchen.directPairing, (DirectPairingPlan{{core::pairing_method::kPreconfiguredPin, core::pairing_method::kRandomPin},
                                                         "87654321",
                                                         {href("/a/light")},
                                                         R | U,
                                                         "kitchen-guest"}));
    EXPECT_EQ(kitchen.directPairingIgnored, std::vector<std::string>{"lights-guest"});
    EXPECT_EQ(kitchen.policies, (std::vector<std::string>{"kitchen-guest", "lights-guest"}));
    EXPECT_TRUE(kitchen.aces.empty());
    EXPECT_TRUE(kitchen.links.empty());

    const PolicyPlan hall = planFor(policies(kGuestPairing), kLight2, {kLight, kSwitch}, kGateway);
    ASSERT_TRUE(hall.directPairing);
    EXPECT_EQ(hall.directPairing->policy, "lights-guest");
    EXPECT_TRUE(hall.directPairing->pin.empty());
    EXPECT_EQ(hall.directPairing->resources, (std::vector{href("/a/light"), href("/oic/d")}));
    EXPECT_TRUE(hall.directPairingIgnored.empty());
}

TEST(PolicyPlanTest, DirectPairingIsOnlyTheMatchingDevicesOwn) {
    // Other owned devices' policies say nothing about a new one's pconf, whatever they match.
    const PolicyPlan sensor = planFor(policies(kGuestPairing), kSensor, {kLight, kLight2, kSwitch}, kGateway);
    EXPECT_FALSE(sensor.directPairing);
    EXPECT_TRUE(sensor.empty());
    EXPECT_EQ(describe(sensor), "no policy matches");
    const PolicyPlan light = planFor(policies(kGuestPairing), kLight, {kSwitch}, kGateway);
    EXPECT_EQ(light.directPairing->policy, "kitchen-guest");
}

TEST(PolicyPlanTest, DescribeMentionsDirectPairingButNeverThePin) {
    const PolicyPlan kitchen = planFor(policies(kGuestPairing), kLight, {}, kGateway);
    const std::string text = describe(kitchen);
    EXPECT_EQ(text,
              "policy kitchen-guest matches\n"
              "policy lights-guest matches\n"
              "direct pairing: methods preconfigured random, the policy's PIN, grants -RU-- /a/light (policy kitchen-guest)\n"
              "direct pairing of policy lights-guest ignored: policy kitchen-guest's comes first (one pconf per device)");
    EXPECT_EQ(text.find("87654321"), std::string::npos);
    EXPECT_EQ(
        describe(planFor(policies(kGuestPairing), kLight2, {}, kGateway)),
        "policy lights-guest matches\n"
        "direct pairing: methods random, the device shows a fresh PIN per pairing, grants -R--- /a/light /oic/d (policy lights-guest)");
}

}  // namespace
