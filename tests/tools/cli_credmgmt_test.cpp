// Credential management end to end: real steward-device processes, the real CredMgmt plugin
// driven through `steward --local`, devices calling each other over DTLS with what was provisioned.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <array>
#include <csignal>
#include <fstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/pdm/sqlite_pdm.hpp"
#include "steward/svr/svr_database.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

Poco::JSON::Object::Ptr parseObject(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>(); }

// One device in its own process, restartable on the same ports with the same SVR DB.
struct Device {
    std::filesystem::path svrdb;
    RunningDevices running;
    const DeviceAddress& at() const { return running[0]; }
    std::string id() const { return at().id.toString(); }
    std::string secure() const { return "127.0.0.1:" + std::to_string(at().securePort); }
    void stop() { running.process->stop(); }
    void restart() {
        const auto before = at();
        running = startDevices(
            {"--svrdb", svrdb.string(), "--port", std::to_string(before.port), "--secure-port", std::to_string(before.securePort)});
    }
};

class CliCredMgmt : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* name : {"a", "b", "c"}) {
            Device d;
            d.svrdb = dir / (std::string(name) + ".dat");
            d.running = startDevices({"--svrdb", d.svrdb.string(), "--name", name});
            devices.push_back(std::move(d));
        }
        std::vector<std::string> own = {"own", "--all"};
        for (const auto& d : devices) {
            own.push_back("--unicast");
            own.push_back("127.0.0.1:" + std::to_string(d.at().port));
        }
        const auto owned = steward(own);
        ASSERT_EQ(owned.exitCode, 0) << owned.out << owned.err;
    }

    Device& a() { return devices[0]; }
    Device& b() { return devices[1]; }
    Device& c() { return devices[2]; }

    ProcessResult steward(std::vector<std::string> args) {
        args.insert(args.begin(), "--local");
        args.push_back("--state-dir");
        args.push_back((dir / "state").string());
        return runProcess(STEWARD_CLI_BIN, args, "", 60s);
    }
    // `from` calls `to`'s /a/light: the exit status (0 answered 2.xx, 3 refused 4.xx, 1 no session).
    ProcessResult call(const Device& from, const Device& to, const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args = {"--svrdb", from.svrdb.string(), "--call", to.secure(), "/a/light", "--json"};
        args.insert(args.end(), extra.begin(), extra.end());
        return runProcess(STEWARD_DEVICE_BIN, args, "", 30s);
    }
    // `from` calls `to`'s `path` with `method` (and a JSON payload for POST).
    ProcessResult callPath(const Device& from, const Device& to, const std::string& path, const std::string& method,
                           const std::string& payload = "", const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args = {"--svrdb", from.svrdb.string(), "--call", to.secure(), path, "--json", "--method", method};
        args.insert(args.end(), extra.begin(), extra.end());
        if (!payload.empty()) {
            args.push_back("--payload");
            args.push_back(payload);
        }
        return runProcess(STEWARD_DEVICE_BIN, args, "", 30s);
    }
    Poco::JSON::Object::Ptr linkStatus() {
        const auto r = steward({"links", "--json"});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return parseObject(r.out);
    }

    TempDir dir;
    std::vector<Device> devices;
};

TEST_F(CliCredMgmt, LinkedDevicesReachEachOthersLightAndAnUnlinkedOneIsRefused) {
    const auto linked = steward({"link", a().id(), b().id(), "--resource", "/a/light", "--perm", "RU", "--json"});
    ASSERT_EQ(linked.exitCode, 0) << linked.out << linked.err;
    EXPECT_EQ(parseObject(linked.out)->getValue<std::string>("status"), "ok");

    const auto aToB = call(a(), b());
    EXPECT_EQ(aToB.exitCode, 0) << aToB.out << aToB.err;
    EXPECT_EQ(parseObject(aToB.out)->getValue<std::string>("code"), "2.05");
    const auto dim = call(a(), b(), {"--method", "post", "--payload", R"({"brightness":30})"});
    EXPECT_EQ(dim.exitCode, 0) << dim.out << dim.err;
    const auto after = call(a(), b());
    EXPECT_EQ(parseObject(after.out)->getObject("payload")->getValue<int>("brightness"), 30);
    EXPECT_EQ(call(b(), a()).exitCode, 0);  // ACEs both ways

    const auto cToB = call(c(), b());
    EXPECT_EQ(cToB.exitCode, 1) << cToB.out;
    EXPECT_THAT(cToB.err, HasSubstr("no credential for peer"));

    const auto links = linkStatus()->getArray("links");
    ASSERT_EQ(links->size(), 1u);
    EXPECT_FALSE(links->getObject(0)->getValue<bool>("stale"));
}

