// Direct links (Direct Pairing): a server the gateway owns, a client that may be a guest; the
// link calls see them beside pairwise links; removal of either side; the schema migration.
#include "pdm_test_support.hpp"

namespace steward::test {
namespace {

using core::PdmError;
using ::testing::HasSubstr;

class PdmDirectLinks : public PdmFixture {
protected:
    void SetUp() override {
        for (std::uint8_t n = 1; n <= 3; ++n) db_->putDevice(sampleDevice(n));
    }
    const core::Uuid guest = uuidNo(9);  // never in `devices`
};

TEST_F(PdmDirectLinks, AGuestClientIsRecordedServerFirstAndIdempotently) {
    const auto before = toStoredPrecision(std::chrono::system_clock::now());
    db_->putDirectLink(uuidNo(2), guest);
    db_->putDirectLink(uuidNo(2), guest);  // idempotent

    const auto l = db_->link(guest, uuidNo(2));
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->direct);
    EXPECT_EQ(l->a, uuidNo(2));  // the server, never reordered
    EXPECT_EQ(l->b, guest);
    EXPECT_FALSE(l->stale);
    EXPECT_EQ(l->pendingAction, "");
    EXPECT_GE(l->createdAt, before);
    EXPECT_EQ(db_->link(uuidNo(2), guest), l);
    EXPECT_EQ(db_->links(uuidNo(2)), std::vector<core::LinkRecord>{*l});
    EXPECT_EQ(db_->links(guest), std::vector<core::LinkRecord>{*l});  // a guest's links too
    EXPECT_TRUE(db_->links(uuidNo(1)).empty());
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM direct_links"), "1");
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM links"), "0");
}

TEST_F(PdmDirectLinks, AServerBelowItsClientIsNotReordered) {
    // uuidNo(1) < uuidNo(3): a pairwise link would store (1, 3); a direct one keeps the server first.
    db_->putDirectLink(uuidNo(3), uuidNo(1));
    const auto l = db_->link(uuidNo(1), uuidNo(3));
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->direct);
    EXPECT_EQ(l->a, uuidNo(3));
    EXPECT_EQ(l->b, uuidNo(1));
}

TEST_F(PdmDirectLinks, ListsPairwiseAndDirectLinksOldestFirst) {
    db_->putLink(uuidNo(1), uuidNo(2));
    db_->putDirectLink(uuidNo(2), guest);
    db_->putDirectLink(uuidNo(3), uuidNo(2));  // 2 is the client here
    const auto links = db_->links(uuidNo(2));
    ASSERT_EQ(links.size(), 3u);
    EXPECT_LE(links[0].createdAt, links[1].createdAt);
    EXPECT_LE(links[1].createdAt, links[2].createdAt);
    int direct = 0;
    for (const auto& l : links) {
        EXPECT_TRUE(l.a == uuidNo(2) || l.b == uuidNo(2));
        if (l.direct) ++direct;
    }
    EXPECT_EQ(direct, 2);
    EXPECT_EQ(db_->links(uuidNo(3)).size(), 1u);
    EXPECT_EQ(db_->links(uuidNo(1)).size(), 1u);
    EXPECT_FALSE(db_->links(uuidNo(1))[0].direct);
}

TEST_F(PdmDirectLinks, LinkPrefersThePairwiseLinkThenTheFirstDevicesServerSide) {
    db_->putDirectLink(uuidNo(2), uuidNo(1));
    db_->putDirectLink(uuidNo(1), uuidNo(2));
    auto l = db_->link(uuidNo(1), uuidNo(2));
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->direct);
    EXPECT_EQ(l->a, uuidNo(1));
    l = db_->link(uuidNo(2), uuidNo(1));
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->a, uuidNo(2));

    db_->putLink(uuidNo(2), uuidNo(1));
    l = db_->link(uuidNo(2), uuidNo(1));
    ASSERT_TRUE(l.has_value());
    EXPECT_FALSE(l->direct);
    EXPECT_EQ(db_->links(uuidNo(1)).size(), 3u);
}

TEST_F(PdmDirectLinks, StaleFlagAndPendingActionInEitherOrder) {
    db_->putDirectLink(uuidNo(1), guest);
    db_->putLink(uuidNo(1), uuidNo(2));
    db_->setLinkStale(guest, uuidNo(1), true, "unlink");

    const auto l = db_->link(uuidNo(1), guest);
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->stale);
    EXPECT_EQ(l->pendingAction, "unlink");
    EXPECT_EQ(db_->staleLinks(), std::vector<core::LinkRecord>{*l});
    EXPECT_FALSE(db_->link(uuidNo(1), uuidNo(2))->stale);

    db_->putDirectLink(uuidNo(1), guest);  // changes nothing
    EXPECT_EQ(db_->link(uuidNo(1), guest), l);

    db_->setLinkStale(uuidNo(1), guest, false, "");
    EXPECT_TRUE(db_->staleLinks().empty());
    EXPECT_THROW(db_->setLinkStale(uuidNo(3), guest, true, "unlink"), PdmError);
}

