// transaction(): all or nothing, nesting, isolation from other connections until commit.
#include "pdm_test_support.hpp"

namespace steward::test {
namespace {

using core::DeviceRecordState;
using core::PdmError;

class PdmTransactions : public PdmFixture {};

struct Abort {};  // not an std::exception: transaction() must rethrow it as it is

TEST_F(PdmTransactions, CommitsEverythingTogether) {
    db_->transaction([&] {
        db_->putDevice(sampleDevice(1));
        db_->putDevice(sampleDevice(2));
        db_->putLink(uuidNo(1), uuidNo(2));
        db_->setDeviceState(uuidNo(1), DeviceRecordState::Owned);
    });
    EXPECT_EQ(db_->devices().size(), 2u);
    EXPECT_TRUE(db_->link(uuidNo(1), uuidNo(2)).has_value());
    EXPECT_EQ(db_->device(uuidNo(1))->state, DeviceRecordState::Owned);
}

TEST_F(PdmTransactions, AnExceptionRollsEverythingBackAndIsRethrownUnchanged) {
    db_->putDevice(sampleDevice(1, "kept"));
    EXPECT_THROW(db_->transaction([&] {
        db_->putDevice(sampleDevice(2));
        db_->renameDevice(uuidNo(1), "changed");
        db_->putLink(uuidNo(1), uuidNo(2));
        throw Abort{};
    }),
                 Abort);
    EXPECT_EQ(db_->devices().size(), 1u);
    EXPECT_EQ(db_->device(uuidNo(1))->name, "kept");
    EXPECT_TRUE(db_->links(uuidNo(1)).empty());

    // The object is usable afterwards.
    db_->putDevice(sampleDevice(2));
    EXPECT_EQ(db_->devices().size(), 2u);
}

TEST_F(PdmTransactions, ANestedTransactionJoinsTheOuterOne) {
    auto other = reopen();
    EXPECT_THROW(db_->transaction([&] {
        db_->putDevice(sampleDevice(1));
        db_->transaction([&] { db_->putDevice(sampleDevice(2)); });
        EXPECT_TRUE(db_->device(uuidNo(2)).has_value());
        // Committed only with the outer transaction.
        EXPECT_FALSE(other->device(uuidNo(2)).has_value());
        throw Abort{};
    }),
                 Abort);
    EXPECT_TRUE(db_->devices().empty());

    db_->transaction([&] {
        db_->putDevice(sampleDevice(1));
        db_->transaction([&] { db_->putDevice(sampleDevice(2)); });
    });
    EXPECT_EQ(other->devices().size(), 2u);
}

TEST_F(PdmTransactions, AFailedNestedTransactionUndoesOnlyItsOwnWrites) {
    db_->transaction([&] {
        db_->putDevice(sampleDevice(1));
        try {
            db_->transaction([&] {
                db_->putDevice(sampleDevice(2));
                throw Abort{};
            });
        } catch (const Abort&) {
        }
        // A failed call inside the transaction is undone on its own, too.
        EXPECT_THROW(db_->putLink(uuidNo(1), uuidNo(9)), PdmError);
        db_->putDevice(sampleDevice(3));
    });
    std::vector<core::Uuid> ids;
    for (const auto& d : db_->devices()) ids.push_back(d.id);
    EXPECT_EQ(ids, (std::vector<core::Uuid>{uuidNo(1), uuidNo(3)}));
}

TEST_F(PdmTransactions, OtherConnectionsSeeNothingBeforeTheCommit) {
    auto other = reopen();
    db_->transaction([&] {
        db_->putDevice(sampleDevice(1));
        EXPECT_FALSE(other->device(uuidNo(1)).has_value());
    });
    EXPECT_TRUE(other->device(uuidNo(1)).has_value());
}

}  // namespace
}  // namespace steward::test
