// The owner-key log: replay across reopening, torn tails cut, corruption refused untouched,
// compaction, and appends that fail without changing anything.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "onboarding/owner_key_record.hpp"
#include "owner_key_log_support.hpp"
#include "steward/onboarding/owner_key_log.hpp"
#include "steward/svr/svr_database.hpp"
#include "support/temp_dir.hpp"

namespace steward::core {
namespace {

using test::bytesOf;

std::vector<std::uint8_t> key(std::uint8_t fill, std::size_t size = 16) { return std::vector<std::uint8_t>(size, fill); }

Uuid device(std::uint8_t n) {
    Uuid::Bytes b{};
    b.fill(0x11);
    b[15] = n;
    return Uuid(b);
}

bool holds(const OwnerKeyLog& log, const Uuid& d, const std::vector<std::uint8_t>& k) {
    const SecretBytes* held = log.find(d);
    return held != nullptr && held->equals(k);
}

// One record as the log writes it.
std::vector<std::uint8_t> putRecord(const Uuid& d, const std::vector<std::uint8_t>& k) {
    std::vector<std::uint8_t> out;
    out.reserve(owner_key_record::recordBytes(k.size()));
    owner_key_record::append(out, owner_key_record::Kind::Put, d, k);
    return out;
}

class OwnerKeyLogTest : public ::testing::Test {
protected:
    test::TempDir dir_;
    std::filesystem::path file_ = dir_ / "gateway.svrdb.keys";
};

TEST_F(OwnerKeyLogTest, KeepsPutsReplacementsAndRemovalsAcrossReopening) {
    {
        auto log = OwnerKeyLog::open(file_);
        EXPECT_EQ(log.size(), 0U);
        log.put(device(1), key(1));
        log.put(device(2), key(2, 32));
        log.put(device(1), key(3));  // replaces
        log.put(device(4), key(4));
        EXPECT_TRUE(log.remove(device(4)));
        EXPECT_FALSE(log.remove(device(4)));  // absent: nothing written
        EXPECT_EQ(log.records(), 5U);
    }
    const auto log = OwnerKeyLog::open(file_);
    EXPECT_EQ(log.size(), 2U);
    EXPECT_EQ(log.records(), 5U);
    EXPECT_TRUE(holds(log, device(1), key(3)));
    EXPECT_TRUE(holds(log, device(2), key(2, 32)));
    EXPECT_EQ(log.find(device(4)), nullptr);
    EXPECT_EQ(log.devices(), (std::vector<Uuid>{device(1), device(2)}));
}

TEST_F(OwnerKeyLogTest, HasTheDocumentedLayout) {
    { OwnerKeyLog::open(file_).put(device(7), key(0xAB)); }
    const auto bytes = bytesOf(file_);
    ASSERT_EQ(bytes.size(), 12U + 4 + 1 + 16 + 16 + 4);
    EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), "STEWKEYS");
    EXPECT_EQ(bytes[8], 1);    // version 1, little-endian
    EXPECT_EQ(bytes[12], 33);  // length: kind + uuid + key
    EXPECT_EQ(bytes[13], 0);
    EXPECT_EQ(bytes[14], 0xDE);  // and its complement
    EXPECT_EQ(bytes[15], 0xFF);
    EXPECT_EQ(bytes[16], 1);  // put
    EXPECT_EQ(bytes[32], 7);  // the uuid's last byte
    EXPECT_EQ(bytes[33], 0xAB);
}

