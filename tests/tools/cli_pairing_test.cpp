// `steward --local direct-pairing` and menu item 33 without a device: argument errors (exit 2),
// bad values (exit 1), the seed's prompts, and a device the gateway cannot reach failing cleanly
// with nothing changed. Then end to end against real steward-device processes: the gateway
// configures a light's pconf, a guest pairs by PIN, sync records the pairing, links shows it,
// unlink revokes it, and disabling stops new pairings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/pdm/sqlite_pdm.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kDevice = "6b6b6b6b-6b6b-6b6b-6b6b-6b6b6b6b6b01";
const std::string kGuest = "6b6b6b6b-6b6b-6b6b-6b6b-6b6b6b6b6b09";

class CliPairing : public ::testing::Test {
protected:
    void SetUp() override {
        // A state directory whose PDM has one owned device the gateway holds no owner credential
        // for (nothing listens at its address either).
        const auto created = steward({"devices"});
        ASSERT_EQ(created.exitCode, 0) << created.err;
        auto pdm = core::openSqlitePdm(dir / "state" / "pdm.sqlite");
        core::DeviceRecord d;
        d.id = *core::Uuid::parse(kDevice);
        d.name = "kitchen light";
        d.address = "127.0.0.1";
        d.port = 9;
        d.securePort = 9;
        d.state = core::DeviceRecordState::Owned;
        pdm->putDevice(d);
    }

    ProcessResult steward(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), "--local");
        args.push_back("--state-dir");
        args.push_back((dir / "state").string());
        return runProcess(STEWARD_CLI_BIN, args, input, 60s);
    }

    TempDir dir;
};

TEST_F(CliPairing, UsageErrorsExitWith2) {
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    const std::vector<Case> cases{
        {{"direct-pairing"}, "one device UUID"},
        {{"direct-pairing", "not-a-uuid", "--method", "random", "--resource", "/a/light"}, "not a device UUID"},
        {{"direct-pairing", kDevice, "--resource", "/a/light"}, "needs --method"},
        {{"direct-pairing", kDevice, "--method", "random"}, "at least one --resource"},
        {{"direct-pairing", kDevice, "--method", "random", "--pin", "12345678", "--resource", "/a/light"},
         "it needs --method preconfigured"},
        {{"direct-pairing", kDevice, "--disable", "--method", "random"}, "--disable takes no --method"},
        {{"direct-pairing", kDevice, "--disable", "--resource", "/a/light"}, "--disable takes no --resource"},
        {{"direct-pairing", kDevice, "--method", "random", "--resource", "/a/light", "--colour", "red"}, "--colour"},
        {{"direct-pairing", kDevice, "--method", "random", "--resource", "/a/light", "--perm", "R", "--perm", "U"}, "--perm"},
    };
    for (const auto& c : cases) {
        const auto r = steward(c.args);
        EXPECT_EQ(r.exitCode, 2) << r.out << r.err;
        EXPECT_THAT(r.err, HasSubstr(c.message)) << r.err;
    }
}

