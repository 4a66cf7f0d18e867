// `steward own` end to end: real devices, the real plugins, the gateway's state on disk.
#include <gtest/gtest.h>
#include <signal.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/onboarding/ownership_transfer.hpp"
#include "steward/pdm/sqlite_pdm.hpp"
#include "steward/svr/svr_database.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> unicastArgs(const RunningDevices& running) {
    std::vector<std::string> out;
    for (const auto& d : running.devices) {
        out.push_back("--unicast");
        out.push_back("127.0.0.1:" + std::to_string(d.port));
    }
    return out;
}

Poco::JSON::Array::Ptr parseArray(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>(); }

class CliOwn : public ::testing::Test {
protected:
    ProcessResult steward(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), {"--local"});
        args.push_back("--state-dir");
        args.push_back((dir / "state").string());
        return runProcess(STEWARD_CLI_BIN, args, input, 60s);
    }
    TempDir dir;
};

TEST_F(CliOwn, OwnsAJustWorksAndARandomPinDeviceAndRemembersThem) {
    auto jw = startDevices({"--svrdb", (dir / "jw.dat").string(), "--name", "Porch light"});
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    // The PIN the device prints is what the user types: feed it through stdin once it is shown.
    std::thread typist;
    std::string pin;
    auto args = unicastArgs(jw);
    for (auto& a : unicastArgs(rdp)) args.push_back(a);
    std::vector<std::string> own = {"own", "--all", "--json"};
    own.insert(own.end(), args.begin(), args.end());

    // Start the CLI with a pipe we can write the PIN into after the device shows it.
    BackgroundProcess cli(STEWARD_CLI_BIN, [&] {
        std::vector<std::string> a = {"--local"};
        a.insert(a.end(), own.begin(), own.end());
        a.push_back("--state-dir");
        a.push_back((dir / "state").string());
        return a;
    }());
    std::size_t from = 0;
    const auto shown = waitForPin(*rdp.process, from, 20s);
    ASSERT_TRUE(shown) << rdp.process->output() << cli.output();
    ASSERT_TRUE(cli.writeLine(*shown));
    EXPECT_EQ(cli.wait(30s), 0) << cli.output();

    const auto devices = steward({"devices", "--json"});
    ASSERT_EQ(devices.exitCode, 0) << devices.err;
    const auto list = parseArray(devices.out);
    ASSERT_EQ(list->size(), 2U) << devices.out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto d = list->getObject(static_cast<unsigned>(i));
        EXPECT_EQ(d->getValue<std::string>("state"), "owned");
        EXPECT_TRUE(d->getValue<bool>("owner_credential"));
    }
    // Both devices now report our gateway as their owner, over its owner credential (an owned
    // device no longer answers anonymous doxm reads: a stateless discover finds neither).
    std::vector<std::string> discover = {"discover", "--scope", "owned", "--json"};
    discover.insert(discover.end(), args.begin(), args.end());
    const auto anonymous = runProcess(STEWARD_CLI_BIN, discover, "", 30s);
    EXPECT_EQ(parseArray(anonymous.out)->size(), 0U) << anonymous.out << anonymous.err;
    const auto owned = steward(discover);
    const auto found = parseArray(owned.out);
    ASSERT_EQ(found->size(), 2U) << owned.out << owned.err;
    for (std::size_t i = 0; i < found->size(); ++i) EXPECT_TRUE(found->getObject(static_cast<unsigned>(i))->getValue<bool>("owned"));
}

}  // namespace
}  // namespace steward::test