// A peer linked with every permission on "*" reaches the light, and none of the security
// resources: it cannot reset the device, take it over or rewrite its credentials and ACEs
// (wildcards never match /oic/sec/*, as on iotivity-lite).
TEST_F(CliCredMgmt, AWildcardLinkNeverOpensTheSecurityResources) {
    const auto linked = steward({"link", a().id(), b().id(), "--resource", "*", "--perm", "CRUDN", "--json"});
    ASSERT_EQ(linked.exitCode, 0) << linked.out << linked.err;
    const auto light = call(a(), b());
    EXPECT_EQ(light.exitCode, 0) << light.out << light.err;

    const std::vector<std::array<std::string, 3>> attacks = {
        {"/oic/sec/pstat", "post", R"({"dos":{"s":0}})"},  // remote reset
        {"/oic/sec/pstat", "post", R"({"dos":{"s":2}})"},  // out of normal operation
        {"/oic/sec/doxm", "post", R"({"owned":false})"},
        {"/oic/sec/doxm", "post", R"({"devowneruuid":")" + a().id() + R"("})"},
        {"/oic/sec/acl2", "post", R"({"aclist2":[]})"},
        {"/oic/sec/cred", "post", R"({"rowneruuid":")" + a().id() + R"("})"},
        {"/oic/sec/cred", "get", ""},
        {"/oic/sec/acl2", "get", ""},
        {"/oic/sec/doxm", "get", ""},
    };
    for (const auto& [path, method, payload] : attacks) {
        const auto r = callPath(a(), b(), path, method, payload);
        EXPECT_EQ(r.exitCode, 3) << method << " " << path << ": " << r.out << r.err;
        if (r.exitCode == 3) {
            EXPECT_EQ(parseObject(r.out)->getValue<std::string>("code"), "4.03") << method << " " << path;
        }
    }
    // b is still ours, in normal operation, and still serves a.
    const auto acl = steward({"acl", b().id(), "--subject", "conntype:anon-clear", "--resource", "/oic/d", "--perm", "R", "--json"});
    EXPECT_EQ(acl.exitCode, 0) << acl.out << acl.err;
    EXPECT_EQ(call(a(), b()).exitCode, 0);
}

TEST_F(CliCredMgmt, PairwiseCredentialsAloneGrantNothingUntilAnAclDoes) {
    const auto paired = steward({"pair", a().id(), b().id(), "--key-bits", "256"});
    ASSERT_EQ(paired.exitCode, 0) << paired.err;
    EXPECT_THAT(paired.out, HasSubstr("256-bit"));
    const auto refused = call(a(), b());
    EXPECT_EQ(refused.exitCode, 3) << refused.out << refused.err;  // the session works, the ACL says no
    EXPECT_EQ(parseObject(refused.out)->getValue<std::string>("code"), "4.03");

    const auto acl = steward({"acl", b().id(), "--subject", "uuid:" + a().id(), "--resource", "/a/light", "--perm", "R", "--json"});
    ASSERT_EQ(acl.exitCode, 0) << acl.err;
    EXPECT_EQ(call(a(), b()).exitCode, 0);
    const auto write = call(a(), b(), {"--method", "post", "--payload", R"({"value":true})"});
    EXPECT_EQ(write.exitCode, 3) << write.out;  // read only

    // The same ACE again changes nothing on the device.
    const auto again = steward({"acl", b().id(), "--subject", "uuid:" + a().id(), "--resource", "/a/light", "--perm", "R", "--json"});
    ASSERT_EQ(again.exitCode, 0) << again.err;
    EXPECT_THAT(again.out, HasSubstr("already provisioned"));
}

