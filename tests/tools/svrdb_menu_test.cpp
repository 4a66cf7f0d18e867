// steward-svrdb's interactive menu, fed through a pipe as a script would feed it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "steward/onboarding/gateway_identity.hpp"
#include "steward/svr/svr_database.hpp"
#include "tools/svrdb_fixture.hpp"

namespace steward::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPskHex = "f0e1d2c3b4a5968778695a4b3c2d1e0f";

core::SecurityResources stored(const std::filesystem::path& db) {
    return core::SvrDatabase::open(db, core::SvrAccess::ReadOnly).resources();
}

// Lines joined with newlines, so a script reads one answer per line.
std::string script(std::initializer_list<std::string> lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

// Menu 3 (ACL) > 2 (add): an ACE for the peer on /a/light and /a/door with C, R and N.
std::initializer_list<std::string> kAddAce{"3", "2", std::string("uuid:") + kPeer, "2", "/a/light", "/a/door", "y", "y", "n", "n", "y",
                                           "",  "9"};

TEST_F(svrdb_menu, MenuAddsAnAceAndAPskAndPrintsThem) {
    initDatabase();
    std::string input;
    for (const auto& l : kAddAce) input += l + "\n";
    input += script({"2", "2", "1", kPeer, kPskHex, "1", "9", "1", "99"});
    const ProcessResult r = runSvrdb({db()}, input);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_FALSE(r.timedOut);

    EXPECT_THAT(r.out, HasSubstr("** 1. Print all security resources"));
    EXPECT_THAT(r.out, HasSubstr("** 99. Exit"));
    EXPECT_THAT(r.out, HasSubstr(">> Enter Menu Number: "));
    EXPECT_THAT(r.out, HasSubstr("> [A] Enter Subject (uuid/role/conntype)"));
    EXPECT_THAT(r.out, HasSubstr("Enter Number of Accessed Resources"));
    EXPECT_THAT(r.out, HasSubstr("Enter CREATE Permission (y/n): "));
    EXPECT_THAT(r.out, HasSubstr("Added ACE 1"));
    EXPECT_THAT(r.out, HasSubstr("Added credential 1"));
    EXPECT_THAT(r.out, HasSubstr("psk 16 bytes ********"));
    EXPECT_THAT(r.out, HasSubstr("permission      : CR--N (19)"));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(kPskHex)));

    const auto resources = stored(db_);
    ASSERT_EQ(resources.acl.aclist2.size(), 1u);
    const core::Ace& ace = resources.acl.aclist2[0];
    EXPECT_EQ(ace.aceid, 1);
    EXPECT_EQ(core::aceSubjectToString(ace.subject), std::string("uuid:") + kPeer);
    ASSERT_EQ(ace.resources.size(), 2u);
    EXPECT_EQ(ace.resources[0].href, "/a/light");
    EXPECT_EQ(ace.resources[1].href, "/a/door");
    EXPECT_EQ(ace.permission, core::permission::kCreate | core::permission::kRead | core::permission::kNotify);
    EXPECT_TRUE(ace.validity.empty());

    ASSERT_EQ(resources.cred.creds.size(), 1u);
    const core::Cred& cred = resources.cred.creds[0];
    EXPECT_EQ(cred.credid, 1);
    EXPECT_EQ(cred.credtype, core::credtype::kSymmetricPairwise);
    EXPECT_EQ(cred.subjectuuid.toString(), kPeer);
    EXPECT_EQ(cred.privatedata->data,
              (std::vector<std::uint8_t>{0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f}));
}

