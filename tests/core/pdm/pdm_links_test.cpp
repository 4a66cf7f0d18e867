// Links: either order names the same link, the stale flag and pending action, foreign keys.
#include "pdm_test_support.hpp"

namespace steward::test {
namespace {

using core::PdmError;
using ::testing::HasSubstr;

class PdmLinks : public PdmFixture {
protected:
    void SetUp() override {
        for (std::uint8_t n = 1; n <= 3; ++n) db_->putDevice(sampleDevice(n));
    }
};

TEST_F(PdmLinks, EitherOrderNamesTheSameLink) {
    const auto before = toStoredPrecision(std::chrono::system_clock::now());
    db_->putLink(uuidNo(2), uuidNo(1));
    db_->putLink(uuidNo(1), uuidNo(2));  // idempotent

    const auto l = db_->link(uuidNo(1), uuidNo(2));
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->a, uuidNo(1));
    EXPECT_EQ(l->b, uuidNo(2));
    EXPECT_FALSE(l->stale);
    EXPECT_EQ(l->pendingAction, "");
    EXPECT_GE(l->createdAt, before);
    EXPECT_EQ(db_->link(uuidNo(2), uuidNo(1)), l);
    EXPECT_EQ(db_->links(uuidNo(1)), std::vector<core::LinkRecord>{*l});
    EXPECT_EQ(db_->links(uuidNo(2)), std::vector<core::LinkRecord>{*l});
    EXPECT_TRUE(db_->links(uuidNo(3)).empty());
    EXPECT_FALSE(db_->link(uuidNo(1), uuidNo(3)).has_value());
}

TEST_F(PdmLinks, ListsEveryLinkOfADeviceOnEitherSide) {
    db_->putLink(uuidNo(1), uuidNo(2));
    db_->putLink(uuidNo(3), uuidNo(2));
    const auto links = db_->links(uuidNo(2));
    ASSERT_EQ(links.size(), 2u);
    for (const auto& l : links) {
        EXPECT_LT(l.a, l.b);
        EXPECT_TRUE(l.a == uuidNo(2) || l.b == uuidNo(2));
    }
}

TEST_F(PdmLinks, StaleFlagAndPendingAction) {
    db_->putLink(uuidNo(1), uuidNo(2));
    db_->putLink(uuidNo(1), uuidNo(3));
    db_->setLinkStale(uuidNo(2), uuidNo(1), true, "unlink");

    const auto l = db_->link(uuidNo(1), uuidNo(2));
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->stale);
    EXPECT_EQ(l->pendingAction, "unlink");
    const auto stale = db_->staleLinks();
    ASSERT_EQ(stale.size(), 1u);
    EXPECT_EQ(stale[0], *l);

    // putLink on an existing link changes nothing.
    db_->putLink(uuidNo(1), uuidNo(2));
    EXPECT_EQ(db_->link(uuidNo(1), uuidNo(2)), l);

    db_->setLinkStale(uuidNo(1), uuidNo(2), false, "");
    EXPECT_TRUE(db_->staleLinks().empty());
    EXPECT_EQ(db_->link(uuidNo(1), uuidNo(2))->pendingAction, "");

    EXPECT_THROW(db_->setLinkStale(uuidNo(2), uuidNo(3), true, "unlink"), PdmError);
}

TEST_F(PdmLinks, RemovesInEitherOrder) {
    db_->putLink(uuidNo(1), uuidNo(2));
    EXPECT_TRUE(db_->removeLink(uuidNo(2), uuidNo(1)));
    EXPECT_FALSE(db_->link(uuidNo(1), uuidNo(2)).has_value());
    EXPECT_FALSE(db_->removeLink(uuidNo(1), uuidNo(2)));
    EXPECT_TRUE(db_->device(uuidNo(1)).has_value());
}

TEST_F(PdmLinks, AnUnknownDeviceViolatesTheForeignKeyAndNothingIsWritten) {
    try {
        db_->putLink(uuidNo(1), uuidNo(9));
        FAIL() << "no PdmError";
    } catch (const PdmError& e) {
        EXPECT_THAT(e.what(), HasSubstr(file_.string()));
        EXPECT_THAT(e.what(), HasSubstr("putLink"));
        EXPECT_THAT(e.what(), HasSubstr("FOREIGN KEY"));
    }
    EXPECT_TRUE(db_->links(uuidNo(1)).empty());
    EXPECT_FALSE(db_->device(uuidNo(9)).has_value());
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM links"), "0");
}

TEST_F(PdmLinks, AForeignKeyViolationUndoesTheWholeTransaction) {
    EXPECT_THROW(db_->transaction([&] {
        db_->putDevice(sampleDevice(4));
        db_->putLink(uuidNo(1), uuidNo(4));
        db_->putLink(uuidNo(4), uuidNo(9));  // unknown
    }),
                 PdmError);
    EXPECT_FALSE(db_->device(uuidNo(4)).has_value());
    EXPECT_TRUE(db_->links(uuidNo(1)).empty());
}

TEST_F(PdmLinks, ADeviceCannotBeLinkedToItself) {
    EXPECT_THROW(db_->putLink(uuidNo(1), uuidNo(1)), PdmError);
    EXPECT_TRUE(db_->links(uuidNo(1)).empty());
}

}  // namespace
}  // namespace steward::test