// `link` killed after A got the key and before B did (issue 14.4): the intent recorded first
// leaves a stale link, sync takes back what A holds, and a new link gives each side exactly one
// credential for the other — both ways work. A repeated link never stacks a second key.
TEST_F(CliCredMgmt, ALinkKilledHalfwayIsTakenBackBySyncAndLinkingAgainWorksBothWays) {
    const auto killAt = "installing the pairwise credential on " + b().id();
    std::vector<std::string> args = {"STEWARD_FAULT_KILL_AT=" + killAt,
                                     STEWARD_CLI_BIN,
                                     "--local",
                                     "link",
                                     a().id(),
                                     b().id(),
                                     "--resource",
                                     "/a/light",
                                     "--perm",
                                     "RU",
                                     "--state-dir",
                                     (dir / "state").string()};
    const auto killed = runProcess(findOnPath("env"), args, "", 60s);
    ASSERT_EQ(killed.exitCode, 256 + SIGKILL) << killed.err;
    const auto stale = linkStatus()->getArray("links");
    ASSERT_EQ(stale->size(), 1u);
    EXPECT_TRUE(stale->getObject(0)->getValue<bool>("stale"));
    const auto refused = steward({"link", a().id(), b().id(), "--resource", "/a/light", "--perm", "RU"});
    EXPECT_EQ(refused.exitCode, 1);
    EXPECT_THAT(refused.err, HasSubstr("run sync first"));

    const auto synced = steward({"sync"});
    ASSERT_EQ(synced.exitCode, 0) << synced.out << synced.err;
    EXPECT_EQ(linkStatus()->getArray("links")->size(), 0u) << "taken back from both sides";
    EXPECT_EQ(call(a(), b()).exitCode, 1) << "A's half-installed key is gone";

    for (int round = 0; round < 2; ++round) {
        SCOPED_TRACE(round);
        const auto linked = steward({"link", a().id(), b().id(), "--resource", "/a/light", "--perm", "RU"});
        ASSERT_EQ(linked.exitCode, 0) << linked.out << linked.err;
        EXPECT_EQ(call(a(), b()).exitCode, 0);
        EXPECT_EQ(call(b(), a()).exitCode, 0);
        const auto unlinked = steward({"unlink", a().id(), b().id()});
        ASSERT_EQ(unlinked.exitCode, 0) << unlinked.err;
    }
}

// `acl` killed after the device took the ACE and before the PDM recorded it (issue 14): running
// it again adopts the ACE the device already holds instead of adding a duplicate.
TEST_F(CliCredMgmt, AnAclKilledBeforeItWasRecordedIsAdoptedNotDuplicated) {
    const std::vector<std::string> acl = {"acl", b().id(), "--subject", "uuid:" + a().id(), "--resource", "/a/light", "--perm", "R"};
    std::vector<std::string> args = {"STEWARD_FAULT_KILL_AT=recording the ACEs of " + b().id(), STEWARD_CLI_BIN, "--local"};
    args.insert(args.end(), acl.begin(), acl.end());
    args.insert(args.end(), {"--state-dir", (dir / "state").string()});
    const auto killed = runProcess(findOnPath("env"), args, "", 60s);
    ASSERT_EQ(killed.exitCode, 256 + SIGKILL) << killed.err;
    const auto again = steward(acl);
    ASSERT_EQ(again.exitCode, 0) << again.out << again.err;

    const auto read = asOwner(dir / "state", b().at(), core::CoapRequest::get("/oic/sec/acl2"));
    ASSERT_TRUE(std::holds_alternative<core::CoapResponse>(read)) << std::get<std::string>(read);
    const auto aces = core::decodeAcl2(std::get<core::CoapResponse>(read).payload).aclist2;
    const auto forA = std::count_if(aces.begin(), aces.end(),
                                    [&](const core::Ace& ace) { return core::aceSubjectToString(ace.subject) == "uuid:" + a().id(); });
    EXPECT_EQ(forA, 1) << "one ACE for the subject, recorded once";
    const auto recorded = steward({"acl", b().id(), "--subject", "uuid:" + a().id(), "--resource", "/a/light", "--perm", "R", "--json"});
    EXPECT_NE(recorded.out.find("already provisioned"), std::string::npos) << recorded.out << recorded.err;
}

