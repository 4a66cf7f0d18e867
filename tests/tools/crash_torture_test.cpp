// Crash torture of ownership (issue 14): the gateway (`steward --local own`) killed with SIGKILL at
// each step of a Just-Works transfer, then the user simply runs `own` again. Whatever the step,
// the system must converge to one of the two good ends — here always the first, since the retry
// owns it: the device owned by us, in RFNOP, serving its owner; the PDM with no pending row.
#include <gtest/gtest.h>

#include <csignal>
#include <regex>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "steward/model/resource_codec.hpp"
#include "support/free_port.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

class CrashTorture : public ::testing::Test {
protected:
    ProcessResult own(const RunningDevices& device, const std::filesystem::path& state, const std::string& killAt = "",
                      bool verbose = false) {
        std::vector<std::string> args = {STEWARD_CLI_BIN, "--local",     "own",
                                         "--all",         "--unicast",   "127.0.0.1:" + std::to_string(device[0].port),
                                         "--state-dir",   state.string()};
        if (verbose) args.push_back("--verbose");
        if (!killAt.empty()) args.insert(args.begin(), "STEWARD_FAULT_KILL_AT=" + killAt);
        return runProcess(findOnPath("env"), args, "", 60s);
    }

    // The steps of a transfer, in order, as `own --verbose` names them.
    std::vector<std::string> transferSteps() {
        auto device = startDevices({"--svrdb", (dir / "probe.dat").string()});
        const auto r = own(device, dir / "probe-state", "", true);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        std::vector<std::string> steps;
        const std::regex line(R"(^    [0-9a-f-]{36}: (.*) \(\+[0-9.]+ ms\)$)");
        std::istringstream in(r.err);
        for (std::string l; std::getline(in, l);) {
            std::smatch m;
            if (std::regex_match(l, m, line)) steps.push_back(m[1]);
        }
        return steps;
    }

    // The end state both tortures want: recorded owned (no pending row), in normal operation, the
    // light served to the owner over its credential.
    void expectOwnedAndUsable(const std::filesystem::path& state, const RunningDevices& device) {
        const auto devices = runProcess(STEWARD_CLI_BIN, {"--local", "devices", "--json", "--state-dir", state.string()}, "", 30s);
        const auto list = Poco::JSON::Parser().parse(devices.out).extract<Poco::JSON::Array::Ptr>();
        ASSERT_EQ(list->size(), 1u) << devices.out;
        EXPECT_EQ(list->getObject(0)->getValue<std::string>("state"), "owned") << "no pending row left";
        const auto light = asOwner(state, device[0], core::CoapRequest::get("/a/light"));
        ASSERT_TRUE(std::holds_alternative<core::CoapResponse>(light)) << std::get<std::string>(light) << device.process->output();
        EXPECT_EQ(std::get<core::CoapResponse>(light).code, core::CoapCode::Content) << device.process->output();
        const auto pstat = asOwner(state, device[0], core::CoapRequest::get("/oic/sec/pstat"));
        ASSERT_TRUE(std::holds_alternative<core::CoapResponse>(pstat)) << std::get<std::string>(pstat);
        EXPECT_EQ(core::decodePstat(std::get<core::CoapResponse>(pstat).payload).dos.state, core::DosState::Rfnop);
    }

    TempDir dir;
};

TEST_F(CrashTorture, TheGatewayKilledAtEveryStepOfAJustWorksTransferConvergesToOwnedAndUsable) {
    const auto steps = transferSteps();
    ASSERT_GE(steps.size(), 15u) << "the transfer's steps could not be read";
    int index = 0;
    for (const auto& step : steps) {
        SCOPED_TRACE("killed at: " + step);
        const auto state = dir / ("state-" + std::to_string(index));
        // A short ownership-session timeout: a gateway killed in RFOTM leaves a session the device
        // abandons (and resets) after it, as it would after 10 s by default.
        auto device = startDevices({"--svrdb", (dir / ("d-" + std::to_string(index++) + ".dat")).string(), "--ownership-timeout", "1"});
        const auto killed = own(device, state, step);
        ASSERT_EQ(killed.exitCode, 256 + SIGKILL) << "the fault was not reached\n" << killed.err;

        // The user runs it again; a device still holding the dead session refuses until it resets.
        ProcessResult again;
        for (int attempt = 0; attempt < 5; ++attempt) {
            again = own(device, state);
            if (again.exitCode == 0) break;
            std::this_thread::sleep_for(1s);
        }
        ASSERT_EQ(again.exitCode, 0) << again.err << device.process->output();

        expectOwnedAndUsable(state, device);
    }
}

