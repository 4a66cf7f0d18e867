// The device-side rules of ocf-security.md as pure functions: DOS transitions, writable
// properties, credential/ACE edits and the access decisions.
#include <gtest/gtest.h>

#include <climits>
#include <set>

#include "cbor/object_reader.hpp"
#include "steward/cbor/cbor_value.hpp"
#include "steward/device/access_policy.hpp"
#include "steward/device/dos_transitions.hpp"
#include "steward/device/svr_updates.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "util/id_allocator.hpp"

namespace steward::core {
namespace {

const Uuid kDevice = Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99").value();
const Uuid kOwner = Uuid::parse("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f").value();
const Uuid kPeer = Uuid::parse("11111111-2222-3333-4444-555555555555").value();

std::vector<std::uint8_t> body(std::vector<CborValue::Pair> entries) { return encodeCbor(CborValue::map(std::move(entries))); }

SecurityResources unowned() { return factoryResources(kDevice, DeviceProfile{}); }

// What the ownership transfer leaves behind, in RFNOP.
SecurityResources owned() {
    auto r = unowned();
    r.doxm.owned = true;
    r.doxm.devowneruuid = r.doxm.rowneruuid = r.pstat.rowneruuid = r.acl.rowneruuid = r.cred.rowneruuid = kOwner;
    Cred ownerCred;
    ownerCred.credid = 1;
    ownerCred.subjectuuid = CredSubject{kOwner, false};
    ownerCred.privatedata = EncodedData{std::vector<std::uint8_t>(16, 7), encoding::kRaw};
    r.cred.creds.push_back(ownerCred);
    applyDosState(r, DosState::Rfnop);
    return r;
}

UpdateContext doc() {
    UpdateContext c;
    c.ownershipSession = true;
    c.secure = true;
    c.deriveOwnerPsk = [](const Uuid&) { return std::optional(std::vector<std::uint8_t>(16, 0xAB)); };
    return c;
}

TEST(DosTransitions, RefusedTransitionsFromTheTable) {
    auto r = owned();
    EXPECT_TRUE(dosTransitionRefusal(r, DosState::Rfotm));
    EXPECT_FALSE(dosTransitionRefusal(r, DosState::Rfpro));
    EXPECT_FALSE(dosTransitionRefusal(r, DosState::Sreset));
    applyDosState(r, DosState::Sreset);
    EXPECT_TRUE(dosTransitionRefusal(r, DosState::Rfnop));
    auto fresh = unowned();
    EXPECT_TRUE(dosTransitionRefusal(fresh, DosState::Sreset));
    // RFPRO needs the ownership to be complete.
    EXPECT_NE(dosTransitionRefusal(fresh, DosState::Rfpro)->find("rowneruuid"), std::string::npos);
}

TEST(DosTransitions, EachStateForcesItsModes) {
    auto r = owned();
    applyDosState(r, DosState::Rfpro);
    EXPECT_EQ(r.pstat.cm, 0);
    EXPECT_FALSE(r.pstat.isop);
    applyDosState(r, DosState::Rfnop);
    EXPECT_TRUE(r.pstat.isop);
    applyDosState(r, DosState::Sreset);
    EXPECT_EQ(r.pstat.cm, provisioning_mode::kReset);
}

TEST(SvrUpdates, OxmselOnlyOverPlainInRfotmAndOnlyOffered) {
    auto r = unowned();
    UpdateContext plain;
    EXPECT_TRUE(postDoxm(r, body({entry("oxmsel", CborValue::unsignedInt(0))}), plain).ok());
    EXPECT_EQ(r.doxm.oxmsel, 0);
    EXPECT_EQ(postDoxm(r, body({entry("oxmsel", CborValue::unsignedInt(1))}), plain).code, CoapCode::BadRequest);  // not offered
    EXPECT_EQ(postDoxm(r, body({entry("oxmsel", CborValue::unsignedInt(0))}), doc()).code, CoapCode::BadRequest);  // over DTLS
}

TEST(SvrUpdates, OwnerPropertiesOnlyOnTheOwnershipSession) {
    auto r = unowned();
    UpdateContext plain;
    EXPECT_EQ(postDoxm(r, body({entry("devowneruuid", uuidValue(kOwner))}), plain).code, CoapCode::BadRequest);
    EXPECT_TRUE(postDoxm(r, body({entry("devowneruuid", uuidValue(kOwner))}), doc()).ok());
    EXPECT_EQ(r.doxm.devowneruuid, kOwner);
    for (const char* readOnly : {"oxms", "sct", "rt", "if"}) {
        EXPECT_EQ(postDoxm(r, body({entry(readOnly, CborValue::unsignedInt(1))}), doc()).code, CoapCode::BadRequest) << readOnly;
    }
}

TEST(SvrUpdates, PstatReadOnlyPropertiesAndRowneruuidOnceOwned) {
    auto r = owned();
    for (const char* readOnly : {"isop", "cm", "sm"}) {
        EXPECT_EQ(postPstat(r, body({entry(readOnly, CborValue::unsignedInt(0))}), doc()).code, CoapCode::BadRequest) << readOnly;
    }
    EXPECT_EQ(postPstat(r, body({entry("dos", CborValue::map({entry("p", CborValue::boolean(true))}))}), doc()).code, CoapCode::BadRequest);
    EXPECT_EQ(postPstat(r, body({entry("rowneruuid", uuidValue(kPeer))}), doc()).code, CoapCode::BadRequest);
    const auto toRfpro = postPstat(r, body({entry("dos", CborValue::map({entry("s", CborValue::unsignedInt(2))}))}), doc());
    EXPECT_TRUE(toRfpro.ok());
    EXPECT_EQ(r.pstat.dos.state, DosState::Rfpro);
}

TEST(SvrUpdates, EmptyOwnerKeyIsDerivedOnlyOnTheOwnershipSession) {
    auto r = unowned();
    const auto ownerCred = body({
        entry("creds", CborValue::array({CborValue::map({
                           entry("credtype", CborValue::unsignedInt(1)),
                           entry("subjectuuid", uuidValue(kOwner)),
                           entry("privatedata",
                                 CborValue::map({entry("encoding", CborValue::text(encoding::kRaw)), entry("data", CborValue::bytes({}))})),
                       })})),
        entry("rowneruuid", uuidValue(kOwner)),
    });
    UpdateContext plain;
    EXPECT_EQ(postCred(r, ownerCred, plain).code, CoapCode::BadRequest);
    ASSERT_TRUE(postCred(r, ownerCred, doc()).ok());
    ASSERT_EQ(r.cred.creds.size(), 1U);
    EXPECT_EQ(r.cred.creds[0].privatedata->data, std::vector<std::uint8_t>(16, 0xAB));
    EXPECT_EQ(r.cred.creds[0].credid, 1);
}

TEST(SvrUpdates, PairwiseKeysMustBe128Or256Bits) {
    auto r = owned();
    for (std::size_t size : {std::size_t{8}, std::size_t{24}, std::size_t{0}}) {
        const auto c = body(
            {entry("creds", CborValue::array({CborValue::map({
                                entry("credtype", CborValue::unsignedInt(1)),
                                entry("subjectuuid", uuidValue(kPeer)),
                                entry("privatedata", CborValue::map({entry("encoding", CborValue::text(encoding::kRaw)),
                                                                     entry("data", CborValue::bytes(std::vector<std::uint8_t>(size, 1)))})),
                            })}))});
        EXPECT_EQ(postCred(r, c, doc()).code, CoapCode::BadRequest) << size;
    }
}

// Found by the device_requests fuzzer: key bytes under a textual encoding decode from the POST
// but cannot be written and read back; the device must refuse them, not store a file it cannot
// reopen.
TEST(SvrUpdates, ACredentialThatCannotBeStoredIsRefused) {
    auto r = owned();
    const auto before = r;
    const auto c =
        body({entry("creds", CborValue::array({CborValue::map({
                                 entry("credtype", CborValue::unsignedInt(1)),
                                 entry("subjectuuid", uuidValue(kPeer)),
                                 entry("privatedata", CborValue::map({entry("data", CborValue::bytes(std::vector<std::uint8_t>(16, 0xAB))),
                                                                      entry("encoding", CborValue::text(encoding::kPem))})),
                             })}))});
    const auto outcome = postCred(r, c, doc());
    EXPECT_EQ(outcome.code, CoapCode::BadRequest);
    EXPECT_NE(outcome.reason.find("cannot be stored"), std::string::npos) << outcome.reason;
}

TEST(SvrUpdates, DeletesByIdSubjectAndAll) {
    auto r = owned();
    EXPECT_EQ(deleteCred(r, {"credid=9"}).code, CoapCode::NotFound);
    EXPECT_EQ(deleteCred(r, {"credid=x"}).code, CoapCode::BadRequest);
    EXPECT_EQ(deleteCred(r, {"subjectuuid=" + kOwner.toString()}).code, CoapCode::Deleted);
    EXPECT_TRUE(r.cred.creds.empty());
    Ace a;
    a.aceid = 4;
    a.subject = kPeer;
    a.permission = 2;
    r.acl.aclist2 = {a};
    EXPECT_EQ(deleteAcl2(r, {"aceid=5"}).code, CoapCode::NotFound);
    EXPECT_EQ(deleteAcl2(r, {"aceid=4"}).code, CoapCode::Deleted);
    EXPECT_TRUE(r.acl.aclist2.empty());
}

TEST(SvrUpdates, AcesAppendAndReplaceByIdAndCheckPermissions) {
    auto r = owned();
    const auto ace = [](int id, int perm) {
        std::vector<CborValue::Pair> m = {
            entry("subject", CborValue::map({entry("uuid", uuidValue(kPeer))})),
            entry("resources", CborValue::array({CborValue::map({entry("href", CborValue::text("/a/light"))})})),
            entry("permission", CborValue::unsignedInt(static_cast<std::uint64_t>(perm))),
        };
        if (id != 0) m.push_back(entry("aceid", CborValue::unsignedInt(static_cast<std::uint64_t>(id))));
        return CborValue::map(std::move(m));
    };
    ASSERT_TRUE(postAcl2(r, body({entry("aclist2", CborValue::array({ace(0, 2)}))}), doc()).ok());
    ASSERT_TRUE(postAcl2(r, body({entry("aclist2", CborValue::array({ace(1, 6)}))}), doc()).ok());
    ASSERT_EQ(r.acl.aclist2.size(), 1U);
    EXPECT_EQ(r.acl.aclist2[0].permission, 6);
    EXPECT_EQ(postAcl2(r, body({entry("aclist2", CborValue::array({ace(0, 64)}))}), doc()).code, CoapCode::BadRequest);
}

// Issue 13.4: ids up to INT_MAX arrive from the network; the next id for an entry without one
// used to be "largest + 1", a signed overflow reachable with two POSTs on a Just-Works session.
TEST(SvrUpdates, IdsAtIntMaxDoNotOverflowTheNextId) {
    auto r = owned();
    const auto key = [](std::optional<int> id) {
        std::vector<CborValue::Pair> m = {
            entry("credtype", CborValue::unsignedInt(1)),
            entry("subjectuuid", uuidValue(kPeer)),
            entry("privatedata", CborValue::map({entry("encoding", CborValue::text(encoding::kRaw)),
                                                 entry("data", CborValue::bytes(std::vector<std::uint8_t>(16, 1)))})),
        };
        if (id) m.push_back(entry("credid", CborValue::unsignedInt(static_cast<std::uint64_t>(*id))));
        return body({entry("creds", CborValue::array({CborValue::map(std::move(m))}))});
    };
    ASSERT_TRUE(postCred(r, key(INT_MAX), doc()).ok());
    ASSERT_TRUE(postCred(r, key(std::nullopt), doc()).ok());
    ASSERT_TRUE(postCred(r, key(std::nullopt), doc()).ok());
    std::set<int> ids;
    for (const auto& c : r.cred.creds) ids.insert(c.credid.value_or(0));
    EXPECT_EQ(ids.size(), r.cred.creds.size());  // all distinct
    EXPECT_EQ(ids.count(INT_MAX), 1U);
    EXPECT_EQ(*ids.begin(), 1);

    const auto ace = [](std::optional<int> id) {
        std::vector<CborValue::Pair> m = {
            entry("subject", CborValue::map({entry("uuid", uuidValue(kPeer))})),
            entry("resources", CborValue::array({CborValue::map({entry("href", CborValue::text("/a/light"))})})),
            entry("permission", CborValue::unsignedInt(2)),
        };
        if (id) m.push_back(entry("aceid", CborValue::unsignedInt(static_cast<std::uint64_t>(*id))));
        return body({entry("aclist2", CborValue::array({CborValue::map(std::move(m))}))});
    };
    ASSERT_TRUE(postAcl2(r, ace(INT_MAX), doc()).ok());
    ASSERT_TRUE(postAcl2(r, ace(std::nullopt), doc()).ok());
    ASSERT_TRUE(postAcl2(r, ace(std::nullopt), doc()).ok());
    std::set<int> aceIds;
    for (const auto& a : r.acl.aclist2) aceIds.insert(a.aceid);
    EXPECT_EQ(aceIds.size(), r.acl.aclist2.size());
    EXPECT_EQ(aceIds.count(INT_MAX), 1U);
}

TEST(IdAllocator, TakesTheNextIdOrTheFirstGapAndNeverOverflows) {
    detail::IdAllocator a;
    EXPECT_EQ(a.next(), 1);
    EXPECT_EQ(a.next(), 2);
    detail::IdAllocator b;
    b.markUsed(1);
    b.markUsed(3);
    b.markUsed(INT_MAX);
    EXPECT_EQ(b.next(), 2);  // past INT_MAX: the first gap
    EXPECT_EQ(b.next(), 4);
    detail::IdAllocator c;
    c.markUsed(0);  // "no id" is not an id
    c.markUsed(-5);
    EXPECT_EQ(c.next(), 1);
}

TEST(SvrUpdates, QueryKeysMatchCaseInsensitively) {
    EXPECT_EQ(queryValue({"Owned=FALSE"}, "owned"), "FALSE");
    EXPECT_FALSE(queryValue({"ownedx=1"}, "owned"));
}

TEST(AccessPolicy, RfotmOpensOnlyDiscoveryAndDoxmToAnonymous) {
    const auto r = unowned();
    AccessRequest get{CoapMethod::Get, "/oic/sec/doxm", false, false, std::nullopt};
    EXPECT_TRUE(checkAccess(r, false, get).granted);
    get.path = "/oic/sec/cred";
    EXPECT_EQ(checkAccess(r, false, get).refusal, CoapCode::Unauthorized);
    AccessRequest post{CoapMethod::Post, "/oic/sec/pstat", false, false, std::nullopt};
    EXPECT_FALSE(checkAccess(r, false, post).granted);
    AccessRequest res{CoapMethod::Get, "/oic/res", false, false, std::nullopt};
    EXPECT_TRUE(checkAccess(r, false, res).granted);
    EXPECT_FALSE(checkAccess(r, true, res).granted);  // the ownership session is open: nothing unsecured
}

TEST(AccessPolicy, OwnedDeviceUsesOwnerAndAces) {
    auto r = owned();
    AccessRequest light{CoapMethod::Get, "/a/light", true, false, kPeer};
    EXPECT_EQ(checkAccess(r, false, light).refusal, CoapCode::Forbidden);
    Ace a;
    a.subject = kPeer;
    a.resources = {AceResource{"/a/light", {}, {}, std::nullopt}};
    a.permission = permission::kRead;
    r.acl.aclist2.push_back(a);
    EXPECT_TRUE(checkAccess(r, false, light).granted);
    light.method = CoapMethod::Post;
    EXPECT_FALSE(checkAccess(r, false, light).granted);

    AccessRequest cred{CoapMethod::Get, "/oic/sec/cred", true, false, kOwner};
    EXPECT_TRUE(checkAccess(r, false, cred).granted);
    cred.peer = kPeer;
    EXPECT_FALSE(checkAccess(r, false, cred).granted);
    // Once owned, doxm (which names the owner) is read only over DTLS, as on iotivity-lite.
    AccessRequest anonymousDoxm{CoapMethod::Get, "/oic/sec/doxm", false, false, std::nullopt};
    const auto refused = checkAccess(r, false, anonymousDoxm);
    EXPECT_FALSE(refused.granted);
    EXPECT_EQ(refused.refusal, CoapCode::Unauthorized);
    AccessRequest ownerDoxm{CoapMethod::Get, "/oic/sec/doxm", true, false, kOwner};
    EXPECT_TRUE(checkAccess(r, false, ownerDoxm).granted);
    ownerDoxm.peer = kPeer;  // another authenticated peer without an ACE naming doxm
    EXPECT_FALSE(checkAccess(r, false, ownerDoxm).granted);
}

TEST(AccessPolicy, ConntypeAcesNeverGrantSecurityResources) {
    auto r = owned();
    Ace anyone;
    anyone.subject = ConnType::AuthCrypt;
    anyone.resources = {AceResource{"", {}, {}, Wildcard::All}};
    anyone.permission = permission::kAll;
    r.acl.aclist2.push_back(anyone);
    EXPECT_TRUE(checkAccess(r, false, {CoapMethod::Get, "/a/light", true, false, kPeer}).granted);
    EXPECT_FALSE(checkAccess(r, false, {CoapMethod::Get, "/oic/sec/acl2", true, false, kPeer}).granted);
    EXPECT_FALSE(checkAccess(r, false, {CoapMethod::Get, "/a/light", false, false, std::nullopt}).granted);  // auth-crypt only
}

TEST(AccessPolicy, WildcardsSplitPublicFromSecured) {
    Ace plus;
    plus.resources = {AceResource{"", {}, {}, Wildcard::Secured}};
    EXPECT_TRUE(aceCoversResource(plus, "/a/light"));
    EXPECT_FALSE(aceCoversResource(plus, "/oic/d"));
    Ace minus;
    minus.resources = {AceResource{"", {}, {}, Wildcard::Public}};
    EXPECT_TRUE(aceCoversResource(minus, "/oic/res"));
    EXPECT_FALSE(aceCoversResource(minus, "/a/light"));
}

TEST(AccessPolicy, WildcardsNeverCoverTheSecurityResources) {
    for (const auto wc : {Wildcard::All, Wildcard::Secured, Wildcard::Public}) {
        Ace ace;
        ace.resources = {AceResource{"", {}, {}, wc}};
        for (const char* path :
             {"/oic/sec/doxm", "/oic/sec/pstat", "/oic/sec/cred", "/oic/sec/acl2", "/oic/sec/pconf", "/oic/sec/dpairing"}) {
            EXPECT_FALSE(aceCoversResource(ace, path)) << path;
        }
    }
    Ace byHref;
    byHref.resources = {AceResource{"/oic/sec/cred", {}, {}, std::nullopt}};
    EXPECT_TRUE(aceCoversResource(byHref, "/oic/sec/cred"));  // naming it is the only way

    // A peer given every permission on "*" reaches the light, and none of the SVRs.
    auto r = owned();
    Ace all;
    all.subject = kPeer;
    all.resources = {AceResource{"", {}, {}, Wildcard::All}};
    all.permission = permission::kAll;
    r.acl.aclist2.push_back(all);
    EXPECT_TRUE(checkAccess(r, false, {CoapMethod::Post, "/a/light", true, false, kPeer}).granted);
    for (const char* path : {"/oic/sec/doxm", "/oic/sec/pstat", "/oic/sec/cred", "/oic/sec/acl2"}) {
        EXPECT_FALSE(checkAccess(r, false, {CoapMethod::Post, path, true, false, kPeer}).granted) << path;
        EXPECT_FALSE(checkAccess(r, false, {CoapMethod::Get, path, true, false, kPeer}).granted) << path;
    }
}

}  // namespace
}  // namespace steward::core
