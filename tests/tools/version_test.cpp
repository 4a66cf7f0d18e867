// --version on every program in tools/: the real binary prints one line "<program> <version>" on
// stdout and exits 0 with nothing else started, and its --help says so. The version is the one
// core reports (steward/version.hpp), which begins with the CMake project version.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "process_runner.hpp"
#include "steward/version.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

struct Program {
    std::string name;
    std::string binary;
    std::vector<std::string> helpArgs;
};

// How gtest names a parameter in its output (not as 88 bytes of hex).
void PrintTo(const Program& p, std::ostream* os) { *os << p.name; }

// "0.1.0", or "0.1.0 (git f403a6c)" / "(git v0.1.0-3-gf403a6c-dirty)" from a git checkout.
void expectVersionLine(const std::string& program, const ProcessResult& r) {
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, program + " " + std::string(core::versionText()) + "\n");
    EXPECT_TRUE(std::regex_match(r.out, std::regex(program + R"( [0-9]+\.[0-9]+\.[0-9]+( \(git [0-9A-Za-z._-]+\))?\n)"))) << r.out;
    EXPECT_TRUE(r.out.starts_with(program + " " STEWARD_PROJECT_VERSION)) << r.out;
}

class Version : public ::testing::TestWithParam<Program> {};

TEST_P(Version, PrintsOneLineWithTheProgramAndTheVersionAndExitsZero) {
    const auto& p = GetParam();
    expectVersionLine(p.name, runProcess(p.binary, {"--version"}, "", 10s));
}

TEST_P(Version, HelpMentionsVersion) {
    const auto& p = GetParam();
    const auto r = runProcess(p.binary, p.helpArgs, "", 10s);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("--version"));
}

INSTANTIATE_TEST_SUITE_P(Programs, Version,
                         ::testing::Values(Program{"steward", STEWARD_CLI_BIN, {"--help"}},
                                           Program{"steward-device", STEWARD_DEVICE_BIN, {"--help"}},
                                           Program{"steward-svrdb", STEWARD_SVRDB_BIN, {"--help"}},
                                           Program{"steward-enroll", STEWARD_ENROLL_BIN, {"--help"}}),
                         [](const ::testing::TestParamInfo<Program>& program) {
                             std::string name;
                             for (char c : program.param.name) name += c == '-' ? '_' : c;
                             return name;
                         });

// --version wins over what would start the program: no device is served, no database written.
TEST(VersionFirst, StewardDeviceWithOtherOptionsOnlyPrintsTheVersion) {
    expectVersionLine("steward-device", runProcess(STEWARD_DEVICE_BIN, {"--svrdb", "/nonexistent/dir/x.dat", "--version"}, "", 10s));
}

TEST(VersionFirst, StewardInLocalModeOnlyPrintsTheVersion) {
    expectVersionLine("steward", runProcess(STEWARD_CLI_BIN, {"--local", "--version"}, "", 10s));
}

}  // namespace
}  // namespace steward::test