// The device killed on receiving each request of a transfer (the request never applied), then
// started again on the same ports with the same SVR DB, and `own` run again: a device that died in
// RFOTM comes back unowned (its changes were never written) and is owned afresh; one that died
// after leaving RFOTM comes back owned by us and the transfer is finished. Always owned and usable.
TEST_F(CrashTorture, TheDeviceKilledAtEveryRequestOfATransferConvergesToOwnedAndUsable) {
    const std::vector<std::pair<std::string, std::string>> faults = {
        {"POST /oic/sec/doxm", "1"},  {"POST /oic/sec/pstat", "1"},  {"POST /oic/sec/doxm", "2"}, {"POST /oic/sec/doxm", "3"},
        {"POST /oic/sec/acl2", "1"},  {"POST /oic/sec/pstat", "2"},  {"POST /oic/sec/cred", "1"}, {"POST /oic/sec/doxm", "4"},
        {"POST /oic/sec/pstat", "3"}, {"DELETE /oic/sec/acl2", "1"}, {"POST /oic/sec/acl2", "2"}, {"POST /oic/sec/pstat", "4"},
    };
    int index = 0;
    for (const auto& [request, count] : faults) {
        SCOPED_TRACE("device killed at: " + request + " #" + count);
        const auto tag = std::to_string(index++);
        const auto state = dir / ("device-state-" + tag);
        // Same database and ports when it comes back (the PDM knows it there).
        const std::vector<std::string> deviceArgs = {"--svrdb",       (dir / ("k-" + tag + ".dat")).string(),
                                                     "--port",        std::to_string(freeLoopbackUdpPort()),
                                                     "--secure-port", std::to_string(freeLoopbackUdpPort())};
        RunningDevices doomed;
        {
            std::vector<std::string> args = {"STEWARD_FAULT_KILL_AT=" + request,
                                             "STEWARD_FAULT_KILL_COUNT=" + count,
                                             STEWARD_DEVICE_BIN,
                                             "--json",
                                             "--bind",
                                             "127.0.0.1"};
            args.insert(args.end(), deviceArgs.begin(), deviceArgs.end());
            doomed.process = std::make_unique<BackgroundProcess>(findOnPath("env"), args);
            const auto ready = doomed.process->waitForLine([](const std::string& l) { return isEvent(l, "ready"); }, 10s);
            ASSERT_TRUE(ready) << doomed.process->output();
            const auto o = parseEventLine(ready->second);
            doomed.devices.push_back({*core::Uuid::parse(o->getValue<std::string>("uuid")),
                                      static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("port"))),
                                      static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("secure_port")))});
        }
        const auto failed = own(doomed, state);
        EXPECT_NE(failed.exitCode, 0) << failed.err;
        ASSERT_TRUE(doomed.process->wait(10s).has_value()) << "the fault was not reached\n" << doomed.process->output();

        auto device = startDevices(deviceArgs);
        ASSERT_EQ(device[0].id, doomed[0].id);
        ProcessResult again;
        for (int attempt = 0; attempt < 5; ++attempt) {
            again = own(device, state);
            if (again.exitCode == 0) break;
            std::this_thread::sleep_for(1s);
        }
        ASSERT_EQ(again.exitCode, 0) << again.err << device.process->output();
        expectOwnedAndUsable(state, device);
    }
}

}  // namespace
}  // namespace steward::test