TEST_F(svrdb_menu, MenuIsAlsoReachedAsTheMenuSubcommand) {
    initDatabase();
    const ProcessResult r = runSvrdb({"menu", db()}, script({"4", "5", "99"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("deviceuuid        : " + std::string(kSeededUuid)));
    EXPECT_THAT(r.out, HasSubstr("dos               : RFOTM"));
}

TEST_F(svrdb_menu, MenuEndOfInputExitsCleanlyAnywhere) {
    initDatabase();
    const auto before = fileBytes(db_);
    // Cut the ACE script short after every one of its answers: never an error, never a change.
    const std::vector<std::string> lines(kAddAce.begin(), kAddAce.end() - 2);
    for (std::size_t n = 0; n <= lines.size(); ++n) {
        std::string input;
        for (std::size_t i = 0; i < n; ++i) input += lines[i] + "\n";
        const ProcessResult r = runSvrdb({db()}, input);
        EXPECT_EQ(r.exitCode, 0) << "after " << n << " answers: " << r.err;
        EXPECT_FALSE(r.timedOut);
        EXPECT_EQ(fileBytes(db_), before) << "after " << n << " answers";
    }
}

TEST_F(svrdb_menu, MenuRepromptsOnInvalidEntries) {
    initDatabase();
    const ProcessResult r = runSvrdb({db()}, script({"42",    "abc", "3",     "2",      "bob",     "conntype:anon-clear",
                                                     "0",     "1",   "light", "/oic/d", "maybe",   "n",
                                                     "y",     "n",   "n",     "n",      "someday", "",
                                                     "9",     "2",   "2",     "1",      "*",       "0011",
                                                     kPskHex, "9",   "99"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(count(r.out, "Invalid entry"), 8u) << r.out;
    EXPECT_THAT(r.out, HasSubstr("\"bob\" is not a subject"));
    EXPECT_THAT(r.out, HasSubstr("\"light\" is not a resource"));
    EXPECT_THAT(r.out, HasSubstr("a PSK must be 16 or 32 bytes, got 2"));
    const auto resources = stored(db_);
    ASSERT_EQ(resources.acl.aclist2.size(), 1u);
    EXPECT_EQ(resources.acl.aclist2[0].permission, core::permission::kRead);
    EXPECT_EQ(std::get<core::ConnType>(resources.acl.aclist2[0].subject), core::ConnType::AnonClear);
    ASSERT_EQ(resources.cred.creds.size(), 1u);
    EXPECT_TRUE(resources.cred.creds[0].subjectuuid.wildcard);
}

TEST_F(svrdb_menu, MenuAsksAgainForAPermissionThatGrantsNothing) {
    initDatabase();
    // No to all five rights is refused (as "-----" is on the command line, in policies and over
    // MQTT); the questions come again, and READ is granted.
    const ProcessResult r = runSvrdb(
        {db()}, script({"3", "2", "conntype:anon-clear", "1", "/oic/d", "n", "n", "n", "n", "n", "n", "y", "n", "n", "n", "", "9", "99"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("Invalid entry: 0 grants nothing (at least one of CRUDN is needed)"));
    EXPECT_EQ(count(r.out, "Enter CREATE Permission (y/n): "), 2u);
    const auto aces = stored(db_).acl.aclist2;
    ASSERT_EQ(aces.size(), 1u);
    EXPECT_EQ(aces[0].permission, core::permission::kRead);
}

TEST_F(svrdb_menu, MenuModifiesAndDeletesAces) {
    initDatabase();
    for (const char* href : {"/a/one", "/a/two"}) {
        ASSERT_EQ(runSvrdb({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", href, "--perm", "R"}).exitCode, 0);
    }
    const ProcessResult r = runSvrdb({db()}, script({"3", "3", "7", "3", "1", "role:admin", "n", "y", "y", "y", "y", "y", "y",
                                                     "20250101T000000/20251231T235959", "4", "2", "9", "99"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("no ACE with aceid 7"));
    EXPECT_THAT(r.out, HasSubstr("Modified ACE 1"));
    EXPECT_THAT(r.out, HasSubstr("Deleted ACE 2"));
    const auto resources = stored(db_);
    ASSERT_EQ(resources.acl.aclist2.size(), 1u);
    const core::Ace& ace = resources.acl.aclist2[0];
    EXPECT_EQ(core::aceSubjectToString(ace.subject), "role:admin");
    EXPECT_EQ(ace.resources[0].href, "/a/one");
    EXPECT_EQ(ace.permission, core::permission::kAll);
    ASSERT_EQ(ace.validity.size(), 1u);
    EXPECT_EQ(ace.validity[0].period, "20250101T000000/20251231T235959");
}

TEST_F(svrdb_menu, MenuModifiesAndDeletesCredentials) {
    initDatabase();
    ASSERT_EQ(runSvrdb({"cred", "add-psk", db(), "--subject", kPeer, "--random", "128"}).exitCode, 0);
    ASSERT_EQ(runSvrdb({"cred", "add-psk", db(), "--subject", "*", "--random", "128"}).exitCode, 0);
    const ProcessResult r = runSvrdb({db()}, script({"2", "3", "1", "*", kPskHex, "4", "2", "4", "5", "9", "99"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("Modified credential 1"));
    EXPECT_THAT(r.out, HasSubstr("Deleted credential 2"));
    EXPECT_THAT(r.out, HasSubstr("no credential with credid 5"));
    EXPECT_THAT(r.out, Not(HasSubstr(kPskHex)));
    const auto creds = stored(db_).cred.creds;
    ASSERT_EQ(creds.size(), 1u);
    EXPECT_TRUE(creds[0].subjectuuid.wildcard);
    EXPECT_EQ(creds[0].privatedata->data.front(), 0xf0);
}

// A gateway's owner credentials are in its owner-key log: printed, but not editable by credid.
TEST_F(svrdb_menu, MenuPrintsAGatewaysOwnerKeysButCannotEditThem) {
    const auto gateway = dir_ / "gateway.svrdb";
    const auto keys = dir_ / "gateway.svrdb.keys";
    {
        core::GatewayIdentity::openOrCreate(gateway).storeOwnerCredential(core::Uuid::parse(kPeer).value(),
                                                                          std::vector<std::uint8_t>(16, 0xf0));
    }
    const auto logBytes = fileBytes(keys);
    const ProcessResult r = runSvrdb({gateway.string()}, script({"1", "2", "1", "4", "1", "9", "99"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(count(r.out, "owner-key log  " + keys.string()), 2u);  // in "print all" and in the credential menu
    EXPECT_THAT(r.out, HasSubstr("owner credential (no credid)"));
    EXPECT_THAT(r.out, HasSubstr("psk 16 bytes ********"));
    EXPECT_THAT(r.out, HasSubstr("no credential with credid 1"));
    EXPECT_THAT(r.out, Not(HasSubstr("f0f0f0f0")));
    EXPECT_EQ(fileBytes(keys), logBytes);
}

TEST_F(svrdb_menu, MenuAddsTrustCaChainAndCertificateKeyPair) {
    const TestPki pki = makeTestPki(dir_.path());
    initDatabase();
    const ProcessResult r = runSvrdb({db()}, script({"2", "2", "2", pki.devicePem.string(),                    // refused: not a CA
                                                     "2", "2", pki.caChainPem.string(),                        // two trust anchors
                                                     "2", "3", pki.devicePem.string(), pki.otherKey.string(),  // refused: wrong key
                                                     "2", "3", pki.deviceChainPem.string(), pki.deviceKey.string(), "1", "9", "99"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("not a CA certificate"));
    EXPECT_THAT(r.out, HasSubstr("Added trust CA credentials 1 2"));
    EXPECT_THAT(r.out, HasSubstr("private key does not match the certificate"));
    EXPECT_THAT(r.out, HasSubstr("Added credential 3"));
    EXPECT_THAT(r.out, HasSubstr("CN=steward-device"));
    EXPECT_THAT(r.out, Not(HasSubstr("PRIVATE KEY")));
    const auto creds = stored(db_).cred.creds;
    ASSERT_EQ(creds.size(), 3u);
    EXPECT_EQ(creds[0].credusage, "oic.sec.cred.trustca");
    EXPECT_EQ(creds[1].credusage, "oic.sec.cred.trustca");
    EXPECT_EQ(creds[2].credusage, "oic.sec.cred.cert");
    EXPECT_EQ(creds[2].subjectuuid.toString(), kSeededUuid);
}

TEST_F(svrdb_menu, MenuResetAsksFirst) {
    initDatabase();
    ASSERT_EQ(runSvrdb({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "R"}).exitCode, 0);
    ASSERT_EQ(runSvrdb({db()}, script({"6", "n", "99"})).exitCode, 0);
    EXPECT_EQ(stored(db_).acl.aclist2.size(), 1u) << "answering n keeps everything";
    const ProcessResult r = runSvrdb({db()}, script({"6", "y", "99"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("Reset done; device " + std::string(kSeededUuid)));
    EXPECT_TRUE(stored(db_).acl.aclist2.empty());
}

TEST_F(svrdb_menu, MenuOnAMissingDatabaseFails) {
    const ProcessResult r = runSvrdb({"menu", db()}, "99\n");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_THAT(r.err, HasSubstr(db()));
    EXPECT_FALSE(std::filesystem::exists(db_));
}

}  // namespace
}  // namespace steward::test
