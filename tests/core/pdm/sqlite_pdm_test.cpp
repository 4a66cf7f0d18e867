// Opening the SQLite PDM: creation, schema versions, refusals, several connections and threads.
#include <sys/stat.h>

#include <thread>

#include "pdm_test_support.hpp"

namespace steward::test {
namespace {

using core::PdmError;
using ::testing::HasSubstr;

class SqlitePdm : public PdmFixture {};

std::string openError(const std::filesystem::path& file) {
    try {
        core::openSqlitePdm(file);
    } catch (const PdmError& e) {
        return e.what();
    }
    return "opened";
}

TEST_F(SqlitePdm, CreatesTheFileWithMode0600) {
    db_->putDevice(sampleDevice(1));
    struct stat st {};
    ASSERT_EQ(::stat(file_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // SQLite gives the WAL file the mode of the database.
    std::filesystem::path wal = file_;
    wal += "-wal";
    ASSERT_EQ(::stat(wal.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SqlitePdm, ADatabaseLeftLooserIsMadePrivateWithItsWalAndShmFiles) {
    db_->putDevice(sampleDevice(1));
    std::vector<std::filesystem::path> files{file_};
    for (const char* suffix : {"-wal", "-shm"}) {
        std::filesystem::path companion = file_;
        companion += suffix;
        files.push_back(companion);
    }
    for (const auto& f : files) ASSERT_EQ(::chmod(f.c_str(), 0666), 0) << f;  // as an older version or an admin might
    auto again = reopen();
    EXPECT_EQ(again->devices().size(), 1u);
    for (const auto& f : files) {
        struct stat st {};
        ASSERT_EQ(::stat(f.c_str(), &st), 0) << f;
        EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
    }
}

TEST_F(SqlitePdm, RunsInWalModeWithTheSchemaVersionRecorded) {
    EXPECT_EQ(db_->schemaVersion(), 6);
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(raw.query("SELECT version FROM schema_version ORDER BY version"), (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
    const auto tables = raw.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
        "ORDER BY name");
    EXPECT_EQ(tables, (std::vector<std::string>{"aces", "applied_policies", "blocked_devices", "credentials", "devices", "direct_links",
                                                "links", "metric_counters", "metric_samples", "pending_actions", "schema_version"}));
}

TEST_F(SqlitePdm, ReopeningKeepsDataAndAppliesNoMigrationTwice) {
    db_->putDevice(sampleDevice(1));
    db_->putDevice(sampleDevice(2));
    db_->putLink(uuidNo(1), uuidNo(2));
    db_.reset();

    auto again = reopen();
    EXPECT_EQ(again->devices().size(), 2u);
    EXPECT_TRUE(again->link(uuidNo(2), uuidNo(1)).has_value());
    EXPECT_EQ(again->schemaVersion(), 6);
    again.reset();
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM schema_version"), "6");
}

TEST_F(SqlitePdm, MigratesAVersion2DatabaseKeepingItsDevices) {
    db_->putDevice(sampleDevice(1));
    db_.reset();
    {
        RawSqlite raw(file_);  // what a build with schema version 2 left behind
        downgradeTo(raw, 2);
    }
    auto again = reopen();
    EXPECT_EQ(again->schemaVersion(), 6);
    const auto d = again->device(uuidNo(1));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->name, "light");
    EXPECT_TRUE(d->deviceTypes.empty());
}

// Version 6 adds applied policies and metrics: a version 5 database keeps everything it had, gets
// the new tables empty (no invented figures, no device provisioned that was not recorded so), and
// takes the new records at once.
TEST_F(SqlitePdm, MigratesAVersion5DatabaseKeepingEverythingAndAddingAppliedPoliciesAndMetrics) {
    db_->putDevice(sampleDevice(1));
    db_->putDevice(sampleDevice(2, "hall"));
    db_->setDeviceState(uuidNo(1), core::DeviceRecordState::Owned);
    db_->putLink(uuidNo(1), uuidNo(2));
    db_->blockDevice(uuidNo(3), "removed");
    const auto owned = db_->device(uuidNo(1));
    db_.reset();
    {
        RawSqlite raw(file_);  // what a build with schema version 5 left behind
        downgradeTo(raw, 5);
        ASSERT_EQ(raw.scalar("SELECT MAX(version) FROM schema_version"), "5");
    }
    auto again = reopen();
    EXPECT_EQ(again->schemaVersion(), 6);
    EXPECT_EQ(again->device(uuidNo(1)), owned);
    EXPECT_EQ(again->devices().size(), 2u);
    EXPECT_TRUE(again->link(uuidNo(1), uuidNo(2)).has_value());
    EXPECT_TRUE(again->isBlocked(uuidNo(3)));
    EXPECT_FALSE(again->appliedPolicies(uuidNo(1)).has_value());
    EXPECT_TRUE(again->counters().empty());
    EXPECT_TRUE(again->samples("time_to_own_ms").empty());

    again->setAppliedPolicies({uuidNo(1), {"lights"}, true, "", {}});
    again->addToCounter("devices_owned", "", 1);
    again->addSample("time_to_own_ms", 120, 1000);
    again.reset();
    auto third = reopen();
    ASSERT_TRUE(third->appliedPolicies(uuidNo(1)).has_value());
    EXPECT_EQ(third->appliedPolicies(uuidNo(1))->policies, std::vector<std::string>{"lights"});
    EXPECT_EQ(third->counters(), (std::vector<core::MetricCounter>{{"devices_owned", "", 1}}));
    EXPECT_EQ(third->samples("time_to_own_ms"), std::vector<std::int64_t>{120});
    third.reset();
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT description FROM schema_version WHERE version = 6"), "applied policies, metric counters and samples");
}

TEST_F(SqlitePdm, RefusesADatabaseOfANewerSteward) {
    db_.reset();
    {
        RawSqlite raw(file_);
        raw.exec("INSERT INTO schema_version (version, applied_at, description) VALUES (7, 0, 'from the future')");
    }
    const auto before = fileBytes(file_);
    const std::string error = openError(file_);
    EXPECT_THAT(error, HasSubstr(file_.string()));
    EXPECT_THAT(error, HasSubstr("created by a newer Steward"));
    EXPECT_THAT(error, HasSubstr("schema version 7"));
    EXPECT_EQ(fileBytes(file_), before);
}

TEST_F(SqlitePdm, RefusesAFileThatIsNotSqliteAndLeavesItAlone) {
    const auto other = dir_ / "notes.txt";
    {
        std::ofstream out(other, std::ios::binary);
        out << "this is not a database, just some text long enough to fill a header page or two\n";
    }
    ::chmod(other.c_str(), 0644);
    const auto before = fileBytes(other);

    const std::string error = openError(other);
    EXPECT_THAT(error, HasSubstr(other.string()));
    EXPECT_THAT(error, HasSubstr("not an SQLite database"));
    EXPECT_EQ(fileBytes(other), before);
    struct stat st {};
    ASSERT_EQ(::stat(other.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "notes.txt-wal"));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "notes.txt-journal"));
}

TEST_F(SqlitePdm, RefusesACorruptDatabaseBehindAValidHeader) {
    const auto other = dir_ / "corrupt.db";
    {
        std::ofstream out(other, std::ios::binary);
        out.write("SQLite format 3", 16);  // with its NUL
        out << std::string(4096, '\x7f');
    }
    const auto before = fileBytes(other);
    const std::string error = openError(other);
    EXPECT_THAT(error, HasSubstr(other.string()));
    EXPECT_NE(error, "opened");
    EXPECT_EQ(fileBytes(other), before);
}

TEST_F(SqlitePdm, RefusesAnotherApplicationsSqliteDatabase) {
    const auto other = dir_ / "other.db";
    {
        RawSqlite raw(other);
        raw.exec("CREATE TABLE contacts (name TEXT)");
    }
    const auto before = fileBytes(other);
    const std::string error = openError(other);
    EXPECT_THAT(error, HasSubstr(other.string()));
    EXPECT_THAT(error, HasSubstr("not a Steward PDM"));
    EXPECT_EQ(fileBytes(other), before);
}

TEST_F(SqlitePdm, NeedsAnExistingDirectory) {
    const auto missing = dir_ / "no-such-dir" / "pdm.db";
    const std::string error = openError(missing);
    EXPECT_THAT(error, HasSubstr(missing.string()));
    EXPECT_THAT(error, HasSubstr("does not exist"));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "no-such-dir"));
}

TEST_F(SqlitePdm, OpensAnEmptyFileAsANewDatabase) {
    const auto empty = dir_ / "empty.db";
    { std::ofstream out(empty); }
    auto pdm = core::openSqlitePdm(empty);
    EXPECT_EQ(pdm->schemaVersion(), 6);
    EXPECT_TRUE(pdm->devices().empty());
}

TEST_F(SqlitePdm, TwoObjectsOnOneFileSeeEachOthersCommittedWrites) {
    auto second = reopen();
    db_->putDevice(sampleDevice(1));
    ASSERT_TRUE(second->device(uuidNo(1)).has_value());

    second->putDevice(sampleDevice(2));
    second->putLink(uuidNo(1), uuidNo(2));
    EXPECT_EQ(db_->devices().size(), 2u);
    EXPECT_EQ(db_->links(uuidNo(1)).size(), 1u);

    EXPECT_TRUE(db_->removeDevice(uuidNo(2)));
    EXPECT_FALSE(second->device(uuidNo(2)).has_value());
    EXPECT_TRUE(second->links(uuidNo(1)).empty());
}

TEST_F(SqlitePdm, OneObjectIsSafeToUseFromSeveralThreads) {
    db_->putDevice(sampleDevice(1));
    constexpr int kThreads = 4;
    constexpr int kEach = 25;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                db_->transaction([&] {
                    core::CredentialRecord c;
                    c.device = uuidNo(1);
                    c.subject = uuidNo(static_cast<std::uint8_t>(t + 10));
                    c.keyBits = 256;
                    db_->addCredential(c);
                    db_->renameDevice(uuidNo(1), "thread " + std::to_string(t));
                });
                (void)db_->devices();
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(db_->credentials(uuidNo(1)).size(), static_cast<std::size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace steward::test
