// ACEs: round trips, idempotent adds, removal, foreign keys.
#include "pdm_test_support.hpp"

namespace steward::test {
namespace {

using core::AceRecord;
using core::PdmError;

class PdmAces : public PdmFixture {
protected:
    void SetUp() override {
        db_->putDevice(sampleDevice(1));
        db_->putDevice(sampleDevice(2));
    }

    static AceRecord ace(std::vector<std::string> resources, int permission = 31) {
        AceRecord a;
        a.device = uuidNo(1);
        a.aceid = 3;
        a.subject = "uuid:" + uuidNo(2).toString();
        a.resources = std::move(resources);
        a.permission = permission;
        a.origin = "living-room";
        a.createdAt = atMillis(1'700'000'000'000);
        return a;
    }
};

TEST_F(PdmAces, RoundTripsEveryField) {
    auto a = ace({"/a/light", "/oic/d", "*", "+", "-", "/x?q=\"quoted\"&\\", "/ünïcode"}, 6);
    AceRecord anon;
    anon.device = uuidNo(1);
    anon.aceid = 1;
    anon.subject = "conntype:anon-clear";
    anon.resources = {"/oic/res"};
    anon.permission = 2;
    const auto before = toStoredPrecision(std::chrono::system_clock::now());

    a.id = db_->addAce(a);
    anon.id = db_->addAce(anon);
    const auto got = db_->aces(uuidNo(1));
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], a);
    EXPECT_EQ(got[1].id, anon.id);
    EXPECT_EQ(got[1].subject, "conntype:anon-clear");
    EXPECT_EQ(got[1].resources, std::vector<std::string>{"/oic/res"});
    EXPECT_EQ(got[1].origin, "");
    EXPECT_GE(got[1].createdAt, before);
    EXPECT_TRUE(db_->aces(uuidNo(2)).empty());
}

TEST_F(PdmAces, AddingTheSameAceAgainReturnsTheExistingId) {
    const auto id = db_->addAce(ace({"/a/light", "/oic/d"}));
    auto again = ace({"/a/light", "/oic/d"});
    again.aceid = 99;
    again.origin = "";
    EXPECT_EQ(db_->addAce(again), id);
    // The resources are a set: order and repetition do not make another ACE.
    EXPECT_EQ(db_->addAce(ace({"/oic/d", "/a/light", "/oic/d"})), id);
    const auto stored = db_->aces(uuidNo(1));
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].aceid, 3);
    EXPECT_EQ(stored[0].origin, "living-room");

    // Any other difference is another ACE.
    EXPECT_NE(db_->addAce(ace({"/a/light", "/oic/d"}, 2)), id);
    EXPECT_NE(db_->addAce(ace({"/a/light"})), id);
    auto otherSubject = ace({"/a/light", "/oic/d"});
    otherSubject.subject = "role:admin";
    EXPECT_NE(db_->addAce(otherSubject), id);
    auto otherDevice = ace({"/a/light", "/oic/d"});
    otherDevice.device = uuidNo(2);
    EXPECT_NE(db_->addAce(otherDevice), id);
    EXPECT_EQ(db_->aces(uuidNo(1)).size(), 4u);
}

TEST_F(PdmAces, Removes) {
    const auto id = db_->addAce(ace({"*"}));
    EXPECT_TRUE(db_->removeAce(id));
    EXPECT_TRUE(db_->aces(uuidNo(1)).empty());
    EXPECT_FALSE(db_->removeAce(id));
    // Removed, it can be added again, as a new row.
    EXPECT_NE(db_->addAce(ace({"*"})), id);
}

TEST_F(PdmAces, TheDeviceMustBeKnown) {
    auto a = ace({"*"});
    a.device = uuidNo(9);
    EXPECT_THROW(db_->addAce(a), PdmError);
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM aces"), "0");
}

}  // namespace
}  // namespace steward::test