TEST_F(CliCredMgmt, UnlinkWithOneDeviceDownMarksTheLinkStaleAndFinishesWhenItIsBack) {
    ASSERT_EQ(steward({"link", a().id(), b().id(), "--resource", "/a/light"}).exitCode, 0);
    b().stop();
    const auto unlinked = steward({"unlink", a().id(), b().id(), "--json"});
    ASSERT_EQ(unlinked.exitCode, 0) << unlinked.out << unlinked.err;
    EXPECT_EQ(parseObject(unlinked.out)->getArray("deferred")->size(), 1u);
    auto links = linkStatus()->getArray("links");
    ASSERT_EQ(links->size(), 1u);
    EXPECT_TRUE(links->getObject(0)->getValue<bool>("stale"));
    EXPECT_EQ(links->getObject(0)->getValue<std::string>("pending"), "unlink");

    b().restart();
    const auto stillKeyed = call(b(), a());  // B still holds its key, but A dropped its own: A refuses the handshake
    EXPECT_EQ(stillKeyed.exitCode, 1) << stillKeyed.out << stillKeyed.err;
    EXPECT_THAT(stillKeyed.err, HasSubstr("holds no credential for us"));
    const auto synced = steward({"sync"});
    ASSERT_EQ(synced.exitCode, 0) << synced.out << synced.err;
    EXPECT_TRUE(linkStatus()->getArray("links")->size() == 0);
    const auto gone = call(b(), a());
    EXPECT_EQ(gone.exitCode, 1);
    EXPECT_THAT(gone.err, HasSubstr("no credential for peer"));
}

TEST_F(CliCredMgmt, RemovingADeviceRevokesItEverywhereEvenOnAPeerThatWasDown) {
    ASSERT_EQ(steward({"link", a().id(), b().id(), "--resource", "/a/light"}).exitCode, 0);
    ASSERT_EQ(steward({"link", a().id(), c().id(), "--resource", "/a/light"}).exitCode, 0);
    c().stop();
    std::size_t from = a().running.process->lines().size();
    const auto removed = steward({"remove", a().id(), "--json"});
    ASSERT_EQ(removed.exitCode, 0) << removed.out << removed.err;
    // A resets itself (its reset profile: unowned, same UUID).
    ASSERT_TRUE(a().running.process->waitForLine([](const std::string& l) { return l.find("reset (") != std::string::npos; }, 10s, from))
        << a().running.process->output();
    // B no longer holds anything for A: the removed device cannot reach its former peer.
    const auto bToA = call(b(), a());
    EXPECT_EQ(bToA.exitCode, 1);
    EXPECT_THAT(bToA.err, HasSubstr("no credential for peer"));
    const auto aToB = call(a(), b());  // and the removed device lost its keys too
    EXPECT_EQ(aToB.exitCode, 1);
    EXPECT_THAT(aToB.err, HasSubstr("no credential for peer"));
    const auto status = linkStatus();
    EXPECT_EQ(status->getArray("links")->size(), 0u);
    ASSERT_EQ(status->getArray("pending")->size(), 1u);
    EXPECT_EQ(status->getArray("pending")->getObject(0)->getValue<std::string>("device"), c().id());

    c().restart();
    ASSERT_EQ(steward({"sync"}).exitCode, 0);
    EXPECT_EQ(linkStatus()->getArray("pending")->size(), 0u);
    const auto cToA = call(c(), a());
    EXPECT_EQ(cToA.exitCode, 1);
    EXPECT_THAT(cToA.err, HasSubstr("no credential for peer"));
    const auto devicesNow = steward({"devices", "--json"});
    EXPECT_THAT(devicesNow.out, ::testing::Not(HasSubstr(a().id())));
}

