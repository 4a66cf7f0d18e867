// Pending actions: what the gateway owes devices it could not reach (a removed peer's revocation,
// a removed device's reset).
#include "pdm_test_support.hpp"

namespace steward::test {
namespace {

using ::testing::HasSubstr;

core::PendingAction revoke(std::uint8_t device, std::uint8_t peer) {
    core::PendingAction p;
    p.device = uuidNo(device);
    p.peer = uuidNo(peer);
    p.action = "revoke";
    p.address = "127.0.0.1";
    p.securePort = 5684;
    return p;
}

class PdmPendingActions : public ::testing::Test {
protected:
    TempDir dir_;
    std::unique_ptr<core::ProvisioningDatabase> db_ = core::openSqlitePdm(dir_ / "pdm.db");
};

TEST_F(PdmPendingActions, StoresListsAndRemovesThemOldestFirst) {
    auto first = revoke(1, 9);
    first.createdAt = atMillis(1000);
    auto second = revoke(2, 9);
    second.action = "reset";
    second.createdAt = atMillis(2000);
    const auto idSecond = db_->addPendingAction(second);
    const auto idFirst = db_->addPendingAction(first);

    const auto all = db_->pendingActions();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, idFirst);
    EXPECT_EQ(all[0].device, uuidNo(1));
    EXPECT_EQ(all[0].peer, uuidNo(9));
    EXPECT_EQ(all[0].action, "revoke");
    EXPECT_EQ(all[0].address, "127.0.0.1");
    EXPECT_EQ(all[0].securePort, 5684);
    EXPECT_EQ(all[1].id, idSecond);
    EXPECT_EQ(all[1].action, "reset");

    EXPECT_TRUE(db_->removePendingAction(idFirst));
    EXPECT_FALSE(db_->removePendingAction(idFirst));
    ASSERT_EQ(db_->pendingActions().size(), 1u);
}

TEST_F(PdmPendingActions, AddingTheSameActionAgainKeepsOneRowWithTheNewAddress) {
    const auto id = db_->addPendingAction(revoke(1, 9));
    auto moved = revoke(1, 9);
    moved.address = "::1";
    moved.securePort = 40000;
    EXPECT_EQ(db_->addPendingAction(moved), id);
    const auto all = db_->pendingActions();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].address, "::1");
    EXPECT_EQ(all[0].securePort, 40000);
}

TEST_F(PdmPendingActions, NeedNoDeviceRowAndSurviveItsRemoval) {
    db_->putDevice(sampleDevice(1));
    db_->addPendingAction(revoke(1, 9));  // 9 was never (or is no longer) in the PDM
    EXPECT_TRUE(db_->removeDevice(uuidNo(1)));
    EXPECT_EQ(db_->pendingActions().size(), 1u);
}

TEST_F(PdmPendingActions, RefuseAnUnknownActionAndWriteNothing) {
    auto bad = revoke(1, 9);
    bad.action = "explode";
    try {
        db_->addPendingAction(bad);
        FAIL() << "accepted an unknown action";
    } catch (const core::PdmError& e) {
        EXPECT_THAT(e.what(), HasSubstr("unknown action"));
    }
    EXPECT_TRUE(db_->pendingActions().empty());
}

TEST_F(PdmPendingActions, AreUndoneWithTheirTransaction) {
    try {
        db_->transaction([&] {
            db_->addPendingAction(revoke(1, 9));
            throw std::runtime_error("abort");
        });
    } catch (const std::runtime_error&) {
    }
    EXPECT_TRUE(db_->pendingActions().empty());
}

}  // namespace
}  // namespace steward::test
