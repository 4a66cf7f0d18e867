// `steward` through stewardd (issue 16.6, and the CLI side of 16.4): a real mosquitto, stewardd and
// steward-device processes. Human output by default and --json for machines; progress lines on
// stderr; the Random PIN flow typed into the CLI's standard input: a PIN stewardd refuses, a wrong
// PIN and the new one the device then shows, a PIN given from elsewhere, and a wait that follows the
// daemon's pairing request rather than --timeout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <future>
#include <thread>

#include "bridge/mqtt/broker_fixture.hpp"
#include "daemon_fixture.hpp"
#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "steward/version.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

Poco::Dynamic::Var parseJson(const std::string& text) { return Poco::JSON::Parser().parse(text); }

class CliDaemon : public ::testing::Test {
protected:
    void SetUp() override {
        std::filesystem::create_directories(dir / "policies.d");
        std::filesystem::copy_file(std::filesystem::path(STEWARD_SOURCE_DIR) / "config" / "policies.d" / "10-lights.yaml",
                                   dir / "policies.d" / "10-lights.yaml");
    }

    // stewardd in `mode` probing `devices` by unicast; waits until it is online and has seen them all.
    void startStewardd(const std::string& ownership, const std::vector<const RunningDevices*>& devices) {
        std::string unicast;
        for (const auto* d : devices)
            unicast += (unicast.empty() ? "\"" : ", \"") + std::string("127.0.0.1:") + std::to_string((*d)[0].port) + "\"";
        const auto yaml = "state_dir: " + (dir / "state").string() + "\nplugin_dir: " + STEWARD_PLUGIN_DIR +
                          "\npolicy_dir: " + (dir / "policies.d").string() + "\nmqtt: {port: " + std::to_string(broker.port()) +
                          "}\ndiscovery: {unicast: [" + unicast + "], interval: 1, timeout_ms: 500}\nownership: " + ownership +
                          "\nlogging: {level: debug}\n";
        watch = std::make_unique<Observer>(broker.port());
        daemon = startDaemon(dir.path(), yaml);
        ASSERT_TRUE(watch->waitOnline()) << daemon->output();
        for (const auto* d : devices) {
            ASSERT_TRUE(watch->waitForEvent(
                "device_discovered",
                [&](const Poco::JSON::Object::Ptr& e) { return e->optValue<std::string>("device", "") == (*d)[0].id.toString(); }, 15s))
                << watch->dump();
        }
    }

    std::vector<std::string> withBroker(std::vector<std::string> args) const {
        args.push_back("--broker");
        args.push_back(broker.uri());
        return args;
    }
    ProcessResult steward(const std::vector<std::string>& args, const std::string& input = "", std::chrono::milliseconds timeout = 60s) {
        return runProcess(STEWARD_CLI_BIN, withBroker(args), input, timeout);
    }
    // A CLI whose stdin stays open (the test types into it); stdout and stderr in one stream.
    std::unique_ptr<BackgroundProcess> background(const std::vector<std::string>& args) {
        return std::make_unique<BackgroundProcess>(STEWARD_CLI_BIN, withBroker(args));
    }
    static bool lineWith(BackgroundProcess& p, const std::string& text, std::chrono::milliseconds timeout = 20s) {
        return p.waitForLine([&](const std::string& l) { return l.find(text) != std::string::npos; }, timeout).has_value();
    }
    std::string dump() const { return (watch ? watch->dump() : "") + (daemon ? daemon->output() : ""); }

    TempDir dir;
    MosquittoBroker broker;
    std::unique_ptr<Observer> watch;
    std::unique_ptr<BackgroundProcess> daemon;
};