// Issue 16.5 for the local CLI: `remove` blocks the device in the PDM as stewardd's does (so that a
// daemon on the same state never owns it again unasked), an explicit `own` lifts the block, and a
// removal that fails leaves no block behind.
TEST_F(CliCredMgmt, RemovingBlocksTheDeviceAndOwningItByHandLiftsTheBlock) {
    const auto blocked = [&] { return core::openSqlitePdm(dir / "state" / "pdm.sqlite")->isBlocked(*core::Uuid::parse(a().id())); };
    std::size_t from = a().running.process->lines().size();
    const auto removed = steward({"remove", a().id()});
    ASSERT_EQ(removed.exitCode, 0) << removed.out << removed.err;
    EXPECT_THAT(removed.out, HasSubstr("is blocked"));
    EXPECT_TRUE(blocked());
    ASSERT_TRUE(a().running.process->waitForLine([](const std::string& l) { return l.find("reset (") != std::string::npos; }, 10s, from));
    const auto again = steward({"own", a().id(), "--unicast", "127.0.0.1:" + std::to_string(a().at().port)});
    ASSERT_EQ(again.exitCode, 0) << again.out << again.err;
    EXPECT_THAT(again.err, HasSubstr("no longer blocked"));
    EXPECT_FALSE(blocked());

    const auto unknown = steward({"remove", "11111111-2222-3333-4444-555555555555"});
    EXPECT_EQ(unknown.exitCode, 1);
    EXPECT_FALSE(core::openSqlitePdm(dir / "state" / "pdm.sqlite")->isBlocked(*core::Uuid::parse("11111111-2222-3333-4444-555555555555")));
}

TEST_F(CliCredMgmt, ARemoteResetReturnsTheDeviceUnownedWithItsUuidAndItCanBeOwnedAgain) {
    std::size_t from = a().running.process->lines().size();
    const auto reset = steward({"reset", a().id()});
    ASSERT_EQ(reset.exitCode, 0) << reset.err;
    ASSERT_TRUE(a().running.process->waitForLine([](const std::string& l) { return l.find("reset (") != std::string::npos; }, 10s, from));
    const auto unowned =
        runProcess(STEWARD_CLI_BIN, {"discover", "--unowned", "--json", "--unicast", "127.0.0.1:" + std::to_string(a().at().port)});
    EXPECT_THAT(unowned.out, HasSubstr(a().id()));
    EXPECT_THAT(steward({"devices", "--json"}).out, ::testing::Not(HasSubstr(a().id())));
    const auto again = steward({"own", a().id(), "--unicast", "127.0.0.1:" + std::to_string(a().at().port)});
    EXPECT_EQ(again.exitCode, 0) << again.out << again.err;
}

TEST_F(CliCredMgmt, TheMenuLinksChecksAndUnlinksWithTheSeedsPrompts) {
    // Devices are numbered as the PDM lists them; find A's and B's numbers from `devices`.
    const auto list = Poco::JSON::Parser().parse(steward({"devices", "--json"}).out).extract<Poco::JSON::Array::Ptr>();
    std::string na, nb;
    for (unsigned i = 0; i < list->size(); ++i) {
        const auto id = list->getObject(i)->getValue<std::string>("uuid");
        if (id == a().id()) na = std::to_string(i + 1);
        if (id == b().id()) nb = std::to_string(i + 1);
    }
    // 31: pairwise credentials (256-bit), 34: link status of A, 40: unlink, 34 again, 99.
    const std::string input = "31\n" + na + "\n" + nb + "\n2\n34\n" + na + "\n40\n" + na + "\n" + nb + "\n34\n" + na + "\n99\n";
    const auto menu =
        runProcess(STEWARD_CLI_BIN,
                   {"--local", "menu", "--unicast", "127.0.0.1:" + std::to_string(a().at().port), "--state-dir", (dir / "state").string()},
                   input, 60s);
    ASSERT_EQ(menu.exitCode, 0) << menu.out << menu.err;
    EXPECT_THAT(menu.out, HasSubstr("> Provisioned Selected Pairwise Credentials"));
    EXPECT_THAT(menu.out, HasSubstr("256-bit pairwise credential"));
    EXPECT_THAT(menu.out, HasSubstr(" [1] " + b().id()));  // 34 lists B as A's peer
    EXPECT_THAT(menu.out, HasSubstr("> Unlinked Selected Pairwise Devices"));
    EXPECT_EQ(linkStatus()->getArray("links")->size(), 0u);
}