TEST_F(PdmDirectLinks, StaleCoversEveryLinkBetweenTwoDevices) {
    db_->putLink(uuidNo(1), uuidNo(2));
    db_->putDirectLink(uuidNo(2), uuidNo(1));
    db_->setLinkStale(uuidNo(1), uuidNo(2), true, "unlink");
    EXPECT_EQ(db_->staleLinks().size(), 2u);
}

TEST_F(PdmDirectLinks, RemoveLinkRemovesEveryKindBetweenTheTwo) {
    db_->putDirectLink(uuidNo(1), guest);
    EXPECT_TRUE(db_->removeLink(guest, uuidNo(1)));
    EXPECT_FALSE(db_->link(uuidNo(1), guest).has_value());
    EXPECT_FALSE(db_->removeLink(uuidNo(1), guest));

    db_->putLink(uuidNo(1), uuidNo(2));
    db_->putDirectLink(uuidNo(2), uuidNo(1));
    EXPECT_TRUE(db_->removeLink(uuidNo(1), uuidNo(2)));
    EXPECT_TRUE(db_->links(uuidNo(1)).empty());
    EXPECT_TRUE(db_->device(uuidNo(1)).has_value());
}

TEST_F(PdmDirectLinks, RemoveDirectLinkRemovesOnlyThatOne) {
    db_->putLink(uuidNo(1), uuidNo(2));
    db_->putDirectLink(uuidNo(2), uuidNo(1));
    db_->putDirectLink(uuidNo(1), uuidNo(2));
    EXPECT_TRUE(db_->removeDirectLink(uuidNo(2), uuidNo(1)));
    EXPECT_FALSE(db_->removeDirectLink(uuidNo(2), uuidNo(1)));
    const auto links = db_->links(uuidNo(1));
    ASSERT_EQ(links.size(), 2u);
    for (const auto& l : links) EXPECT_FALSE(l.direct && l.a == uuidNo(2));
    EXPECT_FALSE(db_->removeDirectLink(uuidNo(1), uuidNo(3)));
}

TEST_F(PdmDirectLinks, RemovingTheServerOrTheClientForgetsTheDirectLink) {
    db_->putDirectLink(uuidNo(1), guest);
    db_->putDirectLink(uuidNo(1), uuidNo(2));
    db_->putDirectLink(uuidNo(3), uuidNo(2));

    EXPECT_TRUE(db_->removeDevice(uuidNo(2)));  // the client of two
    ASSERT_EQ(db_->links(uuidNo(1)).size(), 1u);
    EXPECT_EQ(db_->links(uuidNo(1))[0].b, guest);
    EXPECT_TRUE(db_->links(uuidNo(3)).empty());

    EXPECT_TRUE(db_->removeDevice(uuidNo(1)));  // the server
    EXPECT_TRUE(db_->links(guest).empty());
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM direct_links"), "0");
}

TEST_F(PdmDirectLinks, AnUnknownServerOrAPairingWithItselfIsRefusedAndNothingIsWritten) {
    try {
        db_->putDirectLink(guest, uuidNo(1));
        FAIL() << "no PdmError";
    } catch (const PdmError& e) {
        EXPECT_THAT(e.what(), HasSubstr(file_.string()));
        EXPECT_THAT(e.what(), HasSubstr("putDirectLink"));
        EXPECT_THAT(e.what(), HasSubstr("FOREIGN KEY"));
    }
    EXPECT_THROW(db_->putDirectLink(uuidNo(1), uuidNo(1)), PdmError);
    EXPECT_TRUE(db_->links(uuidNo(1)).empty());
    EXPECT_TRUE(db_->links(guest).empty());
}

TEST_F(PdmDirectLinks, ARefusedDirectLinkUndoesTheWholeTransaction) {
    EXPECT_THROW(db_->transaction([&] {
        db_->putDirectLink(uuidNo(1), guest);
        db_->putDirectLink(guest, uuidNo(2));  // unknown server
    }),
                 PdmError);
    EXPECT_TRUE(db_->links(uuidNo(1)).empty());
}

TEST_F(PdmDirectLinks, AVersion3DatabaseIsMigratedKeepingItsLinks) {
    db_->putLink(uuidNo(1), uuidNo(2));
    db_.reset();
    {
        RawSqlite raw(file_);  // what a build with schema version 3 left behind
        downgradeTo(raw, 3);
    }
    auto again = reopen();
    EXPECT_EQ(again->schemaVersion(), 6);
    ASSERT_EQ(again->links(uuidNo(1)).size(), 1u);
    EXPECT_FALSE(again->links(uuidNo(1))[0].direct);
    again->putDirectLink(uuidNo(1), guest);
    EXPECT_EQ(again->links(uuidNo(1)).size(), 2u);
    again.reset();
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT description FROM schema_version WHERE version = 4"), "direct links made by Direct Pairing");
}

}  // namespace
}  // namespace steward::test