// Text by default for every command, JSON with --json; errors on stderr as "steward: COMMAND: ...".
TEST_F(CliDaemon, PrintsTextByDefaultAndTheRawResponseWithJson) {
    auto a = startDevices({"--svrdb", (dir / "a.dat").string(), "--name", "Kitchen light"});
    auto b = startDevices({"--svrdb", (dir / "b.dat").string(), "--name", "Hall light"});
    startStewardd("{mode: manual}", {&a, &b});
    const auto idA = a[0].id.toString();
    const auto idB = b[0].id.toString();

    // Two devices: a progress line each on stderr as it finishes, the count on stdout.
    const auto own = steward({"own", idA, idB});
    ASSERT_EQ(own.exitCode, 0) << own.out << own.err << dump();
    EXPECT_THAT(own.err, ContainsRegex("\\[1/2\\] " + idA + " \\(justworks\\): owned in [0-9]+ ms"));
    EXPECT_THAT(own.err, ContainsRegex("\\[2/2\\] " + idB + " \\(justworks\\): owned in [0-9]+ ms"));
    EXPECT_LT(own.err.find("[1/2]"), own.err.find("[2/2]"));
    EXPECT_EQ(own.out, "2 of 2 device(s) owned\n");
    for (const auto& id : {idA, idB}) {
        ASSERT_TRUE(watch->waitForEvent(
            "device_provisioned", [&](const Poco::JSON::Object::Ptr& e) { return e->optValue<std::string>("device", "") == id; }, 20s))
            << dump();
    }

    const auto devices = steward({"devices"});
    ASSERT_EQ(devices.exitCode, 0) << devices.err;
    EXPECT_THAT(devices.out, HasSubstr("2 device(s)\n"));
    EXPECT_THAT(devices.out, ContainsRegex("UUID +NAME +STATUS +METHOD +ADDRESS +POLICIES"));
    EXPECT_THAT(devices.out, ContainsRegex(idA + " +Kitchen light +provisioned +justworks +127\\.0\\.0\\.1:" +
                                           std::to_string(a[0].securePort) + " +[a-z-]*lights-managed-by-gateway"));
    EXPECT_THAT(devices.out, ContainsRegex(idB + " +Hall light +provisioned +justworks"));
    EXPECT_THAT(devices.out, Not(HasSubstr("{")));
    EXPECT_THAT(devices.out, Not(HasSubstr("}")));
    const auto devicesJson = steward({"devices", "--json"});
    ASSERT_EQ(devicesJson.exitCode, 0);
    const auto raw = parseJson(devicesJson.out).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(raw->getValue<std::string>("status"), "ok");
    EXPECT_EQ(raw->getArray("data")->size(), 2U);
    EXPECT_TRUE(raw->has("transaction"));

    const auto info = steward({"info"});
    ASSERT_EQ(info.exitCode, 0) << info.err;
    EXPECT_THAT(info.out, HasSubstr("stewardd " + std::string(core::versionText()) + "\n"));
    EXPECT_THAT(info.out, ContainsRegex("gateway +[0-9a-f-]{36}"));
    EXPECT_THAT(info.out, ContainsRegex("plugins +[0-9]+ loaded: .*otm-randompin"));
    EXPECT_THAT(info.out, ContainsRegex("ownership +manual"));
    EXPECT_THAT(info.out, ContainsRegex("permit-join +closed"));
    EXPECT_THAT(info.out, ContainsRegex("policies +[0-9]+ active"));
    EXPECT_THAT(info.out, Not(HasSubstr("{")));
    const auto infoJson = steward({"info", "--json"});
    EXPECT_EQ(parseJson(infoJson.out).extract<Poco::JSON::Object::Ptr>()->getObject("data")->getValue<std::string>("version"),
              std::string(core::versionText()));

    const auto permit = steward({"permit-join", "30"});
    EXPECT_EQ(permit.out, "permit-join open for 30 s\n") << permit.err;
    EXPECT_THAT(steward({"info"}).out, ContainsRegex("permit-join +open, [0-9]+ s left"));
    EXPECT_EQ(steward({"permit-join", "0"}).out, "permit-join closed\n");

    const auto link = steward({"link", idA, idB, "--resource", "/a/light"});
    ASSERT_EQ(link.exitCode, 0) << link.err;
    EXPECT_THAT(link.out, Not(HasSubstr("{")));
    const auto links = steward({"links"});
    ASSERT_EQ(links.exitCode, 0) << links.err;
    EXPECT_THAT(links.out, HasSubstr("> Checked Link Status on the provisioning database (1 link(s))\n"));
    EXPECT_THAT(links.out, ContainsRegex(" \\[1\\] (" + idA + " <-> " + idB + "|" + idB + " <-> " + idA + ")\n"));
    EXPECT_THAT(links.out, Not(HasSubstr("{")));
    const auto linksJson = steward({"links", "--json"});
    const auto list = parseJson(linksJson.out).extract<Poco::JSON::Object::Ptr>()->getObject("data")->getArray("links");
    ASSERT_EQ(list->size(), 1U) << linksJson.out;
    EXPECT_EQ(list->getObject(0)->getValue<std::string>("kind"), "pairwise");

    const auto metrics = steward({"metrics"});
    EXPECT_THAT(metrics.out, ContainsRegex("devices owned +2\n"));
    EXPECT_THAT(metrics.out, ContainsRegex("time to own +p50 [0-9]+ ms, p99 [0-9]+ ms"));

    const auto renamed = steward({"rename", idA, "Pantry light"});
    EXPECT_EQ(renamed.out, idA + " renamed \"Pantry light\"\n") << renamed.err;

    // An error: stderr names the command; --json still gives stdout the raw (error) response.
    const auto typo = steward({"pin", idA, "1234567"});
    EXPECT_EQ(typo.exitCode, 1);
    EXPECT_EQ(typo.out, "");
    EXPECT_THAT(typo.err, HasSubstr("steward: pin: 'pin' must be the 8 digits the device shows"));
    const auto typoJson = steward({"pin", idA, "1234567", "--json"});
    EXPECT_EQ(typoJson.exitCode, 1);
    EXPECT_EQ(parseJson(typoJson.out).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("status"), "error");

    // No broker: still a JSON document on stdout with --json.
    const auto nowhere = runProcess(STEWARD_CLI_BIN, {"devices", "--broker", "127.0.0.1:1", "--json"}, "", 30s);
    EXPECT_EQ(nowhere.exitCode, 1);
    EXPECT_THAT(nowhere.err, HasSubstr("cannot reach the MQTT broker"));
    const auto error = parseJson(nowhere.out).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(error->getValue<std::string>("status"), "error");
    EXPECT_THAT(error->getValue<std::string>("error"), HasSubstr("cannot reach the MQTT broker"));
}