TEST_F(CliCredMgmt, BadRequestsGetAClearErrorAndChangeNothing) {
    const std::string unknown = "11111111-2222-3333-4444-555555555555";
    const auto noSuch = steward({"pair", a().id(), unknown});
    EXPECT_EQ(noSuch.exitCode, 1);
    EXPECT_THAT(noSuch.err, HasSubstr("unknown device " + unknown));
    const auto badBits = steward({"pair", a().id(), b().id(), "--key-bits", "512"});
    EXPECT_EQ(badBits.exitCode, 1);
    EXPECT_THAT(badBits.err, HasSubstr("128 or 256"));
    const auto badPerm = steward({"acl", b().id(), "--subject", "uuid:" + a().id(), "--resource", "/a/light", "--perm", "XYZ"});
    EXPECT_EQ(badPerm.exitCode, 1);
    EXPECT_THAT(badPerm.err, HasSubstr("--perm"));
    // Core's verdicts, as in policies and over MQTT: no permission 0, no bare UUID as a subject.
    const auto zero = steward({"acl", b().id(), "--subject", "uuid:" + a().id(), "--resource", "/a/light", "--perm", "0"});
    EXPECT_EQ(zero.exitCode, 1);
    EXPECT_THAT(zero.err, HasSubstr("--perm: \"0\" is not a permission"));
    const auto bare = steward({"acl", b().id(), "--subject", a().id(), "--resource", "/a/light", "--perm", "R"});
    EXPECT_EQ(bare.exitCode, 1);
    EXPECT_THAT(bare.err, HasSubstr("is not a subject: a device is named uuid:" + a().id()));
    const auto notLinked = steward({"unlink", a().id(), b().id()});
    EXPECT_EQ(notLinked.exitCode, 1);
    EXPECT_THAT(notLinked.err, HasSubstr("not linked"));
    const auto self = steward({"pair", a().id(), a().id()});
    EXPECT_EQ(self.exitCode, 1);
    EXPECT_EQ(steward({"remove", unknown}).exitCode, 1);
    const auto usage = steward({"pair", a().id()});
    EXPECT_EQ(usage.exitCode, 2);

    const auto status = linkStatus();
    EXPECT_EQ(status->getArray("links")->size(), 0u);
    EXPECT_EQ(status->getArray("pending")->size(), 0u);
    EXPECT_EQ(call(a(), b()).exitCode, 1);  // no key was installed by any of the above
}

