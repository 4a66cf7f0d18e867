// steward-svrdb's subcommands, driven as a user would: the real binary on a database in a temp dir,
// checked through `show --json`, the database file's bytes, and the database itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "steward/crypto/x509.hpp"
#include "steward/model/resource_json.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/svr/svr_database.hpp"
#include "tools/svrdb_fixture.hpp"

namespace steward::test {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPskHex = "00112233445566778899aabbccddeeff";

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

core::SecurityResources stored(const std::filesystem::path& db) {
    return core::SvrDatabase::open(db, core::SvrAccess::ReadOnly).resources();
}

Array::Ptr aces(const Object::Ptr& all) { return all->getObject("acl2")->getArray("aclist2"); }
Array::Ptr creds(const Object::Ptr& all) { return all->getObject("cred")->getArray("creds"); }

std::vector<int> aceIds(const Object::Ptr& all) {
    std::vector<int> ids;
    for (std::size_t i = 0; i < aces(all)->size(); ++i)
        ids.push_back(aces(all)->getObject(static_cast<unsigned>(i))->getValue<int>("aceid"));
    return ids;
}

// --- help and usage ---

TEST(svrdb_usage, HelpListsEverySubcommand) {
    for (const std::string flag : {"--help", "-h", "help"}) {
        const ProcessResult r = runSvrdb({flag});
        EXPECT_EQ(r.exitCode, 0) << flag;
        for (const char* synopsis :
             {"init FILE", "show FILE", "acl add FILE", "acl modify FILE", "acl delete FILE", "cred add-psk FILE", "cred add-trustca FILE",
              "cred add-cert FILE", "cred modify FILE", "cred delete FILE", "reset FILE", "menu FILE"}) {
            EXPECT_THAT(r.out, HasSubstr(synopsis)) << flag;
        }
    }
}

TEST(svrdb_usage, EverySubcommandAcceptsHelp) {
    const std::vector<std::vector<std::string>> commands{{"init"},
                                                         {"show"},
                                                         {"reset"},
                                                         {"menu"},
                                                         {"acl", "add"},
                                                         {"acl", "modify"},
                                                         {"acl", "delete"},
                                                         {"cred", "add-psk"},
                                                         {"cred", "add-trustca"},
                                                         {"cred", "add-cert"},
                                                         {"cred", "modify"},
                                                         {"cred", "delete"}};
    for (auto args : commands) {
        args.push_back("--help");
        const ProcessResult r = runSvrdb(args);
        EXPECT_EQ(r.exitCode, 0) << args[0];
        EXPECT_THAT(r.out, HasSubstr("usage: steward-svrdb " + args[0])) << args[0];
    }
    EXPECT_THAT(runSvrdb({"acl", "add", "--help"}).out, HasSubstr("--subject"));
    EXPECT_THAT(runSvrdb({"help", "cred", "add-psk"}).out, HasSubstr("--key-hex"));
}

TEST(svrdb_usage, UnknownSubcommandOrOptionExitsTwo) {
    const ProcessResult unknown = runSvrdb({"frobnicate"});
    EXPECT_EQ(unknown.exitCode, 2);
    EXPECT_THAT(unknown.err, HasSubstr("unknown subcommand 'frobnicate'"));

    EXPECT_EQ(runSvrdb({"acl", "frobnicate", "x"}).exitCode, 2);
    EXPECT_EQ(runSvrdb({"cred"}).exitCode, 2);
    EXPECT_THAT(runSvrdb({"acl"}).err, HasSubstr("needs a subcommand"));
    EXPECT_EQ(runSvrdb({}).exitCode, 2);

    const ProcessResult option = runSvrdb({"show", "db.svrdb", "--bogus"});
    EXPECT_EQ(option.exitCode, 2);
    EXPECT_THAT(option.err, HasSubstr("unknown option '--bogus'"));

    const ProcessResult missing = runSvrdb({"acl", "add", "db.svrdb", "--subject", "conntype:anon-clear"});
    EXPECT_EQ(missing.exitCode, 2);
    EXPECT_THAT(missing.err, HasSubstr("--resource"));
}

// --- init and show ---

TEST_F(svrdb_cli, InitWithSeedGivesTheExpectedUuid) {
    const ProcessResult r = runSvrdb({"init", db(), "--uuid-seed", kSeed, "--otm", "justworks", "--otm", "randompin"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out, std::string(kSeededUuid) + "\n");

    const Object::Ptr all = showJson();
    const Object::Ptr doxm = all->getObject("doxm");
    EXPECT_EQ(doxm->getValue<std::string>("deviceuuid"), kSeededUuid);
    EXPECT_FALSE(doxm->getValue<bool>("owned"));
    ASSERT_EQ(doxm->getArray("oxms")->size(), 2u);
    EXPECT_EQ(doxm->getArray("oxms")->getElement<int>(0), 0);
    EXPECT_EQ(doxm->getArray("oxms")->getElement<int>(1), 1);
    const Object::Ptr dos = all->getObject("pstat")->getObject("dos");
    EXPECT_EQ(dos->getValue<int>("s"), 1);
    EXPECT_EQ(dos->getValue<std::string>("state"), "RFOTM");
    EXPECT_EQ(creds(all)->size(), 0u);
    EXPECT_EQ(aces(all)->size(), 0u);
    EXPECT_FALSE(all->has("pconf"));

    struct stat st {};
    ASSERT_EQ(::stat(db_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(svrdb_cli, InitCommaListAndDirectPairing) {
    ASSERT_EQ(runSvrdb({"init", db(), "--otm", "randompin,justworks", "--direct-pairing", "--json"}).exitCode, 0);
    const Object::Ptr all = showJson();
    EXPECT_EQ(all->getObject("doxm")->getArray("oxms")->size(), 2u);
    ASSERT_TRUE(all->has("pconf"));
    EXPECT_EQ(all->getObject("pconf")->getObject("pin")->getValue<std::string>("data"), "********");
    EXPECT_TRUE(all->has("dpairing"));
}

TEST_F(svrdb_cli, InitJsonReportsTheUuid) {
    const ProcessResult r = runSvrdb({"init", db(), "--uuid-seed", kSeed, "--json"});
    ASSERT_EQ(r.exitCode, 0);
    const Object::Ptr doc = parseJson(r.out);
    EXPECT_EQ(doc->getValue<std::string>("status"), "ok");
    EXPECT_EQ(doc->getValue<std::string>("deviceuuid"), kSeededUuid);
}

TEST_F(svrdb_cli, InitRefusesAnExistingFile) {
    initDatabase();
    const ProcessResult r = expectRefusedUnchanged({"init", db(), "--uuid-seed", "another seed value"});
    EXPECT_THAT(r.err, HasSubstr("already exists"));
}

TEST_F(svrdb_cli, InitRefusesABadSeedOrMethodAndCreatesNothing) {
    const ProcessResult seed = runSvrdb({"init", db(), "--uuid-seed", "short"});
    EXPECT_EQ(seed.exitCode, 1);
    EXPECT_THAT(seed.err, HasSubstr("8 to 64 bytes"));
    const ProcessResult otm = runSvrdb({"init", db(), "--otm", "mfgcert"});
    EXPECT_EQ(otm.exitCode, 1);
    EXPECT_THAT(otm.err, HasSubstr("--otm"));
    EXPECT_FALSE(std::filesystem::exists(db_));
}

TEST_F(svrdb_cli, ShowSelectsOneResource) {
    initDatabase();
    const Object::Ptr doxm = showJson("doxm");
    EXPECT_TRUE(doxm->has("doxm"));
    EXPECT_FALSE(doxm->has("pstat"));
    EXPECT_TRUE(showJson("acl")->has("acl2"));
    EXPECT_TRUE(showJson("cred")->has("cred"));
    EXPECT_EQ(showJson("resetpf")->getObject("resetpf")->getObject("doxm")->getValue<std::string>("deviceuuid"), kSeededUuid);
    EXPECT_TRUE(showJson("pconf")->isNull("pconf"));
    EXPECT_EQ(runSvrdb({"show", db(), "bogus"}).exitCode, 2);
}

TEST_F(svrdb_cli, ShowHumanFormatIsAlignedText) {
    initDatabase();
    const ProcessResult r = runSvrdb({"show", db()});
    ASSERT_EQ(r.exitCode, 0);
    EXPECT_THAT(r.out, HasSubstr("deviceuuid        : " + std::string(kSeededUuid)));
    EXPECT_THAT(r.out, HasSubstr("dos               : RFOTM (s=1, p=false)"));
    EXPECT_THAT(r.out, HasSubstr("acl2  /oic/sec/acl2  (0 ACEs)"));
}

TEST_F(svrdb_cli, CorruptDatabaseIsRefusedAndKept) {
    const std::string garbage = "this is not an SVR database";
    { std::ofstream(db_) << garbage; }
    const ProcessResult show = runSvrdb({"show", db()});
    EXPECT_EQ(show.exitCode, 1);
    EXPECT_THAT(show.err, HasSubstr("corrupt"));
    const ProcessResult add =
        expectRefusedUnchanged({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "R"});
    EXPECT_THAT(add.err, HasSubstr("corrupt"));
}

TEST_F(svrdb_cli, MissingDatabaseFails) {
    const ProcessResult r = runSvrdb({"show", db()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_THAT(r.err, HasSubstr(db()));
}

// --- ACL ---

TEST_F(svrdb_cli, AclAddAssignsAceidsAndStoresEachField) {
    initDatabase();
    const ProcessResult first =
        runSvrdb({"acl", "add", db(), "--subject", std::string("uuid:") + kPeer, "--resource", "/a/light", "--resource", "*", "--perm",
                  "-R--N", "--validity", "20250101T000000/20251231T235959;FREQ=DAILY;BYDAY=MO,WE"});
    ASSERT_EQ(first.exitCode, 0) << first.err;
    EXPECT_THAT(first.out, HasSubstr("ACE 1"));
    const ProcessResult second =
        runSvrdb({"acl", "add", db(), "--subject", "role:admin@example.com", "--resource", "+", "--perm", "CRUDN", "--json"});
    ASSERT_EQ(second.exitCode, 0) << second.err;
    const Object::Ptr reply = parseJson(second.out);
    EXPECT_EQ(reply->getValue<std::string>("status"), "ok");
    EXPECT_EQ(reply->getValue<int>("aceid"), 2);

    const Object::Ptr all = showJson();
    ASSERT_EQ(aceIds(all), (std::vector<int>{1, 2}));
    const Object::Ptr ace1 = aces(all)->getObject(0);
    EXPECT_EQ(ace1->getObject("subject")->getValue<std::string>("uuid"), kPeer);
    EXPECT_EQ(ace1->getValue<int>("permission"), 2 | 16);
    ASSERT_EQ(ace1->getArray("resources")->size(), 2u);
    EXPECT_EQ(ace1->getArray("resources")->getObject(0)->getValue<std::string>("href"), "/a/light");
    EXPECT_EQ(ace1->getArray("resources")->getObject(1)->getValue<std::string>("wc"), "*");
    const Object::Ptr validity = ace1->getArray("validity")->getObject(0);
    EXPECT_EQ(validity->getValue<std::string>("period"), "20250101T000000/20251231T235959");
    EXPECT_EQ(validity->getArray("recurrence")->getElement<std::string>(0), "FREQ=DAILY;BYDAY=MO,WE");

    const Object::Ptr ace2 = aces(all)->getObject(1);
    EXPECT_EQ(ace2->getObject("subject")->getValue<std::string>("role"), "admin");
    EXPECT_EQ(ace2->getObject("subject")->getValue<std::string>("authority"), "example.com");
    EXPECT_EQ(ace2->getValue<int>("permission"), 31);
    EXPECT_EQ(ace2->getArray("resources")->getObject(0)->getValue<std::string>("wc"), "+");
}

TEST_F(svrdb_cli, AclPermissionForms) {
    initDatabase();
    const std::vector<std::pair<std::string, int>> forms{{"R", 2},      {"RN", 18},    {"NR", 18},  {"-R--N", 18},
                                                         {"CRUDN", 31}, {"NDURC", 31}, {"C-U--", 5}};
    for (const auto& [text, bits] : forms) {
        const ProcessResult r =
            runSvrdb({"acl", "add", db(), "--subject", "conntype:auth-crypt", "--resource", "-", "--perm", text, "--json"});
        ASSERT_EQ(r.exitCode, 0) << text << ": " << r.err;
        const int aceid = parseJson(r.out)->getValue<int>("aceid");
        const auto list = stored(db_).acl.aclist2;
        const auto it = std::find_if(list.begin(), list.end(), [&](const core::Ace& a) { return a.aceid == aceid; });
        ASSERT_NE(it, list.end());
        EXPECT_EQ(it->permission, bits) << text;
        EXPECT_EQ(std::get<core::ConnType>(it->subject), core::ConnType::AuthCrypt);
        EXPECT_EQ(it->resources.front().wc, core::Wildcard::Public);
    }
}

TEST_F(svrdb_cli, AclModifyReplacesOnlyTheGivenFields) {
    initDatabase();
    ASSERT_EQ(runSvrdb({"acl", "add", db(), "--subject", std::string("uuid:") + kPeer, "--resource", "/a/light", "--perm", "CRUDN",
                        "--validity", "20250101T000000/20251231T235959"})
                  .exitCode,
              0);
    ASSERT_EQ(runSvrdb({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "R"}).exitCode, 0);
    const core::Ace untouched = stored(db_).acl.aclist2[1];

    ASSERT_EQ(runSvrdb({"acl", "modify", db(), "1", "--perm", "RN"}).exitCode, 0);
    core::Ace ace = stored(db_).acl.aclist2[0];
    EXPECT_EQ(ace.permission, 18);
    EXPECT_EQ(core::aceSubjectToString(ace.subject), std::string("uuid:") + kPeer);
    ASSERT_EQ(ace.resources.size(), 1u);
    EXPECT_EQ(ace.resources[0].href, "/a/light");
    EXPECT_EQ(ace.validity.size(), 1u);

    const ProcessResult r = runSvrdb({"acl", "modify", db(), "1", "--resource", "/a/door", "--resource", "/a/fan", "--subject",
                                      "role:guest", "--no-validity", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parseJson(r.out)->getValue<int>("aceid"), 1);
    ace = stored(db_).acl.aclist2[0];
    ASSERT_EQ(ace.resources.size(), 2u);
    EXPECT_EQ(ace.resources[0].href, "/a/door");
    EXPECT_EQ(ace.resources[1].href, "/a/fan");
    EXPECT_EQ(core::aceSubjectToString(ace.subject), "role:guest");
    EXPECT_TRUE(ace.validity.empty());
    EXPECT_EQ(ace.permission, 18);
    EXPECT_EQ(stored(db_).acl.aclist2[1], untouched);

    EXPECT_EQ(runSvrdb({"acl", "modify", db(), "1"}).exitCode, 2) << "nothing to modify is a usage error";
}

TEST_F(svrdb_cli, AclDeleteRemovesExactlyOneAndIdsKeepGrowing) {
    initDatabase();
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(runSvrdb({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", "/a/" + std::to_string(i), "--perm", "R"})
                      .exitCode,
                  0);
    }
    const ProcessResult r = runSvrdb({"acl", "delete", db(), "2", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parseJson(r.out)->getValue<int>("aceid"), 2);
    Object::Ptr all = showJson();
    EXPECT_EQ(aceIds(all), (std::vector<int>{1, 3}));
    EXPECT_EQ(aces(all)->getObject(1)->getArray("resources")->getObject(0)->getValue<std::string>("href"), "/a/2");

    ASSERT_EQ(runSvrdb({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", "/a/x", "--perm", "R"}).exitCode, 0);
    EXPECT_EQ(aceIds(showJson()), (std::vector<int>{1, 3, 4}));
}

TEST_F(svrdb_cli, AclUnknownAceidFailsAndKeepsTheFile) {
    initDatabase();
    ASSERT_EQ(runSvrdb({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "R"}).exitCode, 0);
    EXPECT_THAT(expectRefusedUnchanged({"acl", "modify", db(), "7", "--perm", "R"}).err, HasSubstr("no ACE with aceid 7"));
    EXPECT_THAT(expectRefusedUnchanged({"acl", "delete", db(), "7"}).err, HasSubstr("no ACE with aceid 7"));
    EXPECT_THAT(expectRefusedUnchanged({"acl", "delete", db(), "one"}).err, HasSubstr("aceid"));
}

TEST_F(svrdb_cli, AclInvalidValuesNameTheOptionAndKeepTheFile) {
    initDatabase();
    const std::vector<std::string> good{"--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "R"};
    auto with = [&](const std::string& option, const std::string& value) {
        std::vector<std::string> args{"acl", "add", db()};
        for (std::size_t i = 0; i < good.size(); i += 2) {
            args.push_back(good[i]);
            args.push_back(good[i] == option ? value : good[i + 1]);
        }
        if (option == "--validity") {
            args.push_back(option);
            args.push_back(value);
        }
        return args;
    };
    EXPECT_THAT(expectRefusedUnchanged(with("--perm", "X")).err, HasSubstr("--perm: \"X\" is not a permission"));
    EXPECT_THAT(expectRefusedUnchanged(with("--perm", "32")).err, HasSubstr("--perm"));
    EXPECT_THAT(expectRefusedUnchanged(with("--perm", "RR")).err, HasSubstr("--perm"));
    EXPECT_THAT(expectRefusedUnchanged(with("--perm", "R-U--")).err, HasSubstr("--perm"));
    EXPECT_THAT(expectRefusedUnchanged(with("--subject", "bob")).err, HasSubstr("--subject"));
    EXPECT_THAT(expectRefusedUnchanged(with("--subject", "uuid:1234")).err, HasSubstr("--subject"));
    EXPECT_THAT(expectRefusedUnchanged(with("--subject", "conntype:open")).err, HasSubstr("--subject"));
    EXPECT_THAT(expectRefusedUnchanged(with("--resource", "light")).err, HasSubstr("--resource"));
    EXPECT_THAT(expectRefusedUnchanged(with("--validity", "tomorrow")).err, HasSubstr("--validity"));
    EXPECT_EQ(showJson()->getObject("acl2")->getArray("aclist2")->size(), 0u);
}

// The inputs on which the CLI, the policies and MQTT used to disagree: core's one verdict (the
// same messages as in tests/core/model/ace_text_test.cpp and the policy and MQTT tests).
TEST_F(svrdb_cli, AclRefusesWhatThePoliciesAndMqttRefuse) {
    initDatabase();
    const std::vector<std::string> good{"--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "R"};
    auto with = [&](const std::string& option, const std::string& value) {
        std::vector<std::string> args{"acl", "add", db()};
        for (std::size_t i = 0; i < good.size(); i += 2) {
            args.push_back(good[i]);
            args.push_back(good[i] == option ? value : good[i + 1]);
        }
        return args;
    };
    const std::vector<std::pair<std::string, std::string>> refused{
        {"0", "--perm: \"0\" is not a permission"},
        {"5", "--perm: \"5\" is not a permission"},
        {"rn", "--perm: \"rn\" is not a permission"},
        {"-----", "--perm: \"-----\" grants nothing (at least one of CRUDN is needed)"}};
    for (const auto& [perm, message] : refused) EXPECT_THAT(expectRefusedUnchanged(with("--perm", perm)).err, HasSubstr(message));
    const std::vector<std::pair<std::string, std::string>> subjects{
        {kPeer, "--subject: \"" + std::string(kPeer) + "\" is not a subject: a device is named uuid:" + kPeer},
        {std::string("UUID:") + kPeer, "is not a subject (uuid:<UUID>"},
        {"role:@x", "--subject: \"role:@x\" names no role"},
        {"role:x@", "--subject: \"role:x@\" has '@' but no authority after it"},
        {"conntype:Auth-Crypt", "--subject: \"Auth-Crypt\" is not a connection type"},
        {"uuid:00000000-0000-0000-0000-000000000000", "--subject: the nil UUID names no device"}};
    for (const auto& [subject, message] : subjects) {
        EXPECT_THAT(expectRefusedUnchanged(with("--subject", subject)).err, HasSubstr(message)) << subject;
    }
    EXPECT_THAT(expectRefusedUnchanged(with("--resource", "/")).err, HasSubstr("--resource: \"/\" is not a resource"));
    EXPECT_THAT(expectRefusedUnchanged(with("--resource", "/caf\xc3\xa9")).err,
                HasSubstr("--resource: \"/caf\\xc3\\xa9\" is not a resource"));
    EXPECT_EQ(showJson()->getObject("acl2")->getArray("aclist2")->size(), 0u);

    // A UUID's hex digits may be upper case; it is stored (and printed) as the UUID it is.
    const std::string device = "8e745791-bc63-4a15-7e33-93e1b25fef99";
    ASSERT_EQ(runSvrdb(with("--subject", "uuid:" + upper(device))).exitCode, 0);
    EXPECT_EQ(core::aceSubjectToString(stored(db_).acl.aclist2.at(0).subject), "uuid:" + device);
}

TEST_F(svrdb_cli, JsonErrorsGoToStdoutToo) {
    initDatabase();
    const auto before = fileBytes(db_);
    const ProcessResult r =
        runSvrdb({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "X", "--json"});
    EXPECT_EQ(r.exitCode, 1);
    const Object::Ptr doc = parseJson(r.out);
    EXPECT_EQ(doc->getValue<std::string>("status"), "error");
    EXPECT_THAT(doc->getValue<std::string>("error"), HasSubstr("--perm"));
    EXPECT_EQ(fileBytes(db_), before);
}

// --- credentials: PSKs ---

TEST_F(svrdb_cli, PskIsStoredButNeverShown) {
    initDatabase();
    std::string everything;
    auto run = [&](const std::vector<std::string>& args) {
        ProcessResult r = runSvrdb(args);
        everything += r.out + r.err;
        return r;
    };
    const ProcessResult add = run({"cred", "add-psk", db(), "--subject", kPeer, "--key-hex", kPskHex, "--json"});
    ASSERT_EQ(add.exitCode, 0) << add.err;
    EXPECT_EQ(parseJson(add.out)->getValue<int>("credid"), 1);

    const core::Cred cred = stored(db_).cred.creds.at(0);
    EXPECT_EQ(cred.credtype, 1);
    EXPECT_EQ(cred.subjectuuid.toString(), kPeer);
    ASSERT_TRUE(cred.privatedata);
    EXPECT_EQ(cred.privatedata->encoding, "oic.sec.encoding.raw");
    EXPECT_EQ(cred.privatedata->data,
              (std::vector<std::uint8_t>{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));

    const ProcessResult human = run({"show", db()});
    EXPECT_THAT(human.out, HasSubstr("psk 16 bytes ********"));
    const ProcessResult credOnly = run({"show", db(), "cred"});
    EXPECT_THAT(credOnly.out, HasSubstr("psk 16 bytes ********"));
    const ProcessResult json = run({"show", db(), "--json"});
    const Object::Ptr privatedata = creds(parseJson(json.out))->getObject(0)->getObject("privatedata");
    EXPECT_EQ(privatedata->getValue<std::string>("data"), "********");
    EXPECT_EQ(privatedata->getValue<int>("length"), 16);
    run({"show", db(), "resetpf"});
    run({"cred", "modify", db(), "1", "--key-hex", kPskHex});
    run({"cred", "add-psk", db(), "--subject", "*", "--key-hex", std::string(kPskHex) + "00112233"});

    EXPECT_THAT(everything, Not(HasSubstr(kPskHex)));
    EXPECT_THAT(everything, Not(HasSubstr(upper(kPskHex))));
    EXPECT_THAT(everything, Not(HasSubstr("00:11:22:33:44:55:66:77")));
    EXPECT_THAT(everything, Not(HasSubstr("ABEiM0RVZneImaq7zN3u/w")));  // the key in base64
}

// A gateway keeps its owner credentials in `<store>.keys`: listed with the store's, marked as the
// log's, masked, and never written by the editor.
TEST_F(svrdb_cli, ShowListsAGatewaysOwnerKeyLogReadOnly) {
    const auto gateway = dir_ / "gateway.svrdb";
    const auto keys = dir_ / "gateway.svrdb.keys";
    const auto a = core::Uuid::parse(kPeer).value();
    const auto b = core::Uuid::parse("22222222-3333-4444-5555-666666666666").value();
    {
        auto identity = core::GatewayIdentity::openOrCreate(gateway);
        identity.storeOwnerCredential(
            a, std::vector<std::uint8_t>{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff});
        identity.storeOwnerCredential(b, std::vector<std::uint8_t>(32, 0x5a));
    }
    const auto logBytes = fileBytes(keys);
    std::string everything;
    const ProcessResult human = runSvrdb({"show", gateway.string()});
    ASSERT_EQ(human.exitCode, 0) << human.err;
    everything += human.out + human.err;
    EXPECT_THAT(human.out, HasSubstr("owner-key log  " + keys.string() + "  (2 credentials, read-only"));
    EXPECT_THAT(human.out, HasSubstr("subjectuuid     : " + std::string(kPeer)));
    EXPECT_THAT(human.out, HasSubstr("psk 16 bytes ********"));
    EXPECT_THAT(human.out, HasSubstr("psk 32 bytes ********"));
    const ProcessResult credOnly = runSvrdb({"show", gateway.string(), "cred"});
    everything += credOnly.out;
    EXPECT_THAT(credOnly.out, HasSubstr("owner-key log"));

    for (const std::string what : {"all", "cred"}) {
        const ProcessResult json = runSvrdb({"show", gateway.string(), what, "--json"});
        ASSERT_EQ(json.exitCode, 0) << json.err;
        everything += json.out;
        const Object::Ptr log = parseJson(json.out)->getObject("owner_key_log");
        ASSERT_TRUE(log) << json.out;
        EXPECT_EQ(log->getValue<std::string>("file"), keys.string());
        EXPECT_TRUE(log->getValue<bool>("read_only"));
        const Array::Ptr list = log->getArray("creds");
        ASSERT_EQ(list->size(), 2u);
        const Object::Ptr first = list->getObject(0);
        EXPECT_EQ(first->getValue<std::string>("subjectuuid"), kPeer);
        EXPECT_EQ(first->getValue<int>("credtype"), 1);
        EXPECT_FALSE(first->has("credid"));
        EXPECT_EQ(first->getObject("privatedata")->getValue<std::string>("data"), "********");
        EXPECT_EQ(first->getObject("privatedata")->getValue<int>("length"), 16);
        EXPECT_EQ(list->getObject(1)->getObject("privatedata")->getValue<int>("length"), 32);
        EXPECT_EQ(parseJson(json.out)->getObject("cred")->getArray("creds")->size(), 0u);  // the store holds none
    }
    // Editing the store leaves the log alone.
    ASSERT_EQ(runSvrdb({"cred", "add-psk", gateway.string(), "--subject", "*", "--random", "128"}).exitCode, 0);
    EXPECT_EQ(fileBytes(keys), logBytes);
    EXPECT_THAT(everything, Not(HasSubstr(kPskHex)));
    EXPECT_THAT(everything, Not(HasSubstr("5a5a5a5a")));
}

TEST_F(svrdb_cli, ShowWithoutAnOwnerKeyLogListsNone) {
    initDatabase();
    EXPECT_FALSE(showJson()->has("owner_key_log"));
    EXPECT_FALSE(showJson("cred")->has("owner_key_log"));
    EXPECT_THAT(runSvrdb({"show", db()}).out, Not(HasSubstr("owner-key log")));
}

TEST_F(svrdb_cli, ACorruptOwnerKeyLogIsReportedAndKept) {
    initDatabase();
    const auto keys = dir_ / "device.svrdb.keys";
    { std::ofstream(keys) << "garbage, not a log"; }
    const ProcessResult show = runSvrdb({"show", db()});
    EXPECT_EQ(show.exitCode, 1);
    EXPECT_THAT(show.err, HasSubstr(keys.string()));
    EXPECT_THAT(show.err, HasSubstr("corrupt owner-key log"));
    EXPECT_EQ(runSvrdb({"show", db(), "doxm"}).exitCode, 0) << "the other resources do not need the log";
    EXPECT_EQ(fileBytes(keys).size(), 18u);
}

TEST_F(svrdb_cli, PskRandomKeysHaveTheAskedSize) {
    initDatabase();
    ASSERT_EQ(runSvrdb({"cred", "add-psk", db(), "--subject", "*", "--random", "128"}).exitCode, 0);
    ASSERT_EQ(runSvrdb({"cred", "add-psk", db(), "--subject", kPeer, "--random", "256"}).exitCode, 0);
    const auto resources = stored(db_);
    ASSERT_EQ(resources.cred.creds.size(), 2u);
    EXPECT_TRUE(resources.cred.creds[0].subjectuuid.wildcard);
    EXPECT_EQ(resources.cred.creds[0].privatedata->data.size(), 16u);
    EXPECT_EQ(resources.cred.creds[1].privatedata->data.size(), 32u);
    EXPECT_NE(resources.cred.creds[1].privatedata->data, std::vector<std::uint8_t>(32, 0));
    EXPECT_EQ(resources.cred.creds[1].credid, 2);
    expectRefusedUnchanged({"cred", "add-psk", db(), "--subject", "*", "--random", "100"});
}

TEST_F(svrdb_cli, PskOfWrongLengthOrFormIsRefused) {
    initDatabase();
    const std::string key24 = std::string(kPskHex) + "0123456789abcdef";
    const ProcessResult r = expectRefusedUnchanged({"cred", "add-psk", db(), "--subject", kPeer, "--key-hex", key24});
    EXPECT_THAT(r.err, HasSubstr("16 or 32 bytes, got 24"));
    EXPECT_THAT(r.err + r.out, Not(HasSubstr(key24)));
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-psk", db(), "--subject", kPeer, "--key-hex", "xyz"}).err, HasSubstr("--key-hex"));
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-psk", db(), "--subject", "nobody", "--key-hex", kPskHex}).err, HasSubstr("--subject"));
    EXPECT_EQ(runSvrdb({"cred", "add-psk", db(), "--subject", kPeer}).exitCode, 2);
    EXPECT_EQ(runSvrdb({"cred", "add-psk", db(), "--subject", kPeer, "--key-hex", kPskHex, "--random", "128"}).exitCode, 2);
}

TEST_F(svrdb_cli, CredModifyAndDelete) {
    initDatabase();
    ASSERT_EQ(runSvrdb({"cred", "add-psk", db(), "--subject", kPeer, "--key-hex", kPskHex}).exitCode, 0);
    ASSERT_EQ(runSvrdb({"cred", "add-psk", db(), "--subject", "*", "--random", "128"}).exitCode, 0);
    const core::Cred second = stored(db_).cred.creds[1];

    const std::string key32(64, 'a');
    ASSERT_EQ(runSvrdb({"cred", "modify", db(), "1", "--subject", "*", "--key-hex", key32}).exitCode, 0);
    core::Cred first = stored(db_).cred.creds[0];
    EXPECT_TRUE(first.subjectuuid.wildcard);
    EXPECT_EQ(first.privatedata->data, std::vector<std::uint8_t>(32, 0xaa));
    EXPECT_EQ(stored(db_).cred.creds[1], second);

    ASSERT_EQ(runSvrdb({"cred", "modify", db(), "1", "--subject", kPeer}).exitCode, 0);
    first = stored(db_).cred.creds[0];
    EXPECT_EQ(first.subjectuuid.toString(), kPeer);
    EXPECT_EQ(first.privatedata->data, std::vector<std::uint8_t>(32, 0xaa)) << "a subject change keeps the key";

    EXPECT_THAT(expectRefusedUnchanged({"cred", "modify", db(), "1", "--key-hex", "0011"}).err, HasSubstr("16 or 32"));
    EXPECT_THAT(expectRefusedUnchanged({"cred", "modify", db(), "9", "--subject", "*"}).err, HasSubstr("no credential with credid 9"));
    EXPECT_THAT(expectRefusedUnchanged({"cred", "delete", db(), "9"}).err, HasSubstr("no credential with credid 9"));

    const ProcessResult del = runSvrdb({"cred", "delete", db(), "1", "--json"});
    ASSERT_EQ(del.exitCode, 0);
    EXPECT_EQ(parseJson(del.out)->getValue<int>("credid"), 1);
    const auto left = stored(db_).cred.creds;
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0], second);
}

// --- credentials: certificates ---

class svrdb_certs : public SvrdbTest {
protected:
    void SetUp() override {
        pki_ = makeTestPki(dir_.path());
        initDatabase();
    }
    TestPki pki_;
};

TEST_F(svrdb_certs, TrustCaChainAddsOneCredentialPerCertificate) {
    const ProcessResult r = runSvrdb({"cred", "add-trustca", db(), "--file", pki_.caChainPem.string(), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Array::Ptr ids = parseJson(r.out)->getArray("credids");
    ASSERT_EQ(ids->size(), 2u);
    EXPECT_EQ(ids->getElement<int>(0), 1);
    EXPECT_EQ(ids->getElement<int>(1), 2);

    const auto chain = core::Certificate::loadChain(pki_.caChainPem);
    const auto list = stored(db_).cred.creds;
    ASSERT_EQ(list.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(list[i].credtype, 8);
        EXPECT_EQ(list[i].credusage, "oic.sec.cred.trustca");
        EXPECT_TRUE(list[i].subjectuuid.wildcard);
        EXPECT_FALSE(list[i].privatedata);
        ASSERT_TRUE(list[i].publicdata);
        EXPECT_EQ(list[i].publicdata->encoding, "oic.sec.encoding.pem");
        EXPECT_EQ(core::Certificate::parse(list[i].publicdata->data, "stored").der(), chain[i].der());
    }
    const Object::Ptr cert = creds(showJson())->getObject(0)->getObject("publicdata")->getArray("certificates")->getObject(0);
    EXPECT_EQ(cert->getValue<std::string>("subject"), "CN=Steward Test Intermediate CA");
    EXPECT_EQ(cert->getValue<std::string>("issuer"), "CN=Steward Test Root CA");
    EXPECT_TRUE(cert->getValue<bool>("isCa"));
    EXPECT_EQ(cert->getValue<std::string>("keyType"), "EC P-256");
    EXPECT_EQ(cert->getValue<std::string>("sha256"), chain[0].summary().sha256Fingerprint);

    const ProcessResult human = runSvrdb({"show", db(), "cred"});
    EXPECT_THAT(human.out, HasSubstr("certificate 1   : CN=Steward Test Intermediate CA"));
    EXPECT_THAT(human.out, Not(HasSubstr("BEGIN CERTIFICATE")));
}

TEST_F(svrdb_certs, TrustCaAcceptsDerAndRefusesDuplicates) {
    ASSERT_EQ(runSvrdb({"cred", "add-trustca", db(), "--file", pki_.rootDer.string()}).exitCode, 0);
    EXPECT_EQ(stored(db_).cred.creds.size(), 1u);
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-trustca", db(), "--file", pki_.rootPem.string()}).err,
                HasSubstr("already a trust CA"));
}

TEST_F(svrdb_certs, TrustCaRefusesAnyNonCaCertificate) {
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-trustca", db(), "--file", pki_.devicePem.string()}).err,
                HasSubstr("not a CA certificate"));
    // A chain that starts with a device certificate is refused whole, not half-added.
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-trustca", db(), "--file", pki_.deviceChainPem.string()}).err,
                HasSubstr("not a CA certificate"));
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-trustca", db(), "--file", pki_.rootKey.string()}).err,
                HasSubstr("file holds a private key where a certificate was expected"));
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-trustca", db(), "--file", (dir_ / "missing.pem").string()}).err,
                HasSubstr("missing.pem"));
    EXPECT_TRUE(stored(db_).cred.creds.empty());
}

TEST_F(svrdb_certs, AddCertStoresTheChainAndThePkcs8Key) {
    const ProcessResult r =
        runSvrdb({"cred", "add-cert", db(), "--cert", pki_.deviceChainPem.string(), "--key", pki_.deviceKey.string(), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parseJson(r.out)->getValue<int>("credid"), 1);

    const core::Cred cred = stored(db_).cred.creds.at(0);
    EXPECT_EQ(cred.credtype, 8);
    EXPECT_EQ(cred.credusage, "oic.sec.cred.cert");
    EXPECT_EQ(cred.subjectuuid.toString(), kSeededUuid);
    ASSERT_TRUE(cred.publicdata && cred.privatedata);
    EXPECT_EQ(cred.publicdata->encoding, "oic.sec.encoding.pem");
    const auto chain = core::Certificate::parseChain(cred.publicdata->data, "stored");
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].der(), core::Certificate::load(pki_.devicePem).der());
    EXPECT_FALSE(chain[0].isCa());
    EXPECT_TRUE(chain[1].isCa());
    EXPECT_EQ(cred.privatedata->encoding, "oic.sec.encoding.raw");
    const core::PrivateKey key = core::PrivateKey::parse(cred.privatedata->data, "stored");
    EXPECT_TRUE(key.matches(chain[0]));
    EXPECT_EQ(cred.privatedata->data, core::PrivateKey::load(pki_.deviceKey).der()) << "stored as PKCS#8 DER";

    // Neither the key's bytes nor its PEM ever show.
    std::string keyPem;
    {
        std::ifstream in(pki_.deviceKey);
        std::getline(in, keyPem);  // the BEGIN line
        std::getline(in, keyPem);  // the first base64 line
    }
    for (const auto& args : std::vector<std::vector<std::string>>{{"show", db()}, {"show", db(), "--json"}}) {
        const ProcessResult shown = runSvrdb(args);
        EXPECT_THAT(shown.out, Not(HasSubstr(keyPem.substr(0, 40))));
        EXPECT_THAT(shown.out, Not(HasSubstr("PRIVATE KEY")));
    }
    EXPECT_THAT(runSvrdb({"show", db(), "cred"}).out,
                HasSubstr("private key " + std::to_string(cred.privatedata->data.size()) + " bytes ********"));
}

TEST_F(svrdb_certs, AddCertAcceptsDerKey) {
    ASSERT_EQ(runSvrdb({"cred", "add-cert", db(), "--cert", pki_.devicePem.string(), "--key", pki_.deviceKeyDer.string()}).exitCode, 0);
    EXPECT_EQ(stored(db_).cred.creds.size(), 1u);
}

TEST_F(svrdb_certs, AddCertRefusesCaMismatchAndSwappedFiles) {
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-cert", db(), "--cert", pki_.rootPem.string(), "--key", pki_.rootKey.string()}).err,
                HasSubstr("is a CA certificate"));
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-cert", db(), "--cert", pki_.devicePem.string(), "--key", pki_.otherKey.string()}).err,
                HasSubstr("private key does not match the certificate"));
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-cert", db(), "--cert", pki_.deviceKey.string(), "--key", pki_.devicePem.string()}).err,
                HasSubstr("file holds a private key where a certificate was expected"));
    EXPECT_THAT(expectRefusedUnchanged({"cred", "add-cert", db(), "--cert", pki_.devicePem.string(), "--key", pki_.devicePem.string()}).err,
                HasSubstr("file holds a certificate where a private key was expected"));
    EXPECT_EQ(runSvrdb({"cred", "add-cert", db(), "--cert", pki_.devicePem.string()}).exitCode, 2);
}

TEST_F(svrdb_certs, OnlyAPskKeyCanBeChanged) {
    ASSERT_EQ(runSvrdb({"cred", "add-cert", db(), "--cert", pki_.devicePem.string(), "--key", pki_.deviceKey.string()}).exitCode, 0);
    EXPECT_THAT(expectRefusedUnchanged({"cred", "modify", db(), "1", "--key-hex", kPskHex}).err, HasSubstr("not a PSK"));
}

// --- reset and locking ---

TEST_F(svrdb_cli, ResetRestoresTheResetProfile) {
    initDatabase();
    const Object::Ptr initial = showJson();
    ASSERT_EQ(runSvrdb({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "R"}).exitCode, 0);
    ASSERT_EQ(runSvrdb({"cred", "add-psk", db(), "--subject", "*", "--random", "128"}).exitCode, 0);
    ASSERT_EQ(aces(showJson())->size(), 1u);

    const ProcessResult r = runSvrdb({"reset", db(), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parseJson(r.out)->getValue<std::string>("deviceuuid"), kSeededUuid);
    const auto after = stored(db_);
    EXPECT_EQ(after, core::SvrDatabase::open(db_, core::SvrAccess::ReadOnly).resetProfile());
    EXPECT_TRUE(after.acl.aclist2.empty());
    EXPECT_TRUE(after.cred.creds.empty());
    EXPECT_EQ(core::jsonText(showJson()), core::jsonText(initial));
}

TEST_F(svrdb_cli, ShowWorksWhileAnotherProcessHoldsTheLockButEditsFail) {
    initDatabase();
    const auto before = fileBytes(db_);
    {
        auto holder = core::SvrDatabase::open(db_, core::SvrAccess::ReadWrite);  // as a running device does
        const ProcessResult show = runSvrdb({"show", db(), "--json"});
        EXPECT_EQ(show.exitCode, 0) << show.err;
        EXPECT_EQ(parseJson(show.out)->getObject("doxm")->getValue<std::string>("deviceuuid"), kSeededUuid);

        const ProcessResult add = runSvrdb({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "R"});
        EXPECT_EQ(add.exitCode, 1);
        EXPECT_THAT(add.err, HasSubstr("in use"));
        EXPECT_EQ(runSvrdb({"reset", db()}).exitCode, 1);
        EXPECT_EQ(runSvrdb({"menu", db()}, "99\n").exitCode, 1);
        EXPECT_EQ(fileBytes(db_), before);
    }
    EXPECT_EQ(runSvrdb({"acl", "add", db(), "--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "R"}).exitCode, 0)
        << "the lock is free again once its holder is gone";
}

}  // namespace
}  // namespace steward::test