// own --json of several devices: an array of the raw responses on stdout, progress on stderr only.
// sync: the daemon's progress events for this request's transaction become lines on stderr.
TEST_F(CliDaemon, JsonOfSeveralDevicesAndTheDaemonsProgressLines) {
    auto a = startDevices({"--svrdb", (dir / "a.dat").string()});
    auto b = startDevices({"--svrdb", (dir / "b.dat").string()});
    startStewardd("{mode: manual}", {&a, &b});
    const auto own = steward({"own", a[0].id.toString(), b[0].id.toString(), "--json"});
    ASSERT_EQ(own.exitCode, 0) << own.err << dump();
    const auto responses = parseJson(own.out).extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(responses->size(), 2U);
    EXPECT_EQ(responses->getObject(0)->getObject("data")->getValue<std::string>("device"), a[0].id.toString());
    EXPECT_EQ(responses->getObject(1)->getObject("data")->getValue<std::string>("status"), "owned");
    EXPECT_THAT(own.err, HasSubstr("[2/2] " + b[0].id.toString()));

    const auto sync = steward({"sync"});
    ASSERT_EQ(sync.exitCode, 0) << sync.err << dump();
    EXPECT_FALSE(sync.out.empty());
    // A line per progress event the daemon published for this request (with its transaction).
    EXPECT_THAT(sync.err, ContainsRegex("(^|\n)(\\[[0-9]+/[0-9]+\\] )?sync: [^\n]*" + a[0].id.toString())) << dump();
    EXPECT_THAT(sync.err, ContainsRegex("(^|\n)(\\[[0-9]+/[0-9]+\\] )?sync: [^\n]*" + b[0].id.toString())) << dump();
}

// A PIN stewardd refuses (7 digits) is shown as its error, and asked for again; the right one owns.
TEST_F(CliDaemon, APinTheDaemonRefusesIsShownAndAskedForAgain) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    startStewardd("{mode: manual, pin_timeout: 60}", {&rdp});
    const auto id = rdp[0].id.toString();
    auto cli = background({"own", id});
    std::size_t from = 0;
    const auto pin = waitForPin(*rdp.process, from, 20s);
    ASSERT_TRUE(pin) << cli->output() << dump();
    ASSERT_TRUE(cli->writeLine(pin->substr(0, 7)));
    ASSERT_TRUE(lineWith(*cli, "steward: pin: 'pin' must be the 8 digits the device shows")) << cli->output() << dump();
    ASSERT_TRUE(cli->writeLine(*pin));
    EXPECT_EQ(cli->wait(30s), 0) << cli->output() << dump();
    EXPECT_THAT(cli->output(), ContainsRegex(id + " \\(randompin\\): owned in [0-9]+ ms"));
    // Asked twice: once at first, once after the refusal.
    const auto out = cli->output();
    std::size_t prompts = 0;
    for (auto at = out.find("Enter the PIN shown on device"); at != std::string::npos;
         at = out.find("Enter the PIN shown on device", at + 1))
        ++prompts;
    EXPECT_EQ(prompts, 2U) << out;
}