TEST_F(OwnerKeyLogTest, IsPrivateAndTightenedWhenLooser) {
    { OwnerKeyLog::open(file_).put(device(1), key(1)); }
    struct stat st {};
    ASSERT_EQ(::stat(file_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
    ASSERT_EQ(::chmod(file_.c_str(), 0644), 0);
    { OwnerKeyLog::open(file_); }
    ASSERT_EQ(::stat(file_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
}

// A crash during an append leaves part of a record, a whole one with a bad check, or zeros.
TEST_F(OwnerKeyLogTest, CutsATornTailAndKeepsEveryEarlierRecord) {
    const auto torn = putRecord(device(9), key(9));
    auto badCheck = torn;
    badCheck.back() ^= 0xFF;
    const std::vector<std::vector<std::uint8_t>> tails{{torn.begin(), torn.begin() + 2},
                                                       {torn.begin(), torn.begin() + 20},
                                                       {torn.begin(), torn.end() - 1},
                                                       badCheck,
                                                       std::vector<std::uint8_t>(torn.size(), 0)};
    for (std::size_t i = 0; i < tails.size(); ++i) {
        std::filesystem::remove(file_);
        {
            auto log = OwnerKeyLog::open(file_);
            log.put(device(1), key(1));
            log.put(device(2), key(2));
        }
        const auto whole = bytesOf(file_);
        test::appendBytes(file_, tails[i]);
        {
            auto log = OwnerKeyLog::open(file_);
            EXPECT_EQ(log.size(), 2U) << "tail " << i;
            EXPECT_TRUE(holds(log, device(1), key(1))) << "tail " << i;
            EXPECT_TRUE(holds(log, device(2), key(2))) << "tail " << i;
            EXPECT_EQ(log.find(device(9)), nullptr) << "tail " << i;
            EXPECT_EQ(bytesOf(file_), whole) << "tail " << i;  // cut back exactly
            log.put(device(3), key(3));                        // and the next append follows a whole record
        }
        const auto again = OwnerKeyLog::open(file_);
        EXPECT_EQ(again.size(), 3U) << "tail " << i;
        EXPECT_TRUE(holds(again, device(3), key(3))) << "tail " << i;
    }
}

TEST_F(OwnerKeyLogTest, RefusesABadRecordWithMoreAfterItAndLeavesTheFileAlone) {
    {
        auto log = OwnerKeyLog::open(file_);
        log.put(device(1), key(1));
        log.put(device(2), key(2));
        log.put(device(3), key(3));
    }
    const std::size_t second = 12 + owner_key_record::recordBytes(16);
    for (const std::size_t offset : {second + 20, second + 1, second}) {  // a uuid byte, the length's high byte, its low byte
        auto bytes = bytesOf(file_);
        const auto original = bytes;
        bytes[offset] ^= 0x40;
        test::writeBytes(file_, bytes);
        try {
            OwnerKeyLog::open(file_);
            ADD_FAILURE() << "a corrupt record at " << offset << " was accepted";
        } catch (const SvrDbError& e) {
            EXPECT_NE(std::string(e.what()).find(file_.string()), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("offset " + std::to_string(second)), std::string::npos) << e.what();
        }
        EXPECT_EQ(bytesOf(file_), bytes) << offset;  // byte for byte what it was
        EXPECT_THROW(OwnerKeyLog::read(file_), SvrDbError);
        test::writeBytes(file_, original);
    }
}

TEST_F(OwnerKeyLogTest, RefusesAForeignOrNewerFile) {
    { std::ofstream(file_) << "not a log at all"; }
    EXPECT_THROW(OwnerKeyLog::open(file_), SvrDbError);
    EXPECT_EQ(bytesOf(file_).size(), 16U);
    auto header = owner_key_record::header();
    header[8] = 2;
    test::writeBytes(file_, header);
    EXPECT_THROW(OwnerKeyLog::open(file_), SvrDbError);
}

TEST_F(OwnerKeyLogTest, CompactsAtOpenToExactlyTheLiveKeys) {
    {
        auto log = OwnerKeyLog::open(file_);
        for (std::uint8_t round = 1; round <= 3; ++round) {
            for (std::uint8_t d = 1; d <= 10; ++d) log.put(device(d), key(static_cast<std::uint8_t>(d * 10 + round)));
        }
        for (std::uint8_t d = 6; d <= 10; ++d) log.remove(device(d));
        EXPECT_EQ(log.records(), 35U);
    }
    const auto before = bytesOf(file_);
    {
        // Above the threshold only: a small log stays as it is.
        const auto log = OwnerKeyLog::open(file_, OwnerKeyLog::Options{before.size()});
        EXPECT_EQ(log.records(), 35U);
    }
    EXPECT_EQ(bytesOf(file_), before);
    {
        const auto log = OwnerKeyLog::open(file_, OwnerKeyLog::Options{0});
        EXPECT_EQ(log.records(), 5U);
    }
    EXPECT_EQ(bytesOf(file_).size(), 12 + 5 * owner_key_record::recordBytes(16));
    struct stat st {};
    ASSERT_EQ(::stat(file_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
    auto log = OwnerKeyLog::open(file_);
    EXPECT_EQ(log.size(), 5U);
    for (std::uint8_t d = 1; d <= 5; ++d) EXPECT_TRUE(holds(log, device(d), key(static_cast<std::uint8_t>(d * 10 + 3)))) << int(d);
    for (std::uint8_t d = 6; d <= 10; ++d) EXPECT_EQ(log.find(device(d)), nullptr) << int(d);
    log.put(device(6), key(66));  // appends to the rewritten file
    EXPECT_TRUE(holds(OwnerKeyLog::read(file_), device(6), key(66)));
}

TEST_F(OwnerKeyLogTest, DoesNotCompactWhileLiveKeysAreTheMajority) {
    {
        auto log = OwnerKeyLog::open(file_);
        for (std::uint8_t d = 1; d <= 10; ++d) log.put(device(d), key(d));
        for (std::uint8_t d = 1; d <= 5; ++d) log.put(device(d), key(static_cast<std::uint8_t>(d + 100)));
    }
    const auto before = bytesOf(file_);
    EXPECT_EQ(OwnerKeyLog::open(file_, OwnerKeyLog::Options{0}).records(), 15U);
    EXPECT_EQ(bytesOf(file_), before);
}

TEST_F(OwnerKeyLogTest, AFailedAppendChangesNothing) {
    auto log = OwnerKeyLog::open(file_);
    log.put(device(1), key(1));
    const auto before = bytesOf(file_);
    {
        // Room for part of a record: the kernel writes that much, then refuses the rest.
        test::FileSizeLimit limit(before.size() + 10);
        EXPECT_THROW(log.put(device(2), key(2)), SvrDbError);
        EXPECT_THROW(log.put(device(1), key(9)), SvrDbError);
        EXPECT_THROW(log.remove(device(1)), SvrDbError);
    }
    EXPECT_EQ(bytesOf(file_), before);
    EXPECT_EQ(log.find(device(2)), nullptr);
    EXPECT_TRUE(holds(log, device(1), key(1)));
    EXPECT_EQ(log.records(), 1U);
    log.put(device(2), key(2));  // the log is usable again
    const auto again = OwnerKeyLog::open(file_);
    EXPECT_EQ(again.size(), 2U);
    EXPECT_TRUE(holds(again, device(1), key(1)));
    EXPECT_TRUE(holds(again, device(2), key(2)));
}

TEST_F(OwnerKeyLogTest, RefusesKeysItCannotStore) {
    auto log = OwnerKeyLog::open(file_);
    EXPECT_THROW(log.put(device(1), {}), SvrDbError);
    EXPECT_THROW(log.put(device(1), key(1, 256)), SvrDbError);
    EXPECT_EQ(log.records(), 0U);
    EXPECT_EQ(bytesOf(file_).size(), 12U);
}

TEST_F(OwnerKeyLogTest, AReaderLeavesATornTailAndCannotWrite) {
    { OwnerKeyLog::open(file_).put(device(1), key(1)); }
    const auto torn = putRecord(device(2), key(2));
    test::appendBytes(file_, {torn.begin(), torn.begin() + 9});  // perhaps an append in progress
    const auto bytes = bytesOf(file_);
    auto reader = OwnerKeyLog::read(file_);
    EXPECT_EQ(reader.size(), 1U);
    EXPECT_THROW(reader.put(device(3), key(3)), SvrDbError);
    EXPECT_EQ(bytesOf(file_), bytes);
}

}  // namespace
}  // namespace steward::core
