// Credentials: round trips, revocation, foreign keys.
#include <thread>

#include "pdm_test_support.hpp"

namespace steward::test {
namespace {

using core::CredentialRecord;
using core::PdmError;

class PdmCredentials : public PdmFixture {
protected:
    void SetUp() override {
        db_->putDevice(sampleDevice(1));
        db_->putDevice(sampleDevice(2));
    }
};

TEST_F(PdmCredentials, RoundTripsEveryField) {
    CredentialRecord owner;
    owner.device = uuidNo(1);
    owner.subject = uuidNo(42);
    owner.credtype = 1;
    owner.keyBits = 256;
    owner.createdAt = atMillis(1'700'000'000'001);
    CredentialRecord old = owner;
    old.credtype = 8;
    old.keyBits = 128;
    old.revokedAt = atMillis(1'700'000'000'500);
    CredentialRecord fresh = owner;
    fresh.createdAt = {};  // "now"

    owner.id = db_->addCredential(owner);
    old.id = db_->addCredential(old);
    const auto before = toStoredPrecision(std::chrono::system_clock::now());
    fresh.id = db_->addCredential(fresh);
    EXPECT_GT(owner.id, 0);
    EXPECT_NE(owner.id, old.id);

    const auto got = db_->credentials(uuidNo(1));
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], owner);
    EXPECT_EQ(got[1], old);
    EXPECT_EQ(got[2].id, fresh.id);
    EXPECT_GE(got[2].createdAt, before);
    EXPECT_FALSE(got[2].revokedAt.has_value());
    EXPECT_TRUE(db_->credentials(uuidNo(2)).empty());
}

TEST_F(PdmCredentials, RevokingKeepsTheCredentialWithItsFirstRevocationTime) {
    CredentialRecord c;
    c.device = uuidNo(1);
    c.subject = uuidNo(2);
    c.keyBits = 256;
    const auto id = db_->addCredential(c);
    const auto before = toStoredPrecision(std::chrono::system_clock::now());
    db_->revokeCredential(id);
    const auto after = std::chrono::system_clock::now();

    auto got = db_->credentials(uuidNo(1));
    ASSERT_EQ(got.size(), 1u);
    ASSERT_TRUE(got[0].revokedAt.has_value());
    EXPECT_GE(*got[0].revokedAt, before);
    EXPECT_LE(*got[0].revokedAt, after);

    const auto first = *got[0].revokedAt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    db_->revokeCredential(id);
    EXPECT_EQ(db_->credentials(uuidNo(1))[0].revokedAt, first);

    EXPECT_THROW(db_->revokeCredential(id + 100), PdmError);
}

TEST_F(PdmCredentials, TheDeviceMustBeKnown) {
    CredentialRecord c;
    c.device = uuidNo(9);
    c.subject = uuidNo(1);
    EXPECT_THROW(db_->addCredential(c), PdmError);
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM credentials"), "0");
}

}  // namespace
}  // namespace steward::test
