// Blocked devices: removed by the user, not owned again unasked until admitted.
#include <thread>

#include "pdm_test_support.hpp"

namespace steward::test {
namespace {

using core::PdmError;
using ::testing::HasSubstr;

class PdmBlockedDevices : public PdmFixture {};

TEST_F(PdmBlockedDevices, BlocksListsAndUnblocks) {
    EXPECT_FALSE(db_->isBlocked(uuidNo(1)));
    EXPECT_TRUE(db_->blockedDevices().empty());
    const auto before = toStoredPrecision(std::chrono::system_clock::now());
    db_->blockDevice(uuidNo(2), "removed");
    db_->blockDevice(uuidNo(1), "removed by hand");
    EXPECT_TRUE(db_->isBlocked(uuidNo(1)));
    EXPECT_TRUE(db_->isBlocked(uuidNo(2)));
    EXPECT_FALSE(db_->isBlocked(uuidNo(3)));

    const auto all = db_->blockedDevices();
    ASSERT_EQ(all.size(), 2u);
    for (const auto& b : all) {
        EXPECT_GE(b.blockedAt, before);
        EXPECT_LE(b.blockedAt, std::chrono::system_clock::now());
    }
    // Oldest first (the same millisecond: by UUID).
    EXPECT_LE(all[0].blockedAt, all[1].blockedAt);
    const auto& one = all[0].id == uuidNo(1) ? all[0] : all[1];
    EXPECT_EQ(one.reason, "removed by hand");

    EXPECT_TRUE(db_->unblockDevice(uuidNo(1)));
    EXPECT_FALSE(db_->unblockDevice(uuidNo(1)));
    EXPECT_FALSE(db_->isBlocked(uuidNo(1)));
    ASSERT_EQ(db_->blockedDevices().size(), 1u);
    EXPECT_EQ(db_->blockedDevices()[0].id, uuidNo(2));
}

TEST_F(PdmBlockedDevices, BlockingAgainKeepsTheTimeAndTakesTheNewReason) {
    db_->blockDevice(uuidNo(1), "first");
    const auto first = db_->blockedDevices().at(0).blockedAt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    db_->blockDevice(uuidNo(1), "second");
    const auto all = db_->blockedDevices();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].blockedAt, first);
    EXPECT_EQ(all[0].reason, "second");
}

TEST_F(PdmBlockedDevices, NeedNoDeviceRowAndOutliveTheDevicesRemoval) {
    db_->putDevice(sampleDevice(1));
    db_->blockDevice(uuidNo(1), "removed");
    EXPECT_TRUE(db_->removeDevice(uuidNo(1)));
    EXPECT_TRUE(db_->isBlocked(uuidNo(1)));
}

TEST_F(PdmBlockedDevices, RefuseTheNilUuid) {
    try {
        db_->blockDevice(core::Uuid(), "removed");
        FAIL() << "blocked the nil UUID";
    } catch (const PdmError& e) {
        EXPECT_THAT(e.what(), HasSubstr("nil UUID"));
    }
    EXPECT_TRUE(db_->blockedDevices().empty());
}

TEST_F(PdmBlockedDevices, SurviveReopening) {
    db_->blockDevice(uuidNo(1), "removed");
    const auto stored = db_->blockedDevices();
    db_.reset();
    auto again = reopen();
    EXPECT_TRUE(again->isBlocked(uuidNo(1)));
    EXPECT_EQ(again->blockedDevices(), stored);
}

TEST_F(PdmBlockedDevices, AreUndoneWithTheirTransaction) {
    db_->blockDevice(uuidNo(2), "removed");
    try {
        db_->transaction([&] {
            db_->blockDevice(uuidNo(1), "removed");
            db_->unblockDevice(uuidNo(2));
            throw std::runtime_error("abort");
        });
    } catch (const std::runtime_error&) {
    }
    EXPECT_FALSE(db_->isBlocked(uuidNo(1)));
    EXPECT_TRUE(db_->isBlocked(uuidNo(2)));
}

TEST_F(PdmBlockedDevices, AVersion4DatabaseIsMigratedKeepingItsDevicesAndBlocksNothing) {
    db_->putDevice(sampleDevice(1));
    db_->putDirectLink(uuidNo(1), uuidNo(9));
    db_.reset();
    {
        RawSqlite raw(file_);  // what a build with schema version 4 left behind
        downgradeTo(raw, 4);
    }
    auto again = reopen();
    EXPECT_EQ(again->schemaVersion(), 6);
    EXPECT_TRUE(again->device(uuidNo(1)).has_value());
    EXPECT_EQ(again->links(uuidNo(1)).size(), 1u);
    EXPECT_TRUE(again->blockedDevices().empty());
    again->blockDevice(uuidNo(1), "removed");
    again.reset();
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT description FROM schema_version WHERE version = 5"), "blocked devices");
    EXPECT_EQ(raw.scalar("SELECT reason FROM blocked_devices"), "removed");
    EXPECT_EQ(raw.scalar("SELECT uuid FROM blocked_devices"), uuidNo(1).toString());
}

}  // namespace
}  // namespace steward::test
