// What the gateway reads of a device before it touches its resources: the links of /oic/res (both
// the oic.if.ll array and the baseline form), which paths are application resources, and what the
// device's ACEs grant the gateway; and the JSON <-> CBOR bodies of steward get/set.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>

#include "steward/cbor/decode_error.hpp"
#include "steward/model/payload_json.hpp"
#include "steward/provisioning/device_resources.hpp"

namespace steward::core {
namespace {

CborValue link(const std::string& href, std::vector<std::string> rt, unsigned bm) {
    std::vector<CborValue> types;
    for (auto& t : rt) types.push_back(CborValue::text(t));
    return CborValue::map({{CborValue::text("href"), CborValue::text(href)},
                           {CborValue::text("rt"), CborValue::array(std::move(types))},
                           {CborValue::text("p"), CborValue::map({{CborValue::text("bm"), CborValue::unsignedInt(bm)}})}});
}

TEST(DeviceResources, LinksAreReadFromBothFormsOfOicRes) {
    const auto list =
        CborValue::array({link("/oic/d", {"oic.wk.d"}, 1), link("/a/light", {"oic.r.switch.binary", "oic.r.light.brightness"}, 3),
                          CborValue::map({{CborValue::text("rt"), CborValue::text("no.href")}})});
    const auto links = parseResourceLinks(list);
    ASSERT_EQ(links.size(), 2u);  // the link without an href is skipped
    EXPECT_EQ(links[1].href, "/a/light");
    EXPECT_EQ(links[1].types, (std::vector<std::string>{"oic.r.switch.binary", "oic.r.light.brightness"}));
    EXPECT_TRUE(links[1].observable);
    EXPECT_FALSE(links[0].observable);

    const auto baseline = CborValue::map({{CborValue::text("rt"), CborValue::text("oic.wk.res")}, {CborValue::text("links"), list}});
    EXPECT_EQ(parseResourceLinks(baseline).size(), 2u);
    EXPECT_THROW(parseResourceLinks(CborValue::map({})), DecodeError);
    EXPECT_THROW(parseResourceLinks(CborValue::text("x")), DecodeError);
}

TEST(DeviceResources, OnlyApplicationResourcesAreReadOrWrittenHere) {
    EXPECT_TRUE(isApplicationResource("/a/light"));
    EXPECT_TRUE(isApplicationResource("/oicx"));
    EXPECT_FALSE(isApplicationResource("/oic/sec/acl2"));
    EXPECT_FALSE(isApplicationResource("/oic/res"));
    EXPECT_FALSE(isApplicationResource("/oic"));
    EXPECT_FALSE(isApplicationResource("a/light"));
    EXPECT_FALSE(isApplicationResource(""));
}

TEST(DeviceResources, WhatTheAcesGrantTheGateway) {
    const auto gateway = *Uuid::parse("11111111-2222-3333-4444-555555555555");
    const auto other = *Uuid::parse("99999999-2222-3333-4444-555555555555");
    const auto href = [](const std::string& h) {
        AceResource r;
        r.href = h;
        return r;
    };
    AceResource all;
    all.wc = Wildcard::All;
    Acl2 acl;
    acl.aclist2 = {Ace{1, gateway, {href("/a/light")}, permission::kRead, {}},
                   Ace{2, ConnType::AuthCrypt, {href("/a/light")}, permission::kNotify, {}},
                   Ace{3, ConnType::AnonClear, {all}, permission::kUpdate, {}},  // not the gateway's sessions
                   Ace{4, other, {all}, permission::kAll, {}}, Ace{5, RoleSubject{"admin", ""}, {all}, permission::kAll, {}}};
    EXPECT_EQ(grantedTo(acl, gateway, "/a/light"), permission::kRead | permission::kNotify);
    EXPECT_EQ(grantedTo(acl, gateway, "/b/switch"), 0);
    acl.aclist2.push_back(Ace{6, gateway, {all}, permission::kUpdate, {}});
    EXPECT_EQ(grantedTo(acl, gateway, "/b/switch"), permission::kUpdate);
    EXPECT_EQ(grantedTo(acl, gateway, "/oic/sec/cred"), 0);  // wildcards never cover security resources
}

TEST(PayloadJson, BodiesKeepTheirTypesBothWays) {
    const auto cbor = jsonObjectToCbor(R"({"value": true, "brightness": 40, "level": -2, "ratio": 0.5, "name": "x", "none": null})");
    const auto json = cborToJson(cbor).extract<Poco::JSON::Object::Ptr>();
    EXPECT_TRUE(json->getValue<bool>("value"));
    EXPECT_EQ(json->getValue<int>("brightness"), 40);
    EXPECT_EQ(json->getValue<int>("level"), -2);
    EXPECT_DOUBLE_EQ(json->getValue<double>("ratio"), 0.5);
    EXPECT_EQ(json->getValue<std::string>("name"), "x");
    EXPECT_TRUE(json->get("none").isEmpty());
    EXPECT_THROW(jsonObjectToCbor("[1]"), std::invalid_argument);
    EXPECT_THROW(jsonObjectToCbor("{"), std::invalid_argument);
}

}  // namespace
}  // namespace steward::core