namespace steward::test {
namespace {

class CliOwnFailures : public CliOwn {
protected:
    ProcessResult own(const RunningDevices& running, std::vector<std::string> extra, const std::string& input = "",
                      const std::string& killAt = "") {
        std::vector<std::string> args = {"own", "--all", "--json"};
        for (auto& a : unicastArgs(running)) args.push_back(a);
        args.insert(args.end(), extra.begin(), extra.end());
        if (killAt.empty()) return steward(args, input);
        // Fault injection: the CLI kills itself (SIGKILL, no cleanup) when it reaches the step.
        std::vector<std::string> env = {"env", "STEWARD_FAULT_KILL_AT=" + killAt, STEWARD_CLI_BIN, "--local"};
        env.insert(env.end(), args.begin(), args.end());
        env.push_back("--state-dir");
        env.push_back((dir / "state").string());
        return runProcess(findOnPath("env"), {env.begin() + 1, env.end()}, input, 60s);
    }
    Poco::JSON::Array::Ptr pdmDevices() {
        const auto r = steward({"devices", "--json"});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return parseArray(r.out);
    }
};

TEST_F(CliOwnFailures, WrongPinFailsCleanlyAndLeavesNothing) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    const auto r = own(rdp, {"--pin-timeout", "5"}, "00000000\n");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("FAILED at DTLS handshake"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("wrong PIN?"), std::string::npos) << r.err;
    EXPECT_EQ(pdmDevices()->size(), 0U);
}

TEST_F(CliOwnFailures, NoPinInTimeFailsThatDeviceOnly) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    auto jw = startDevices({"--svrdb", (dir / "jw.dat").string()});
    std::vector<std::string> extra = {"--pin-timeout", "1"};
    for (auto& a : unicastArgs(jw)) extra.push_back(a);
    const auto r = own(rdp, extra);  // stdin closed at once: no PIN
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("no PIN was entered in time"), std::string::npos) << r.err;
    const auto list = pdmDevices();
    ASSERT_EQ(list->size(), 1U);  // the Just-Works device was owned all the same
    EXPECT_EQ(list->getObject(0)->getValue<std::string>("uuid"), jw[0].id.toString());
}

TEST_F(CliOwnFailures, GatewayKilledBeforeTheDeviceLeftRfotmLeavesItReownable) {
    auto running = startDevices({"--svrdb", (dir / "d.dat").string(), "--ownership-timeout", "1"});
    const auto killed = own(running, {}, "", "POST /oic/sec/doxm {owned:true}");
    EXPECT_EQ(killed.exitCode, 256 + SIGKILL) << killed.err;
    // The credential was stored and the row is pending: the device holds no owner key yet.
    auto list = pdmDevices();
    ASSERT_EQ(list->size(), 1U);
    EXPECT_EQ(list->getObject(0)->getValue<std::string>("state"), "pending");
    // The device gives up the silent session and resets; the next run settles the row and owns it.
    ASSERT_TRUE(running.process->waitForLine([](const std::string& l) { return l.find("went silent") != std::string::npos; }, 10s));
    const auto again = own(running, {});
    EXPECT_EQ(again.exitCode, 0) << again.err;
    EXPECT_NE(again.err.find("interrupted transfer: removed"), std::string::npos) << again.err;
    list = pdmDevices();
    ASSERT_EQ(list->size(), 1U);
    EXPECT_EQ(list->getObject(0)->getValue<std::string>("state"), "owned");
}

// Killed after the device left RFOTM (it is owned by us, with our key) but before the ACL and
// RFNOP steps: the next run finishes those steps over the owner credential (issue 14.1), so the
// device ends in normal operation serving its owner, not owned-but-unusable in RFPRO.
TEST_F(CliOwnFailures, GatewayKilledAfterTheDeviceLeftRfotmFinishesTheTransferNextTime) {
    for (const std::string step : {"DELETE /oic/sec/acl2", "POST /oic/sec/acl2 {gateway ACEs}", "POST /oic/sec/pstat {dos:RFNOP}"}) {
        SCOPED_TRACE(step);
        std::filesystem::remove_all(dir / "state");
        auto running = startDevices({"--svrdb", (dir / ("d" + std::to_string(step.size()) + ".dat")).string()});
        const auto killed = own(running, {}, "", step);
        EXPECT_EQ(killed.exitCode, 256 + SIGKILL) << killed.err;
        const auto again = own(running, {});
        EXPECT_NE(again.err.find("interrupted transfer: owned (the interrupted transfer was finished"), std::string::npos) << again.err;
        const auto list = pdmDevices();
        ASSERT_EQ(list->size(), 1U);
        EXPECT_EQ(list->getObject(0)->getValue<std::string>("state"), "owned");
        EXPECT_TRUE(list->getObject(0)->getValue<bool>("owner_credential"));
        EXPECT_TRUE(running.process->waitForLine([](const std::string& l) { return l.find("-> RFNOP") != std::string::npos; }, 5s))
            << running.process->output();

        // The owner reaches the light: the gateway's ACE is there and the device serves requests.
        const auto light = asOwner(dir / "state", running[0], core::CoapRequest::get("/a/light"));
        ASSERT_TRUE(std::holds_alternative<core::CoapResponse>(light)) << std::get<std::string>(light);
        EXPECT_EQ(std::get<core::CoapResponse>(light).code, core::CoapCode::Content) << running.process->output();
    }
}