TEST_F(CliPairing, BadValuesExitWith1AndNeverEchoAPin) {
    auto r = steward({"direct-pairing", kDevice, "--method", "sometimes", "--resource", "/a/light"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_THAT(r.err, HasSubstr("--method: \"sometimes\" is not a pairing method"));
    r = steward({"direct-pairing", kDevice, "--method", "preconfigured", "--pin", "1234x678", "--resource", "/a/light"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_THAT(r.err, HasSubstr("--pin: a pre-configured PIN is exactly 8 digits"));
    EXPECT_THAT(r.err + r.out, Not(HasSubstr("1234x678")));
    r = steward({"direct-pairing", kDevice, "--method", "random", "--resource", "/a/light", "--perm", "XYZ"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_THAT(r.err, HasSubstr("--perm"));
    // The plugin's own checks, before any device is asked.
    r = steward({"direct-pairing", kDevice, "--method", "random", "--resource", "/oic/sec/cred"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_THAT(r.err, HasSubstr("/oic/sec/cred is a security resource"));
    r = steward({"direct-pairing", kGuest, "--method", "random", "--resource", "/a/light"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_THAT(r.err, HasSubstr("unknown device " + kGuest));
    r = steward({"direct-pairing", kGuest, "--disable", "--json"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_THAT(r.out, HasSubstr("\"status\":\"error\""));
}

TEST_F(CliPairing, ADeviceThatCannotBeReachedFailsAndTheMadePinIsNotShown) {
    const auto r = steward({"direct-pairing", kDevice, "--method", "preconfigured", "--resource", "/a/light"});
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(kDevice));
    EXPECT_THAT(r.out, Not(HasSubstr("PIN")));  // it never reached the device: no use to anyone
    const auto given = steward({"direct-pairing", kDevice, "--method", "preconfigured", "--pin", "24681357", "--resource", "/a/light"});
    EXPECT_EQ(given.exitCode, 1);
    EXPECT_THAT(given.out + given.err, Not(HasSubstr("24681357")));
}

TEST_F(CliPairing, HelpDescribesTheOptionsAndTheDefaultPermission) {
    const auto r = steward({"direct-pairing", "--help"});
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_THAT(r.out, HasSubstr("--method preconfigured|random"));
    EXPECT_THAT(r.out, HasSubstr("default RU"));
    EXPECT_THAT(r.out, HasSubstr("--disable"));
    const auto top = runProcess(STEWARD_CLI_BIN, {"--help"});
    EXPECT_THAT(top.out, HasSubstr("direct-pairing"));
}

TEST_F(CliPairing, LinksShowDirectPairingsApartFromPairwiseLinks) {
    {
        auto pdm = core::openSqlitePdm(dir / "state" / "pdm.sqlite");
        pdm->putDirectLink(*core::Uuid::parse(kDevice), *core::Uuid::parse(kGuest));
    }
    const auto text = steward({"links"});
    EXPECT_EQ(text.exitCode, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr(kDevice + " <- " + kGuest + "  (direct pairing)"));
    const auto json = steward({"links", kGuest, "--json"});  // a guest has links, not a record
    ASSERT_EQ(json.exitCode, 0) << json.err;
    const auto links = Poco::JSON::Parser().parse(json.out).extract<Poco::JSON::Object::Ptr>()->getArray("links");
    ASSERT_EQ(links->size(), 1u);
    EXPECT_EQ(links->getObject(0)->getValue<std::string>("kind"), "direct");
    EXPECT_EQ(links->getObject(0)->getValue<std::string>("a"), kDevice);
    EXPECT_EQ(links->getObject(0)->getValue<std::string>("b"), kGuest);
    // unlink of a direct link with a guest client: the guest is not "unknown" (nothing of ours is
    // there); the server no longer knows this gateway (no owner credential here), so nothing is
    // left to revoke on it either.
    const auto unlink = steward({"unlink", kGuest, kDevice});
    EXPECT_EQ(unlink.exitCode, 0) << unlink.out << unlink.err;
    EXPECT_THAT(unlink.out, HasSubstr("unlinked " + kGuest + " and " + kDevice));
    EXPECT_THAT(steward({"links"}).out, HasSubstr("(0 link(s))"));
    const auto again = steward({"unlink", kGuest, kDevice});
    EXPECT_EQ(again.exitCode, 1);
    EXPECT_THAT(again.err, HasSubstr("unknown device " + kGuest));
}

TEST_F(CliPairing, MenuItem33AsksTheSeedsQuestionsAndReportsAFailureClearly) {
    // 33 with a bad PIN (nothing done), 33 with defaults (the device is unreachable), 99.
    const std::string input = "33\n1\n1\n1234\n33\n1\n\n\n\n\n99\n";
    const auto menu = steward({"menu", "--unicast", "127.0.0.1:9"}, input);
    ASSERT_EQ(menu.exitCode, 0) << menu.out << menu.err;
    EXPECT_THAT(menu.out, HasSubstr("** 33. Provision Direct-Pairing Configuration"));
    EXPECT_THAT(menu.out, HasSubstr("   > Enter Device Number, for Provisioning Direct-Pairing: "));
    EXPECT_THAT(menu.out, HasSubstr("1 - Pre-configured PIN(Default)"));
    EXPECT_THAT(menu.out, HasSubstr("Enter Pre-configured PIN (8 digits, empty: a random one): "));
    EXPECT_THAT(menu.out, HasSubstr("> a pre-configured PIN is exactly 8 digits: nothing done"));
    EXPECT_THAT(menu.out, HasSubstr("(default *): "));
    EXPECT_THAT(menu.out, HasSubstr("(default RU): "));
    EXPECT_THAT(menu.out, HasSubstr("   > FAILED to provision Direct-Pairing: "));
    EXPECT_THAT(menu.out, Not(HasSubstr("SUCCESS")));
    EXPECT_THAT(menu.out, Not(HasSubstr("pre-configured PIN: ")));
}

Poco::JSON::Object::Ptr parseObject(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>(); }

class DirectPairingEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        light = startDevices({"--svrdb", (dir / "light.dat").string(), "--name", "Kitchen light", "--direct-pairing"});
        plain = startDevices({"--svrdb", (dir / "plain.dat").string(), "--name", "Door"});
        const auto owned = steward({"own", "--all", "--unicast", "127.0.0.1:" + std::to_string(light[0].port), "--unicast",
                                    "127.0.0.1:" + std::to_string(plain[0].port)});
        ASSERT_EQ(owned.exitCode, 0) << owned.out << owned.err;
        auto guestDevice = startDevices({"--svrdb", guestDb().string(), "--name", "Guest phone"});  // owned by nobody
        guest = guestDevice[0].id;
        ASSERT_EQ(guestDevice.process->stop(), 0);
    }

    ProcessResult steward(std::vector<std::string> args) {
        args.insert(args.begin(), "--local");
        args.push_back("--state-dir");
        args.push_back((dir / "state").string());
        return runProcess(STEWARD_CLI_BIN, args, "", 60s);
    }
    std::filesystem::path guestDb() const { return dir / "guest.dat"; }
    std::string lightId() const { return light[0].id.toString(); }
    ProcessResult pair(const std::string& pin) {
        return runProcess(STEWARD_DEVICE_BIN,
                          {"--svrdb", guestDb().string(), "--pair-with", "127.0.0.1:" + std::to_string(light[0].port), "--pin", pin}, "",
                          30s);
    }
    ProcessResult callLight() {
        return runProcess(
            STEWARD_DEVICE_BIN,
            {"--svrdb", guestDb().string(), "--call", "127.0.0.1:" + std::to_string(light[0].securePort), "/a/light", "--json"}, "", 30s);
    }
    core::Pconf pconf() {
        auto answer = asOwner(dir / "state", light[0], core::CoapRequest::get("/oic/sec/pconf"));
        if (auto* error = std::get_if<std::string>(&answer)) throw std::runtime_error(*error);
        return core::decodePconf(std::get<core::CoapResponse>(answer).payload);
    }

    TempDir dir;
    RunningDevices light;
    RunningDevices plain;
    core::Uuid guest;
};

TEST_F(DirectPairingEndToEnd, TheGatewayConfiguresAGuestPairsSyncRecordsItAndUnlinkRevokesIt) {
    const auto configured = steward({"direct-pairing", lightId(), "--method", "preconfigured", "--resource", "/a/light", "--json"});
    ASSERT_EQ(configured.exitCode, 0) << configured.out << configured.err;
    const auto answer = parseObject(configured.out);
    EXPECT_EQ(answer->getValue<std::string>("status"), "ok");
    const auto pin = answer->getValue<std::string>("pin");  // made here, shown once
    ASSERT_EQ(pin.size(), 8u);
    EXPECT_EQ(light.process->output().find(pin), std::string::npos) << "the light never logs a pre-configured PIN";

    auto p = pconf();
    EXPECT_TRUE(p.edp);
    EXPECT_EQ(p.prm, std::vector<int>{core::pairing_method::kPreconfiguredPin});
    EXPECT_TRUE(p.pin.empty());  // never returned on GET
    ASSERT_EQ(p.pdacl.size(), 1u);
    EXPECT_EQ(p.pdacl[0].resources[0].href, "/a/light");
    EXPECT_EQ(p.pdacl[0].permission, core::permission::kRead | core::permission::kUpdate);  // the default RU

    const auto paired = pair(pin);
    ASSERT_EQ(paired.exitCode, 0) << paired.out << paired.err;
    ASSERT_EQ(callLight().exitCode, 0);

    const auto synced = steward({"sync"});
    ASSERT_EQ(synced.exitCode, 0) << synced.out << synced.err;
    EXPECT_NE(synced.out.find("recorded direct pairing " + lightId() + " <- " + guest.toString()), std::string::npos) << synced.out;
    EXPECT_EQ(synced.out.find("deferred"), std::string::npos) << "the door has no pconf: skipped, not deferred\n" << synced.out;
    EXPECT_EQ(steward({"sync"}).out.find("recorded"), std::string::npos) << "recorded once";
    const auto links = parseObject(steward({"links", "--json"}).out)->getArray("links");
    ASSERT_EQ(links->size(), 1u);
    EXPECT_EQ(links->getObject(0)->getValue<std::string>("kind"), "direct");
    EXPECT_EQ(links->getObject(0)->getValue<std::string>("a"), lightId());
    EXPECT_EQ(links->getObject(0)->getValue<std::string>("b"), guest.toString());

    // Disabling stops new pairings; the one made stays until unlinked.
    const auto disabled = steward({"direct-pairing", lightId(), "--disable"});
    ASSERT_EQ(disabled.exitCode, 0) << disabled.out << disabled.err;
    EXPECT_FALSE(pconf().edp);
    EXPECT_EQ(callLight().exitCode, 0);

    const auto unlinked = steward({"unlink", lightId(), guest.toString()});
    ASSERT_EQ(unlinked.exitCode, 0) << unlinked.out << unlinked.err;
    EXPECT_NE(callLight().exitCode, 0) << "the light no longer holds the guest's pairing key";
    EXPECT_EQ(parseObject(steward({"links", "--json"}).out)->getArray("links")->size(), 0u);
    const auto resynced = steward({"sync"});
    ASSERT_EQ(resynced.exitCode, 0) << resynced.out << resynced.err;
    EXPECT_EQ(resynced.out.find("recorded"), std::string::npos) << "a revoked pairing is not recorded again\n" << resynced.out;
}

TEST_F(DirectPairingEndToEnd, MenuItem33ProvisionsWithTheSeedsPromptsAndShowsTheMadePinOnce) {
    const auto list = Poco::JSON::Parser().parse(steward({"devices", "--json"}).out).extract<Poco::JSON::Array::Ptr>();
    std::string number;
    for (unsigned i = 0; i < list->size(); ++i) {
        if (list->getObject(i)->getValue<std::string>("uuid") == lightId()) number = std::to_string(i + 1);
    }
    ASSERT_FALSE(number.empty());
    // 33: the light, method 3 (both), a random PIN, two resources (a bare name as in the seed), permission R; 99.
    const auto run =
        runProcess(STEWARD_CLI_BIN,
                   {"--local", "menu", "--unicast", "127.0.0.1:" + std::to_string(light[0].port), "--state-dir", (dir / "state").string()},
                   "33\n" + number + "\n3\n\n/a/light, door\nR\n99\n", 60s);
    ASSERT_EQ(run.exitCode, 0) << run.out << run.err;
    EXPECT_NE(run.out.find("   > Enter Device Number, for Provisioning Direct-Pairing: "), std::string::npos);
    EXPECT_NE(run.out.find("   > SUCCESS to provision Direct-Pairing !!"), std::string::npos) << run.out;
    const auto at = run.out.find("   > pre-configured PIN: ");
    ASSERT_NE(at, std::string::npos) << run.out;
    const auto pin = run.out.substr(at + 25, 8);
    const auto p = pconf();
    EXPECT_TRUE(p.edp);
    EXPECT_EQ(p.prm, (std::vector<int>{core::pairing_method::kPreconfiguredPin, core::pairing_method::kRandomPin}));
    ASSERT_EQ(p.pdacl.size(), 1u);
    ASSERT_EQ(p.pdacl[0].resources.size(), 2u);
    EXPECT_EQ(p.pdacl[0].resources[0].href, "/a/light");
    EXPECT_EQ(p.pdacl[0].resources[1].href, "/door");  // a bare name gets its slash, as in menu 32
    EXPECT_EQ(p.pdacl[0].permission, core::permission::kRead);
    EXPECT_EQ(pair(pin).exitCode, 0) << "the PIN shown is the one the light holds";
}

TEST_F(DirectPairingEndToEnd, ADeviceWithoutPconfIsNotDirectPairingCapable) {
    const auto r = steward({"direct-pairing", plain[0].id.toString(), "--method", "random", "--resource", "/a/light"});
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("device " + plain[0].id.toString() + " is not direct-pairing capable"), std::string::npos) << r.err;
    const auto off = steward({"direct-pairing", plain[0].id.toString(), "--disable"});
    EXPECT_EQ(off.exitCode, 1);
}

TEST_F(DirectPairingEndToEnd, RemovingTheLightForgetsItsDirectPairing) {
    const auto configured =
        steward({"direct-pairing", lightId(), "--method", "preconfigured", "--pin", "13572468", "--resource", "/a/light"});
    ASSERT_EQ(configured.exitCode, 0) << configured.out << configured.err;
    EXPECT_EQ(configured.out.find("13572468"), std::string::npos) << "a PIN the user gave is not printed back";
    ASSERT_EQ(pair("13572468").exitCode, 0);
    ASSERT_EQ(steward({"sync"}).exitCode, 0);
    ASSERT_EQ(parseObject(steward({"links", "--json"}).out)->getArray("links")->size(), 1u);
    const auto removed = steward({"remove", lightId()});
    ASSERT_EQ(removed.exitCode, 0) << removed.out << removed.err;
    EXPECT_EQ(parseObject(steward({"links", "--json"}).out)->getArray("links")->size(), 0u);
    EXPECT_NE(callLight().exitCode, 0) << "the light was reset";
}

}  // namespace
}  // namespace steward::test