// A wrong PIN costs an attempt: the CLI says so, the device shows a new PIN, the CLI asks again,
// and the new PIN owns the device (needs stewardd's pin_attempts: ownership_failed with reason
// wrong_pin, then a new pairing_request).
TEST_F(CliDaemon, AWrongPinIsSaidAndTheNewPinTheDeviceShowsOwnsIt) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    startStewardd("{mode: manual, pin_timeout: 60, pin_attempts: 3}", {&rdp});
    const auto id = rdp[0].id.toString();
    auto cli = background({"own", id});
    std::size_t from = 0;
    const auto first = waitForPin(*rdp.process, from, 20s);
    ASSERT_TRUE(first) << cli->output() << dump();
    ASSERT_TRUE(cli->writeLine(*first == "00000000" ? "11111111" : "00000000"));
    ASSERT_TRUE(lineWith(*cli, "wrong PIN (attempt 1 of 3); the device now shows a new PIN")) << cli->output() << dump();
    const auto second = waitForPin(*rdp.process, from, 20s);
    ASSERT_TRUE(second) << cli->output() << dump();
    ASSERT_TRUE(cli->writeLine(*second));
    EXPECT_EQ(cli->wait(30s), 0) << cli->output() << dump();
    EXPECT_THAT(cli->output(), ContainsRegex(id + " \\(randompin\\): owned in [0-9]+ ms"));
    EXPECT_THAT(cli->output(), HasSubstr("attempt 2 of 3"));  // the second prompt says which attempt it is
}

// The last attempt wrong: the own request fails (exit 1) with the daemon's error.
TEST_F(CliDaemon, NoAttemptsLeftFailsTheCommand) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    startStewardd("{mode: manual, pin_timeout: 60, pin_attempts: 1}", {&rdp});
    const auto id = rdp[0].id.toString();
    auto cli = background({"own", id});
    std::size_t from = 0;
    const auto pin = waitForPin(*rdp.process, from, 20s);
    ASSERT_TRUE(pin) << cli->output() << dump();
    ASSERT_TRUE(cli->writeLine(*pin == "00000000" ? "11111111" : "00000000"));
    EXPECT_EQ(cli->wait(30s), 1) << cli->output() << dump();
    EXPECT_THAT(cli->output(), HasSubstr("steward: own: " + id + ": "));
    EXPECT_THAT(cli->output(), HasSubstr("wrong PIN"));
}

// While the pairing request is open the CLI waits as long as the daemon does, not --timeout.
TEST_F(CliDaemon, TheWaitFollowsThePairingRequestNotTheTimeout) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    startStewardd("{mode: manual, pin_timeout: 30}", {&rdp});
    auto cli = background({"own", rdp[0].id.toString(), "--timeout", "2"});
    std::size_t from = 0;
    const auto pin = waitForPin(*rdp.process, from, 20s);
    ASSERT_TRUE(pin) << cli->output() << dump();
    std::this_thread::sleep_for(4s);  // past --timeout
    ASSERT_TRUE(cli->writeLine(*pin)) << cli->output();
    EXPECT_EQ(cli->wait(30s), 0) << cli->output() << dump();
    EXPECT_THAT(cli->output(), ContainsRegex("[ \\[](29|30) s\\]:"));  // the prompt gives the daemon's time
}

// The PIN given elsewhere (here `steward pin`, as another terminal or Home Assistant would) ends the
// prompt of a CLI still asking; and a CLI whose stdin has ended says how to answer otherwise.
TEST_F(CliDaemon, APinGivenElsewhereEndsThePrompt) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    startStewardd("{mode: manual, pin_timeout: 60}", {&rdp});
    const auto id = rdp[0].id.toString();
    auto asking = background({"own", id});
    std::size_t from = 0;
    const auto pin = waitForPin(*rdp.process, from, 20s);
    ASSERT_TRUE(pin) << asking->output() << dump();
    const auto given = steward({"pin", id, *pin});
    ASSERT_EQ(given.exitCode, 0) << given.err << dump();
    EXPECT_EQ(given.out, "PIN sent to " + id + "\n");
    EXPECT_EQ(asking->wait(30s), 0) << asking->output() << dump();
    EXPECT_THAT(asking->output(), HasSubstr("the PIN was given elsewhere"));
    EXPECT_THAT(asking->output(), ContainsRegex(id + " \\(randompin\\): owned in"));
}

