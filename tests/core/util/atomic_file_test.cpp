#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "steward/util/atomic_file.hpp"
#include "support/temp_dir.hpp"

using namespace steward::core;
using steward::test::TempDir;

namespace {

std::vector<std::uint8_t> bytesOf(const std::string& s) { return {s.begin(), s.end()}; }

std::size_t entriesIn(const std::filesystem::path& dir) {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

TEST(AtomicFile, WritesWithMode0600) {
    TempDir dir;
    const auto file = dir / "db";
    writeFileAtomically(file, bytesOf("hello"));
    EXPECT_EQ(readWholeFile(file, 100), bytesOf("hello"));
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(entriesIn(dir.path()), 1u);  // no temp file left behind
}

TEST(AtomicFile, FailureBeforeRenameKeepsOldContentAndRemovesTemp) {
    TempDir dir;
    const auto file = dir / "db";
    writeFileAtomically(file, bytesOf("old"));
    AtomicWriteOptions opts;
    std::filesystem::path seenTemp;
    opts.beforeRename = [&](const std::filesystem::path& temp) {
        seenTemp = temp;
        EXPECT_EQ(readWholeFile(temp, 100), bytesOf("new"));  // fully written and synced
        throw std::runtime_error("power cut");
    };
    EXPECT_THROW(writeFileAtomically(file, bytesOf("new"), opts), std::runtime_error);
    EXPECT_EQ(readWholeFile(file, 100), bytesOf("old"));
    EXPECT_FALSE(std::filesystem::exists(seenTemp));
    EXPECT_EQ(entriesIn(dir.path()), 1u);
}

TEST(AtomicFile, ProcessKilledBeforeRenameLeavesOldFileIntact) {
    TempDir dir;
    const auto file = dir / "db";
    writeFileAtomically(file, bytesOf("old content"));
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        AtomicWriteOptions opts;
        opts.beforeRename = [](const std::filesystem::path&) { ::_exit(42); };  // dies mid-write
        writeFileAtomically(file, bytesOf("new content that never lands"), opts);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 42);
    EXPECT_EQ(readWholeFile(file, 100), bytesOf("old content"));
}

TEST(AtomicFile, ErrorsNameThePath) {
    try {
        writeFileAtomically("/nonexistent-dir/db", bytesOf("x"));
        FAIL();
    } catch (const FileError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-dir"), std::string::npos) << e.what();
    }
    EXPECT_THROW(readWholeFile("/nonexistent-dir/db", 10), FileError);
}

TEST(AtomicFile, ReadRefusesOversizeFiles) {
    TempDir dir;
    writeFileAtomically(dir / "big", std::vector<std::uint8_t>(1000, 1));
    EXPECT_THROW(readWholeFile(dir / "big", 999), FileError);
    EXPECT_EQ(readWholeFile(dir / "big", 1000).size(), 1000u);
}

}  // namespace
