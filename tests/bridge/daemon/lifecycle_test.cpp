// stewardd's lifecycle as a real process (issue 16): a start-up that fails at any step unwinds what
// was up and exits with a clear line and a non-zero code, never a crash or a hang; SIGTERM ends the
// daemon within 10 s whatever is in flight, every request answered; a stop that hangs is ended by
// the stop deadline; a broker that is not running does not stop the start.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "bridge/mqtt/broker_fixture.hpp"
#include "daemon_fixture.hpp"
#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

// stewardd's subsystems in start-up order (what STEWARD_FAULT_FAIL_AT names).
const std::vector<std::string> kSteps = {"configuration", "storage", "plugins", "devices", "mqtt", "idprov", "provisioning", "requests"};
constexpr int kExitSoftware = 70;

class Lifecycle : public ::testing::Test {
protected:
    void SetUp() override {
        std::filesystem::create_directories(dir / "policies.d");
        std::filesystem::copy_file(std::filesystem::path(STEWARD_SOURCE_DIR) / "config" / "policies.d" / "10-lights.yaml",
                                   dir / "policies.d" / "10-lights.yaml");
    }

    std::string config(const std::string& ownership, const std::vector<std::string>& unicast, int mqttPort) const {
        std::string list;
        for (const auto& u : unicast) list += (list.empty() ? "\"" : ", \"") + u + "\"";
        return "state_dir: " + (dir / "state").string() + "\nplugin_dir: " + STEWARD_PLUGIN_DIR +
               "\npolicy_dir: " + (dir / "policies.d").string() + "\nmqtt: {port: " + std::to_string(mqttPort) +
               "}\ndiscovery: {unicast: [" + list + "], interval: 1, timeout_ms: 500}\nownership: " + ownership +
               "\nlogging: {level: debug}\n";
    }

    // stewardd with `environment` set, not waiting for anything.
    std::unique_ptr<BackgroundProcess> launch(const std::string& yaml, const std::vector<std::string>& environment) const {
        const auto file = dir / "steward.yaml";
        std::ofstream(file) << yaml;
        std::vector<std::string> args = environment;
        args.insert(args.end(), {STEWARDD_BIN, "--config", file.string()});
        return std::make_unique<BackgroundProcess>(findOnPath("env"), args);
    }

    static std::size_t lineIndex(const std::vector<std::string>& lines, const std::string& text) {
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (lines[i].find(text) != std::string::npos) return i;
        }
        return lines.size();
    }
    static bool endsWith(const std::string& s, const std::string& tail) {
        return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
    }

    TempDir dir;
    MosquittoBroker broker;
};

// One real stewardd per step, failing there: the line names the step and why, everything started
// before it (and the step itself) is stopped in reverse order, nothing after it is started, the
// exit code is EXIT_SOFTWARE, within a few seconds, and the broker is not left with "online".
TEST_F(Lifecycle, AStartUpFailureAtAnyStepUnwindsWhatWasUpAndExitsCleanly) {
    for (std::size_t failing = 0; failing < kSteps.size(); ++failing) {
        const auto& step = kSteps[failing];
        SCOPED_TRACE("STEWARD_FAULT_FAIL_AT=" + step);
        Observer watch(broker.port());
        const auto began = std::chrono::steady_clock::now();
        auto daemon = launch(config("{mode: manual}", {}, broker.port()), {"STEWARD_FAULT_FAIL_AT=" + step});
        const auto status = daemon->wait(20s);
        const auto took = std::chrono::steady_clock::now() - began;
        ASSERT_TRUE(status) << "no exit within 20 s\n" << daemon->output();
        EXPECT_EQ(*status, kExitSoftware) << daemon->output();
        EXPECT_LT(took, 10s) << daemon->output();
        const auto out = daemon->output();
        EXPECT_THAT(out, HasSubstr("start-up failed at " + step + ": fault injected at " + step + " (STEWARD_FAULT_FAIL_AT)"));
        EXPECT_THAT(out, Not(HasSubstr("stewardd ready")));
        if (step == "configuration") continue;  // the logger is not set up yet: that one line, on stderr

        // "starting X" for the steps up to the failing one, none after; then "X stopped" from the
        // failing one back to the first, in that order.
        const auto lines = daemon->lines();
        for (std::size_t i = 1; i < kSteps.size(); ++i) {  // "starting configuration" comes before the logger
            const bool started = lineIndex(lines, "starting " + kSteps[i]) < lines.size();
            EXPECT_EQ(started, i <= failing) << kSteps[i] << "\n" << out;
        }
        std::size_t previous = 0;
        for (std::size_t i = failing + 1; i-- > 0;) {
            std::size_t at = lines.size();
            for (std::size_t l = 0; l < lines.size(); ++l) {
                if (endsWith(lines[l], " " + kSteps[i] + " stopped")) at = l;
            }
            ASSERT_LT(at, lines.size()) << kSteps[i] << " not stopped\n" << out;
            EXPECT_GE(at, previous) << kSteps[i] << " stopped out of order\n" << out;
            previous = at;
        }
        EXPECT_THAT(out, HasSubstr("stewardd stopped after a failed start-up (exit 70)"));
        // Whatever the MQTT step said, the daemon's state on the broker is not left "online".
        std::this_thread::sleep_for(200ms);
        const auto state = watch.latest("steward/bridge/state");
        if (state) {
            EXPECT_EQ(state->getValue<std::string>("state"), "offline") << watch.dump();
        }
    }
}

