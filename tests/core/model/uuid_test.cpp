#include <gtest/gtest.h>

#include "steward/model/cred.hpp"
#include "steward/model/uuid.hpp"
#include "support/bytes.hpp"

using namespace steward::core;

namespace {

TEST(Uuid, ParsesAndPrintsLowercase) {
    auto u = Uuid::parse("8E745791-BC63-4a15-7e33-93e1b25fef99");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->toString(), "8e745791-bc63-4a15-7e33-93e1b25fef99");
    EXPECT_EQ(u->bytes()[0], 0x8e);
    EXPECT_EQ(u->bytes()[15], 0x99);
}

TEST(Uuid, RejectsMalformedText) {
    for (const char* bad :
         {"", "*", "8e745791bc634a157e3393e1b25fef99", "8e745791-bc63-4a15-7e33-93e1b25fef9", "8e745791-bc63-4a15-7e33-93e1b25fef999",
          "8e745791_bc63-4a15-7e33-93e1b25fef99", "8e745791-bc63-4a15-7e33-93e1b25fef9g", "8e745791-bc634-a15-7e33-93e1b25fef99"}) {
        EXPECT_FALSE(Uuid::parse(bad)) << bad;
    }
}

TEST(Uuid, NilIsDefault) {
    EXPECT_TRUE(Uuid{}.isNil());
    EXPECT_EQ(Uuid{}.toString(), "00000000-0000-0000-0000-000000000000");
}

TEST(Uuid, SeededMatchesDesignVector) {
    // ocf-security.md: seed bytes "00:11:22:33:44:55" (17 ASCII characters).
    const auto seed = steward::test::ascii("00:11:22:33:44:55");
    EXPECT_EQ(Uuid::fromSeed(seed).toString(), "66fd6ef8-31e4-ec98-9570-30be94189a78");
    EXPECT_EQ(Uuid::fromSeed(seed), Uuid::fromSeed(seed));
    EXPECT_NE(Uuid::fromSeed(steward::test::ascii("00:11:22:33:44:56")), Uuid::fromSeed(seed));
}

TEST(Uuid, SeedSizeIsBounded) {
    EXPECT_THROW(Uuid::fromSeed(std::vector<std::uint8_t>(7, 1)), std::invalid_argument);
    EXPECT_NO_THROW(Uuid::fromSeed(std::vector<std::uint8_t>(8, 1)));
    EXPECT_NO_THROW(Uuid::fromSeed(std::vector<std::uint8_t>(64, 1)));
    EXPECT_THROW(Uuid::fromSeed(std::vector<std::uint8_t>(65, 1)), std::invalid_argument);
}

TEST(Uuid, FromRawTakesExactlySixteenBytes) {
    const Uuid u = *Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99");
    const std::vector<std::uint8_t> raw(u.bytes().begin(), u.bytes().end());
    EXPECT_EQ(Uuid::fromRaw(raw), u);
    EXPECT_FALSE(Uuid::fromRaw(std::span(raw).first(15)));
    std::vector<std::uint8_t> longer = raw;
    longer.push_back(0);
    EXPECT_FALSE(Uuid::fromRaw(longer));
    EXPECT_FALSE(Uuid::fromRaw({}));
}

TEST(Cred, FindPairwiseKeyMatchesOnlyAUsableKeyForThatSubject) {
    const Uuid peer = *Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99");
    CredResource creds;
    Cred wildcard;  // "*" never stands in for a peer
    wildcard.subjectuuid = CredSubject::any();
    wildcard.privatedata = EncodedData{{1, 2, 3}};
    Cred emptyKey;  // an owner credential still to be derived
    emptyKey.subjectuuid = {peer, false};
    emptyKey.privatedata = EncodedData{};
    Cred cert;
    cert.credtype = credtype::kAsymmetricSigningWithCert;
    cert.subjectuuid = {peer, false};
    cert.privatedata = EncodedData{{4, 5, 6}};
    creds.creds = {wildcard, emptyKey, cert};
    EXPECT_EQ(findPairwiseKey(creds, peer), nullptr);
    Cred key;
    key.credid = 7;
    key.subjectuuid = {peer, false};
    key.privatedata = EncodedData{{9, 9, 9, 9}};
    creds.creds.push_back(key);
    const Cred* found = findPairwiseKey(creds, peer);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->credid, 7);
    EXPECT_EQ(findPairwiseKey(creds, Uuid::random()), nullptr);
}

TEST(Uuid, RandomIsFreshEachTime) {
    const Uuid a = Uuid::random();
    const Uuid b = Uuid::random();
    EXPECT_NE(a, b);
    EXPECT_FALSE(a.isNil());
}

}  // namespace