TEST_F(CliOwnFailures, UsageErrors) {
    EXPECT_EQ(steward({"own"}).exitCode, 2);  // neither UUIDs nor --all
    EXPECT_EQ(steward({"own", "--all", "--unicast", "127.0.0.1:5683", "--method", "magic"}).exitCode, 2);
    EXPECT_EQ(steward({"own", "--all"}).exitCode, 2);  // nowhere to look
    EXPECT_EQ(steward({"own", "not-a-uuid", "--unicast", "127.0.0.1:5683"}).exitCode, 2);
}

}  // namespace
}  // namespace steward::test

namespace steward::test {
namespace {

// A device that answers with the UUID of a device this gateway owns (a clone, or an impostor) is
// never owned in its place: the PDM record, the owner credential and the real device stay as they
// were, whether the real device answers at its recorded address or not.
TEST_F(CliOwnFailures, AnImpostorWithTheUuidOfAnOwnedDeviceIsRefused) {
    auto real = startDevices({"--svrdb", (dir / "real.dat").string(), "--uuid-seed", "kitchen-light-01"});
    const auto owned = own(real, {});
    ASSERT_EQ(owned.exitCode, 0) << owned.err;
    const auto before = pdmDevices();
    ASSERT_EQ(before->size(), 1U);
    const auto record = before->getObject(0);
    const auto id = record->getValue<std::string>("uuid");

    // Same seed, same UUID: unowned, and answering doxm?owned=FALSE as `id` from its own address.
    auto impostor = startDevices({"--svrdb", (dir / "impostor.dat").string(), "--uuid-seed", "kitchen-light-01"});
    ASSERT_EQ(impostor[0].id.toString(), id);
    const auto refused = own(impostor, {});
    EXPECT_EQ(refused.exitCode, 1) << refused.err;
    EXPECT_NE(refused.err.find("already owned by this gateway"), std::string::npos) << refused.err;

    // With the real device silent, still refused: the gateway cannot tell a reset from a forgery.
    real.process->stop();
    const auto silent = own(impostor, {});
    EXPECT_EQ(silent.exitCode, 1) << silent.err;
    EXPECT_NE(silent.err.find("does not answer at"), std::string::npos) << silent.err;
    EXPECT_NE(silent.err.find("steward remove " + id), std::string::npos) << silent.err;

    // Nothing of ours changed, and the impostor was not touched (still unowned, never selected).
    const auto after = pdmDevices();
    ASSERT_EQ(after->size(), 1U);
    EXPECT_EQ(after->getObject(0)->getValue<int>("secure_port"), record->getValue<int>("secure_port"));
    EXPECT_EQ(after->getObject(0)->getValue<std::string>("state"), "owned");
    EXPECT_TRUE(after->getObject(0)->getValue<bool>("owner_credential"));
    impostor.process->stop();
    const auto impostorSvr = core::SvrDatabase::open(dir / "impostor.dat", core::SvrAccess::ReadOnly).resources();
    EXPECT_FALSE(impostorSvr.doxm.owned);
    EXPECT_TRUE(impostorSvr.doxm.devowneruuid.isNil());

    // The real device, back, still answers our owner credential.
    auto back = startDevices({"--svrdb", (dir / "real.dat").string(), "--port", std::to_string(record->getValue<int>("port")),
                              "--secure-port", std::to_string(record->getValue<int>("secure_port"))});
    const auto acl = steward({"acl", id, "--subject", "conntype:anon-clear", "--resource", "/oic/p", "--perm", "R", "--json"});
    EXPECT_EQ(acl.exitCode, 0) << acl.out << acl.err;
}

}  // namespace
}  // namespace steward::test
