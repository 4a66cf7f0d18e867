#include <gtest/gtest.h>

#include "core/model/sample_resources.hpp"
#include "steward/model/resource_codec.hpp"

using namespace steward::core;

namespace {

class ResourceRoundTrip : public ::testing::Test {
protected:
    SecurityResources r = steward::test::sampleResources();
};

TEST_F(ResourceRoundTrip, Doxm) { EXPECT_EQ(decodeDoxm(encodeDoxm(r.doxm)), r.doxm); }
TEST_F(ResourceRoundTrip, Pstat) { EXPECT_EQ(decodePstat(encodePstat(r.pstat)), r.pstat); }
TEST_F(ResourceRoundTrip, CredWithPrivateData) { EXPECT_EQ(decodeCred(encodeCred(r.cred, PrivateData::Include)), r.cred); }
TEST_F(ResourceRoundTrip, Acl2WithEverySubjectKindWildcardAndValidity) { EXPECT_EQ(decodeAcl2(encodeAcl2(r.acl)), r.acl); }
TEST_F(ResourceRoundTrip, Pconf) { EXPECT_EQ(decodePconf(encodePconf(*r.pconf, PrivateData::Include)), *r.pconf); }
TEST_F(ResourceRoundTrip, Dpairing) { EXPECT_EQ(decodeDpairing(encodeDpairing(*r.dpairing)), *r.dpairing); }

TEST_F(ResourceRoundTrip, EmptyResources) {
    EXPECT_EQ(decodeCred(encodeCred(CredResource{}, PrivateData::Include)), CredResource{});
    EXPECT_EQ(decodeAcl2(encodeAcl2(Acl2{})), Acl2{});
    EXPECT_EQ(decodePconf(encodePconf(Pconf{}, PrivateData::Include)), Pconf{});
}

TEST_F(ResourceRoundTrip, GetFormOmitsPrivateKeyBytes) {
    const auto bytes = encodeCred(r.cred, PrivateData::Omit);
    const CredResource back = decodeCred(bytes);
    ASSERT_TRUE(back.creds[0].privatedata);
    EXPECT_TRUE(back.creds[0].privatedata->data.empty());
    EXPECT_EQ(back.creds[0].privatedata->encoding, encoding::kRaw);
    EXPECT_TRUE(back.creds[2].privatedata->data.empty());
    // Public data (certificates) still goes out.
    EXPECT_EQ(back.creds[1].publicdata, r.cred.creds[1].publicdata);
    // And the 16 secret bytes are nowhere in the encoding.
    const std::vector<std::uint8_t> secret(16, 0xab);
    EXPECT_EQ(std::search(bytes.begin(), bytes.end(), secret.begin(), secret.end()), bytes.end());
}

TEST_F(ResourceRoundTrip, GetFormOmitsPin) {
    const Pconf back = decodePconf(encodePconf(*r.pconf, PrivateData::Omit));
    EXPECT_TRUE(back.pin.empty());
    EXPECT_EQ(back.prm, r.pconf->prm);
}

TEST_F(ResourceRoundTrip, PemTravelsAsTextRawAsBytes) {
    const CborValue v = credToCbor(r.cred, PrivateData::Include);
    const auto& creds = v.find("creds")->items();
    EXPECT_EQ(creds[0].find("privatedata")->find("data")->type(), CborValue::Type::Bytes);
    EXPECT_EQ(creds[1].find("publicdata")->find("data")->type(), CborValue::Type::Text);
    EXPECT_EQ(creds[1].find("subjectuuid")->textValue(), "*");
}

}  // namespace