// The configuration's own errors keep their form and exit code (78), not the step's.
TEST_F(Lifecycle, AConfigurationErrorStillExitsWithItsPositionAndExitConfig) {
    auto daemon = launch("mqtt:\n  port: 1883\n  hots: 127.0.0.1\n", {});
    const auto status = daemon->wait(10s);
    ASSERT_TRUE(status) << daemon->output();
    EXPECT_EQ(*status, 78);
    EXPECT_THAT(daemon->output(), HasSubstr("steward.yaml:3:3: mqtt.hots: unknown key"));
    EXPECT_THAT(daemon->output(), Not(HasSubstr("start-up failed")));
}

// MQTT queues while the broker is away: the daemon starts, and says online once the broker comes.
TEST_F(Lifecycle, ABrokerThatIsNotRunningDoesNotStopTheStart) {
    broker.stop();
    auto daemon = startDaemon(dir.path(), config("{mode: manual}", {}, broker.port()));  // throws unless "stewardd ready"
    broker.start();
    Observer watch(broker.port());
    EXPECT_TRUE(watch.waitOnline(30s)) << daemon->output();
    const auto info = watch.request("info", "{}");
    ASSERT_TRUE(info) << watch.dump();
    EXPECT_EQ(info->getValue<std::string>("status"), "ok");
    const auto began = std::chrono::steady_clock::now();
    EXPECT_EQ(daemon->stop(15s), 0) << daemon->output();
    EXPECT_LT(std::chrono::steady_clock::now() - began, 10s);
}