TEST_F(CliCredMgmt, ACertificateAndTheCaTrustAnchorAreInstalledAndTheCaKeyIsPrivate) {
    const auto cert = steward({"cert", a().id(), "--days", "30", "--json"});
    ASSERT_EQ(cert.exitCode, 0) << cert.out << cert.err;
    struct stat st {};
    ASSERT_EQ(::stat((dir / "state" / "ca" / "ca.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // The device's database (read-only while it runs) holds both credentials, the key masked.
    const auto shown = runProcess(STEWARD_SVRDB_BIN, {"show", a().svrdb.string(), "cred", "--json"});
    ASSERT_EQ(shown.exitCode, 0) << shown.err;
    EXPECT_THAT(shown.out, HasSubstr("oic.sec.cred.trustca"));
    EXPECT_THAT(shown.out, HasSubstr("oic.sec.cred.cert"));
    EXPECT_THAT(shown.out, HasSubstr("uuid:" + a().id()));
    // A second certificate replaces the first identity and does not repeat the trust anchor.
    ASSERT_EQ(steward({"cert", a().id()}).exitCode, 0);
    const auto twice = runProcess(STEWARD_SVRDB_BIN, {"show", a().svrdb.string(), "cred", "--json"});
    std::size_t anchors = 0, identities = 0;
    for (std::size_t p = 0; (p = twice.out.find("oic.sec.cred.trustca", p)) != std::string::npos; ++p) ++anchors;
    for (std::size_t p = 0; (p = twice.out.find("\"oic.sec.cred.cert\"", p)) != std::string::npos; ++p) ++identities;
    EXPECT_EQ(anchors, 1u);
    EXPECT_EQ(identities, 1u);
}

TEST_F(CliCredMgmt, DevicesWithGatewayCertificatesReachEachOtherOverCertificateDtlsAndAForeignCaIsRefused) {
    ASSERT_EQ(steward({"cert", a().id()}).exitCode, 0);
    ASSERT_EQ(steward({"cert", b().id()}).exitCode, 0);
    ASSERT_EQ(steward({"acl", b().id(), "--subject", "uuid:" + a().id(), "--resource", "/a/light", "--perm", "R"}).exitCode, 0);
    // No pairwise key between them: this can only be the certificate session.
    const auto byPsk = call(a(), b());
    EXPECT_EQ(byPsk.exitCode, 1) << byPsk.out << byPsk.err;
    const auto byCert = call(a(), b(), {"--cert", "--verbose"});
    EXPECT_EQ(byCert.exitCode, 0) << byCert.out << byCert.err;
    EXPECT_THAT(byCert.err, HasSubstr("uuid:" + b().id()));  // B proved who it is with its certificate
    // B knows A by its certificate's CN: A's ACE on B applies, and nothing more (read only).
    EXPECT_EQ(call(a(), b(), {"--cert", "--method", "post", "--payload", R"({"value":true})"}).exitCode, 3);

    // C holds a certificate for its own UUID from a CA B does not trust: refused.
    c().stop();
    const auto openssl = findOnPath("openssl");
    const auto pem = [&](const std::string& name) { return (dir / name).string(); };
    ASSERT_EQ(runProcess(openssl,
                         {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", pem("fca.key"),
                          "-out", pem("fca.pem"), "-days", "2", "-subj", "/CN=Foreign CA", "-addext", "basicConstraints=critical,CA:TRUE"})
                  .exitCode,
              0);
    ASSERT_EQ(runProcess(openssl, {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", pem("c.key"), "-out",
                                   pem("c.csr"), "-subj", "/CN=uuid:" + c().id()})
                  .exitCode,
              0);
    ASSERT_EQ(runProcess(openssl, {"x509", "-req", "-in", pem("c.csr"), "-CA", pem("fca.pem"), "-CAkey", pem("fca.key"), "-CAcreateserial",
                                   "-out", pem("c.pem"), "-days", "2"})
                  .exitCode,
              0);
    ASSERT_EQ(
        runProcess(STEWARD_SVRDB_BIN, {"cred", "add-cert", c().svrdb.string(), "--cert", pem("c.pem"), "--key", pem("c.key")}).exitCode, 0);
    // It trusts the gateway CA (so that only B's refusal can fail the handshake).
    ASSERT_EQ(
        runProcess(STEWARD_SVRDB_BIN, {"cred", "add-trustca", c().svrdb.string(), "--file", (dir / "state" / "ca" / "ca.crt").string()})
            .exitCode,
        0);
    const auto foreign = call(c(), b(), {"--cert"});
    EXPECT_EQ(foreign.exitCode, 1) << foreign.out << foreign.err;
    EXPECT_THAT(foreign.err, HasSubstr("certificate session"));
}

// Issue 13.2: the gateway CA also signs IDProv and admin/plugin certificates. One of those with
// CN "uuid:<A>" or "uuid:<gateway>" (what a leaked plugin certificate could have IDProv mint) is
// not an OCF identity: without OCF's identity EKU, which only credential management issues, a
// device neither takes its holder for A nor for its owner.
TEST_F(CliCredMgmt, ACertificateFromTheGatewayCaWithoutTheOcfIdentityUsageNamesNoDevice) {
    ASSERT_EQ(steward({"cert", a().id()}).exitCode, 0);
    ASSERT_EQ(steward({"cert", b().id()}).exitCode, 0);
    ASSERT_EQ(steward({"acl", b().id(), "--subject", "uuid:" + a().id(), "--resource", "/a/light", "--perm", "R"}).exitCode, 0);
    const auto genuine = call(a(), b(), {"--cert"});
    ASSERT_EQ(genuine.exitCode, 0) << genuine.out << genuine.err;  // A's own certificate carries the usage

    const auto owner = core::SvrDatabase::open(dir / "state" / "gateway.svrdb", core::SvrAccess::ReadOnly).resources().doxm.deviceuuid;
    const auto openssl = findOnPath("openssl");
    const auto path = [&](const std::string& name) { return (dir / name).string(); };
    const auto ca = dir / "state" / "ca";
    // An attacker's device database holding a certificate the gateway CA signed for `cn` with the
    // usages an IDProv or plugin certificate has, and the CA as trust anchor.
    const auto attacker = [&](const std::string& cn, const std::string& name) {
        Device d;
        d.svrdb = dir / (name + ".dat");
        EXPECT_EQ(runProcess(STEWARD_SVRDB_BIN, {"init", d.svrdb.string()}).exitCode, 0);
        EXPECT_EQ(runProcess(openssl, {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                                       path(name + ".key"), "-out", path(name + ".csr"), "-subj", "/OU=plugin/CN=" + cn})
                      .exitCode,
                  0);
        std::ofstream(path(name + ".ext")) << "extendedKeyUsage=clientAuth,serverAuth\n";
        EXPECT_EQ(runProcess(openssl, {"x509", "-req", "-in", path(name + ".csr"), "-CA", (ca / "ca.crt").string(), "-CAkey",
                                       (ca / "ca.key").string(), "-CAcreateserial", "-out", path(name + ".pem"), "-days", "2", "-extfile",
                                       path(name + ".ext")})
                      .exitCode,
                  0);
        EXPECT_EQ(runProcess(STEWARD_SVRDB_BIN,
                             {"cred", "add-cert", d.svrdb.string(), "--cert", path(name + ".pem"), "--key", path(name + ".key")})
                      .exitCode,
                  0);
        EXPECT_EQ(runProcess(STEWARD_SVRDB_BIN, {"cred", "add-trustca", d.svrdb.string(), "--file", (ca / "ca.crt").string()}).exitCode, 0);
        return d;
    };

    // Posing as A: the chain is good (the handshake completes) but B does not take it for A.
    const auto asA = attacker("uuid:" + a().id(), "as-a");
    const auto posing = call(asA, b(), {"--cert"});
    EXPECT_EQ(posing.exitCode, 3) << posing.out << posing.err;
    if (posing.exitCode == 3) {
        EXPECT_EQ(parseObject(posing.out)->getValue<std::string>("code"), "4.03") << posing.out;
    }

    // Posing as the owner (the gateway): the security resources stay closed.
    const auto asOwner = attacker("uuid:" + owner.toString(), "as-owner");
    for (const auto& [resource, method, payload] : std::vector<std::array<std::string, 3>>{
             {"/oic/sec/cred", "get", ""}, {"/oic/sec/pstat", "post", R"({"dos":{"s":2}})"}, {"/oic/sec/acl2", "get", ""}}) {
        const auto r = callPath(asOwner, b(), resource, method, payload, {"--cert"});
        EXPECT_EQ(r.exitCode, 3) << method << " " << resource << ": " << r.out << r.err;
    }
}

}  // namespace
}  // namespace steward::test