TEST_F(CliDaemon, WithoutInputTheCliSaysHowToAnswer) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    startStewardd("{mode: manual, pin_timeout: 60}", {&rdp});
    const auto id = rdp[0].id.toString();
    auto closed = std::async(std::launch::async, [&] { return steward({"own", id}, "", 60s); });  // stdin ends at once
    std::size_t from = 0;
    const auto pin = waitForPin(*rdp.process, from, 20s);
    ASSERT_TRUE(pin) << dump();
    std::this_thread::sleep_for(1s);
    ASSERT_EQ(steward({"pin", id, *pin}).exitCode, 0) << dump();
    const auto r = closed.get();
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err << dump();
    EXPECT_THAT(r.err, HasSubstr("answer with `steward pin " + id + " PIN`"));
    EXPECT_THAT(r.out, ContainsRegex(id + " \\(randompin\\): owned in"));
}

// Two terminals own the same device: the second joins the transfer and is asked too (the daemon
// announces the open pairing request again); the first to answer wins, and the other's prompt ends
// with the outcome. Needs stewardd's joined transfers.
TEST_F(CliDaemon, TwoTerminalsAskForOnePinAndTheFirstAnswerWins) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    startStewardd("{mode: manual, pin_timeout: 60}", {&rdp});
    const auto id = rdp[0].id.toString();
    auto first = background({"own", id});
    std::size_t from = 0;
    const auto pin = waitForPin(*rdp.process, from, 20s);
    ASSERT_TRUE(pin) << first->output() << dump();
    auto second = background({"own", id});
    // The daemon announces the open request again for the newcomer.
    const auto announced = [&] {
        int n = 0;
        for (const auto& m : watch->messages()) {
            const auto o = m.topic == "steward/bridge/event" ? parseJsonObject(m.payload) : nullptr;
            if (o && o->optValue<std::string>("type", "") == "pairing_request" &&
                o->getObject("data")->optValue<std::string>("device", "") == id)
                ++n;
        }
        return n;
    };
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (announced() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
    ASSERT_EQ(announced(), 2) << dump();
    std::this_thread::sleep_for(500ms);  // the second CLI reads the event and prompts
    ASSERT_TRUE(second->writeLine(*pin));
    EXPECT_EQ(second->wait(30s), 0) << second->output() << dump();
    EXPECT_EQ(first->wait(30s), 0) << first->output() << dump();
    EXPECT_THAT(first->output(), HasSubstr("the PIN was given elsewhere"));
    EXPECT_THAT(first->output(), ContainsRegex(id + " \\(randompin\\): owned in"));
    EXPECT_THAT(second->output(), ContainsRegex(id + " \\(randompin\\): owned in"));
}

// Local mode: --json keeps stdout a JSON document even when the command fails before it has an
// answer, and the menu (for people) refuses --json instead of ignoring it.
TEST(CliJson, LocalFailuresAreJsonToo) {
    TempDir dir;
    const auto unknown = runProcess(
        STEWARD_CLI_BIN, {"--local", "links", "6b6b6b6b-6b6b-6b6b-6b6b-6b6b6b6b6b01", "--state-dir", (dir / "state").string(), "--json"});
    EXPECT_EQ(unknown.exitCode, 1);
    const auto o = parseJson(unknown.out).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(o->getValue<std::string>("status"), "error");
    EXPECT_THAT(o->getValue<std::string>("error"), HasSubstr("unknown device"));
    const auto menu = runProcess(STEWARD_CLI_BIN, {"--local", "menu", "--unicast", "127.0.0.1:9", "--json"});
    EXPECT_EQ(menu.exitCode, 2);
    EXPECT_EQ(parseJson(menu.out).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("status"), "error");
    const auto pinTimeout = runProcess(STEWARD_CLI_BIN, {"own", "6b6b6b6b-6b6b-6b6b-6b6b-6b6b6b6b6b01", "--pin-timeout", "5"});
    EXPECT_EQ(pinTimeout.exitCode, 2);
    EXPECT_THAT(pinTimeout.err, HasSubstr("--pin-timeout is for --local"));
}

}  // namespace
}  // namespace steward::test