// SIGTERM with a device operation in flight against a device that does not answer (SIGSTOPped),
// a transfer waiting for its Random PIN, and requests queued behind: the daemon exits within 10 s,
// and every request sent got an error response with its transaction: the queued ones as cancelled
// ("shutting down"), the pairing request's transfer failed as cancelled, the one in flight with how
// it ended (the stop waits for it, within the deadline), and the broker is told "offline".
TEST_F(Lifecycle, SigtermEndsWithinTenSecondsAndAnswersEveryRequest) {
    auto jw = startDevices({"--svrdb", (dir / "jw.dat").string(), "--name", "Kitchen light"});
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin", "--name", "Hall light"});
    Observer watch(broker.port());
    const auto at = [](const RunningDevices& d) { return "127.0.0.1:" + std::to_string(d[0].port); };
    auto daemon = startDaemon(dir.path(), config("{mode: manual, pin_timeout: 60}", {at(jw), at(rdp)}, broker.port()));
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    const auto forDevice = [](const RunningDevices& d) {
        return [id = d[0].id.toString()](const Poco::JSON::Object::Ptr& e) { return e->optValue<std::string>("device", "") == id; };
    };
    for (const auto* d : {&jw, &rdp}) {
        ASSERT_TRUE(watch.waitForEvent("device_discovered", forDevice(*d), 15s)) << watch.dump() << daemon->output();
    }
    const std::string jwId = jw[0].id.toString();
    const auto owned = watch.request("own", "{\"device\":\"" + jwId + "\"}", 30s);
    ASSERT_TRUE(owned && owned->getValue<std::string>("status") == "ok") << watch.dump() << daemon->output();
    ASSERT_TRUE(watch.waitForEvent("device_provisioned", forDevice(jw), 20s)) << watch.dump() << daemon->output();

    // The owned device stops answering.
    ASSERT_EQ(::kill(jw.process->pid(), SIGSTOP), 0);
    struct Continue {
        pid_t pid;
        ~Continue() { ::kill(pid, SIGCONT); }
    } resume{jw.process->pid()};

    std::map<int, std::string> sent;  // transaction -> action
    int next = 7000;
    const auto send = [&](const std::string& action, const std::string& fields) {
        const int transaction = next++;
        sent[transaction] = action;
        watch.publishRaw(action, "{" + fields + (fields.empty() ? "" : ",") + "\"transaction\":" + std::to_string(transaction) + "}");
        return transaction;
    };
    const int pairing = send("own", "\"device\":\"" + rdp[0].id.toString() + "\"");
    ASSERT_TRUE(watch.waitForEvent("pairing_request", forDevice(rdp), 15s)) << watch.dump() << daemon->output();
    const std::string acl = "\"device\":\"" + jwId + R"(","subject":"conntype:anon-clear","resources":["/a/light"],"permission":"R")";
    const int inFlight = send("acl", acl);
    std::this_thread::sleep_for(500ms);  // on the worker now, waiting for the device
    std::vector<int> queued = {send("acl", acl), send("cert", "\"device\":\"" + jwId + "\""), send("sync", ""), send("discover", "")};
    std::this_thread::sleep_for(300ms);  // handed to the router

    const auto began = std::chrono::steady_clock::now();
    const int status = daemon->stop(15s);
    const auto took = std::chrono::steady_clock::now() - began;
    EXPECT_LT(took, 10s) << daemon->output();
    // The orderly stop: the job in progress ended by itself (its 5 s session timeout) within the
    // stop deadline.
    EXPECT_EQ(status, 0) << daemon->output();

    // Every request answered, with its transaction.
    std::map<int, Poco::JSON::Object::Ptr> answers;
    ASSERT_TRUE(watch.waitFor(
        [&](const bridge::MqttMessage& m) {
            if (m.topic.rfind("steward/bridge/response/", 0) == 0) {
                const auto o = parseJsonObject(m.payload);
                if (o && o->has("transaction")) {
                    const int t = o->getValue<int>("transaction");
                    if (sent.count(t) && m.topic == "steward/bridge/response/" + sent[t]) answers[t] = o;
                }
            }
            return answers.size() == sent.size();
        },
        10s))
        << answers.size() << " of " << sent.size() << " answered\n"
        << watch.dump() << daemon->output();
    for (const auto& [transaction, answer] : answers) {
        SCOPED_TRACE(sent[transaction] + " #" + std::to_string(transaction));
        EXPECT_EQ(answer->getValue<std::string>("status"), "error");
        const auto error = answer->optValue<std::string>("error", "");
        if (transaction == inFlight) {
            // It was running, not queued: it ends as it would have (the device is unreachable).
            EXPECT_FALSE(error.empty());
            EXPECT_THAT(error, Not(HasSubstr("shutting down")));
        } else if (transaction == pairing) {
            // Onboarding words the response by the step ("PIN: ..."); the event says why.
            EXPECT_FALSE(error.empty());
        } else {
            EXPECT_THAT(error, AnyOf(HasSubstr("shutting down"), HasSubstr("cancelled"))) << error;
        }
    }
    EXPECT_TRUE(answers.count(pairing));
    const auto failed = watch.waitForEvent("ownership_failed", forDevice(rdp), 1s);
    ASSERT_TRUE(failed) << watch.dump();
    EXPECT_EQ(failed->optValue<std::string>("reason", ""), "cancelled");
    for (int t : queued) EXPECT_TRUE(answers.count(t));
    EXPECT_THAT(daemon->output(), HasSubstr("stopping: finishing the operation in progress"));
    // The broker's last word about the gateway is "offline".
    ASSERT_TRUE(watch.waitFor(
        [](const bridge::MqttMessage& m) { return m.topic == "steward/bridge/state" && m.payload.find("offline") != std::string::npos; },
        10s));
}

// A stop that hangs (here the provisioning subsystem's, as a device operation that never ends
// would) is ended by the stop deadline: the process exits (70) within 10 s of SIGTERM, naming what
// was still running; the broker marks the gateway offline by its last will.
TEST_F(Lifecycle, AStopThatHangsIsEndedByTheDeadlineNamingWhatStillRuns) {
    Observer watch(broker.port());
    const auto yaml = config("{mode: manual}", {}, broker.port());
    auto daemon = startDaemon(dir.path(), yaml, {"STEWARD_FAULT_HANG_AT=stop provisioning"});
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    const auto began = std::chrono::steady_clock::now();
    const int status = daemon->stop(15s);
    const auto took = std::chrono::steady_clock::now() - began;
    EXPECT_EQ(status, kExitSoftware) << daemon->output();
    EXPECT_LT(took, 10s) << daemon->output();
    EXPECT_GE(took, 7s) << daemon->output();
    EXPECT_THAT(daemon->output(), HasSubstr("stop deadline (8 s) passed; still running: provisioning (stopping), idprov, mqtt, devices, "
                                            "plugins, storage, configuration; ending the process now (exit 70)"));
    EXPECT_THAT(daemon->output(), Not(HasSubstr("stewardd stopped")));
    ASSERT_TRUE(watch.waitFor(
        [](const bridge::MqttMessage& m) { return m.topic == "steward/bridge/state" && m.payload.find("offline") != std::string::npos; },
        40s))
        << watch.dump();
}

}  // namespace
}  // namespace steward::test
