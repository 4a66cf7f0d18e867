// The state directory's helpers (issue 20): a private directory is 0700 whatever the umask, a
// looser one (or a looser file) is tightened without ever gaining a bit, and what is not ours to
// change (a symlink's target, a file where a directory should be) is refused or left alone.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "steward/util/private_files.hpp"
#include "support/temp_dir.hpp"

using namespace steward::core;
using steward::test::TempDir;
namespace fs = std::filesystem;

namespace {

unsigned modeOf(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return static_cast<unsigned>(st.st_mode & 07777);
}

void touch(const fs::path& p, unsigned mode) {
    std::ofstream(p) << "x";
    ::chmod(p.c_str(), static_cast<mode_t>(mode));
}

// Sets the umask for one test and restores it.
class Umask {
public:
    explicit Umask(mode_t m) : old_(::umask(m)) {}
    ~Umask() { ::umask(old_); }
    Umask(const Umask&) = delete;
    Umask& operator=(const Umask&) = delete;

private:
    mode_t old_;
};

}  // namespace

TEST(PrivateFiles, ANewDirectoryIs0700WhateverTheUmask) {
    TempDir tmp;
    for (const mode_t mask : {mode_t{0000}, mode_t{0022}, mode_t{0277}}) {
        const Umask umask(mask);
        const auto dir = tmp / ("state-" + std::to_string(mask));
        ensurePrivateDirectory(dir);
        EXPECT_EQ(modeOf(dir), 0700u) << "umask " << std::oct << mask;
    }
    const Umask umask(0022);
    const auto nested = tmp / "var" / "lib" / "steward";
    ensurePrivateDirectory(nested);
    EXPECT_EQ(modeOf(nested), 0700u);
    EXPECT_EQ(modeOf(tmp / "var"), 0755u);  // parents are outside the state directory
}

TEST(PrivateFiles, ALooserDirectoryIsTightenedAndATighterOneKept) {
    TempDir tmp;
    const auto loose = tmp / "loose";
    fs::create_directory(loose);
    ::chmod(loose.c_str(), 0777);
    ensurePrivateDirectory(loose);
    EXPECT_EQ(modeOf(loose), 0700u);

    const auto tight = tmp / "tight";
    fs::create_directory(tight);
    ::chmod(tight.c_str(), 0500);
    ensurePrivateDirectory(tight);
    EXPECT_EQ(modeOf(tight), 0500u);  // never gains a bit
}

TEST(PrivateFiles, AFileWhereTheDirectoryShouldBeIsRefusedAndLeftAlone) {
    TempDir tmp;
    const auto file = tmp / "state";
    touch(file, 0644);
    EXPECT_THROW(ensurePrivateDirectory(file), FileError);
    EXPECT_EQ(modeOf(file), 0644u);
    EXPECT_THROW(ensurePrivateDirectory(""), FileError);
}

TEST(PrivateFiles, MakeFilePrivateClearsGroupAndOtherBitsOnly) {
    TempDir tmp;
    const auto file = tmp / "pdm.sqlite";
    touch(file, 0664);
    EXPECT_TRUE(makeFilePrivate(file));
    EXPECT_EQ(modeOf(file), 0600u);
    touch(file, 0444);  // read-only stays read-only
    EXPECT_TRUE(makeFilePrivate(file));
    EXPECT_EQ(modeOf(file), 0400u);
    EXPECT_FALSE(makeFilePrivate(tmp / "missing"));
    EXPECT_THROW(makeFilePrivate(tmp.path()), FileError);
}

TEST(PrivateFiles, ASymlinkIsNeitherFollowedNorChanged) {
    TempDir tmp;
    const auto target = tmp / "elsewhere.txt";
    touch(target, 0644);
    const auto link = tmp / "link";
    fs::create_symlink(target, link);
    EXPECT_THROW(makeFilePrivate(link), FileError);
    EXPECT_EQ(modeOf(target), 0644u);

    const auto state = tmp / "state";
    fs::create_directory(state);
    fs::create_symlink(target, state / "planted");
    makeTreePrivate(state);
    EXPECT_EQ(modeOf(target), 0644u);  // outside the tree: not ours to change
}

TEST(PrivateFiles, MakeTreePrivateTightensEverythingBelow) {
    TempDir tmp;
    const auto state = tmp / "state";
    fs::create_directories(state / "ca" / "deeper");
    ::chmod(state.c_str(), 0755);
    ::chmod((state / "ca").c_str(), 0755);
    ::chmod((state / "ca" / "deeper").c_str(), 0777);
    touch(state / "pdm.sqlite", 0644);
    touch(state / "ca" / "ca.crt", 0644);
    touch(state / "ca" / "deeper" / "x", 0666);
    touch(state / "key", 0400);
    makeTreePrivate(state);
    EXPECT_EQ(modeOf(state), 0700u);
    EXPECT_EQ(modeOf(state / "ca"), 0700u);
    EXPECT_EQ(modeOf(state / "ca" / "deeper"), 0700u);
    EXPECT_EQ(modeOf(state / "pdm.sqlite"), 0600u);
    EXPECT_EQ(modeOf(state / "ca" / "ca.crt"), 0600u);
    EXPECT_EQ(modeOf(state / "ca" / "deeper" / "x"), 0600u);
    EXPECT_EQ(modeOf(state / "key"), 0400u);
}
