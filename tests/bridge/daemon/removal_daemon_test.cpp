// Removal sticks (issue 16.5): a device removed through stewardd comes back reset and unowned, and
// is then blocked: permit-join and automatic mode leave it alone, after a restart too, until it is
// admitted (request/admit, `steward admit`). The remove response and the device_removed event say
// the same thing. A real mosquitto, real steward-device processes and the real plugins.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <filesystem>
#include <thread>

#include "bridge/mqtt/broker_fixture.hpp"
#include "daemon_fixture.hpp"
#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class StewarddRemoval : public ::testing::Test {
protected:
    void SetUp() override { std::filesystem::create_directories(dir / "policies.d"); }

    // Discovery every second: "two discovery intervals" are two seconds.
    std::string config(const std::string& ownership, const std::string& device) const {
        return "state_dir: " + (dir / "state").string() + "\nplugin_dir: " + STEWARD_PLUGIN_DIR +
               "\npolicy_dir: " + (dir / "policies.d").string() + "\nmqtt: {port: " + std::to_string(broker.port()) +
               "}\ndiscovery: {unicast: [\"" + device + "\"], interval: 1, timeout_ms: 500}\nownership: " + ownership +
               "\nlogging: {level: debug}\n";
    }
    static std::string at(const RunningDevices& d) { return "127.0.0.1:" + std::to_string(d[0].port); }
    static bool ok(const Poco::JSON::Object::Ptr& response) { return response && response->optValue<std::string>("status", "") == "ok"; }
    std::string brokerAt() const { return "127.0.0.1:" + std::to_string(broker.port()); }

    // How many events of `type` name `device`.
    static int events(const Observer& watch, const std::string& type, const core::Uuid& device) {
        int n = 0;
        for (const auto& m : watch.messages()) {
            const auto o = m.topic == "steward/bridge/event" ? parseJsonObject(m.payload) : nullptr;
            if (o && o->optValue<std::string>("type", "") == type &&
                o->getObject("data")->optValue<std::string>("device", "") == device.toString())
                ++n;
        }
        return n;
    }
    static bool waitForCount(const Observer& watch, const std::string& type, const core::Uuid& device, int count,
                             std::chrono::seconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (events(watch, type, device) < count) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            std::this_thread::sleep_for(100ms);
        }
        return true;
    }
    // Waits until the device's retained state is `state` in a message after the first `from` ones.
    static bool waitForState(Observer& watch, const core::Uuid& device, const std::string& state, std::chrono::seconds timeout,
                             std::size_t from = 0) {
        const auto topic = "steward/devices/" + device.toString();
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto all = watch.messages();
            for (std::size_t i = from; i < all.size(); ++i) {
                const auto o = all[i].topic == topic ? parseJsonObject(all[i].payload) : nullptr;
                if (o && o->optValue<std::string>("state", "") == state) return true;
            }
            if (std::chrono::steady_clock::now() >= deadline) return false;
            std::this_thread::sleep_for(100ms);
        }
    }
    static std::string stateOf(const Observer& watch, const core::Uuid& device) {
        const auto o = watch.latest("steward/devices/" + device.toString());
        return o ? o->optValue<std::string>("state", "") : "";
    }
    static std::vector<std::string> strings(const Poco::JSON::Array::Ptr& a) {
        std::vector<std::string> out;
        if (a) {
            for (const auto& v : *a) out.push_back(v.toString());
        }
        return out;
    }

    TempDir dir;
    MosquittoBroker broker;
};

TEST_F(StewarddRemoval, ARemovedDeviceIsNotOwnedAgainInAnOpenWindowUntilAdmitted) {
    auto light = startDevices({"--svrdb", (dir / "light.dat").string(), "--name", "Porch light"});
    const auto id = light[0].id;
    Observer watch(broker.port());
    // Just-Works allowed for more than one device per window: only the block can keep it unowned.
    auto daemon = startDaemon(dir.path(), config("{mode: permit_join, allow_justworks: true, justworks_per_window: 5}", at(light)));
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    ASSERT_TRUE(ok(watch.request("permit_join", R"({"time": 600})")));
    ASSERT_TRUE(waitForCount(watch, "device_owned", id, 1, 20s)) << watch.dump() << daemon->output();

    const auto removed = watch.request("remove", "{\"device\":\"" + id.toString() + "\"}", 30s);
    ASSERT_TRUE(ok(removed)) << watch.dump() << daemon->output();
    const auto data = removed->getObject("data");
    EXPECT_EQ(data->getValue<std::string>("device"), id.toString());
    EXPECT_EQ(data->getValue<std::string>("action"), "remove");
    EXPECT_EQ(data->getValue<std::string>("reset"), "reset");  // it answered: reset now, nothing pending
    EXPECT_TRUE(data->getValue<bool>("blocked"));
    EXPECT_TRUE(strings(data->getArray("revocation_pending")).empty());
    EXPECT_TRUE(strings(data->getArray("deferred")).empty());
    const auto event = watch.waitForEvent(
        "device_removed", [&](const Poco::JSON::Object::Ptr& e) { return e->optValue<std::string>("device", "") == id.toString(); }, 5s);
    ASSERT_TRUE(event) << watch.dump();
    for (const char* key : {"action", "reset"}) EXPECT_EQ(event->getValue<std::string>(key), data->getValue<std::string>(key)) << key;
    EXPECT_EQ(event->getValue<bool>("blocked"), data->getValue<bool>("blocked"));
    for (const char* key : {"revoked_on", "revocation_pending", "done", "deferred"}) {
        EXPECT_EQ(strings(event->getArray(key)), strings(data->getArray(key))) << key;
    }

    // The device resets itself and answers discovery unowned again: seen, and blocked.
    ASSERT_TRUE(waitForState(watch, id, "blocked", 15s)) << watch.dump() << daemon->output();
    const auto retained = watch.latest("steward/devices/" + id.toString());
    ASSERT_TRUE(retained->has("blocked"));
    EXPECT_EQ(retained->getObject("blocked")->getValue<std::string>("reason"), "removed");
    // At least two discovery rounds in the open window: not owned again, still blocked.
    ASSERT_GT(watch.request("info", "{}")->getObject("data")->getObject("config")->getValue<int>("permit_join_remaining"), 60);
    std::this_thread::sleep_for(3s);
    EXPECT_EQ(events(watch, "device_owned", id), 1) << watch.dump();
    EXPECT_EQ(events(watch, "pairing_request", id), 0);
    EXPECT_EQ(stateOf(watch, id), "blocked");
    EXPECT_THAT(daemon->output(), HasSubstr("not owned until admitted"));
    const auto devices = watch.request("devices", "{}");
    ASSERT_TRUE(ok(devices));
    ASSERT_EQ(devices->getArray("data")->size(), 1u);
    EXPECT_EQ(devices->getArray("data")->getObject(0)->getValue<std::string>("state"), "blocked");

    // Admitted: owned again in the same window.
    const auto admitted = watch.request("admit", "{\"device\":\"" + id.toString() + "\"}");
    ASSERT_TRUE(ok(admitted)) << watch.dump();
    EXPECT_TRUE(watch.waitForEvent(
        "device_admitted", [&](const Poco::JSON::Object::Ptr& e) { return e->optValue<std::string>("device", "") == id.toString(); }, 5s));
    ASSERT_TRUE(waitForCount(watch, "device_owned", id, 2, 20s)) << watch.dump() << daemon->output();
    EXPECT_TRUE(waitForState(watch, id, "owned", 5s) || stateOf(watch, id) == "provisioned");
    // Admitting a device that is not blocked is an error.
    const auto again = watch.request("admit", "{\"device\":\"" + id.toString() + "\"}");
    ASSERT_TRUE(again);
    EXPECT_THAT(again->optValue<std::string>("error", ""), HasSubstr("is not blocked"));

    // reset (without removal) blocks nothing: the device is owned again in the open window.
    const auto reset = watch.request("reset", "{\"device\":\"" + id.toString() + "\"}", 30s);
    ASSERT_TRUE(ok(reset)) << watch.dump();
    EXPECT_EQ(reset->getObject("data")->getValue<std::string>("reset"), "reset");
    EXPECT_FALSE(reset->getObject("data")->getValue<bool>("blocked"));
    EXPECT_TRUE(waitForCount(watch, "device_owned", id, 3, 20s)) << watch.dump() << daemon->output();
}

// The block lives in the PDM: a restart of stewardd (automatic mode here) keeps it; `steward
// remove` and `steward admit` drive it through the daemon; an explicit own also admits.
TEST_F(StewarddRemoval, TheBlockSurvivesARestartAndTheCliAdmitsTheDevice) {
    auto light = startDevices({"--svrdb", (dir / "light.dat").string(), "--name", "Hall light"});
    const auto id = light[0].id;
    const auto yaml = config("{mode: automatic, allow_justworks: true}", at(light));
    {
        Observer watch(broker.port());
        auto daemon = startDaemon(dir.path(), yaml);
        ASSERT_TRUE(watch.waitOnline()) << daemon->output();
        ASSERT_TRUE(waitForCount(watch, "device_owned", id, 1, 20s)) << watch.dump() << daemon->output();
        const auto removed = runProcess(STEWARD_CLI_BIN, {"remove", id.toString(), "--broker", brokerAt()}, "", 60s);
        ASSERT_EQ(removed.exitCode, 0) << removed.out << removed.err << daemon->output();
        EXPECT_THAT(removed.out, HasSubstr("blocked"));
        EXPECT_THAT(removed.out, HasSubstr("steward admit " + id.toString()));
        ASSERT_TRUE(waitForState(watch, id, "blocked", 15s)) << watch.dump() << daemon->output();
        EXPECT_EQ(daemon->stop(15s), 0) << daemon->output();
    }

    Observer watch(broker.port());
    auto daemon = startDaemon(dir.path(), yaml);
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    // Listed as blocked from the start, and once seen again too.
    const auto devices = watch.request("devices", "{}");
    ASSERT_TRUE(ok(devices));
    ASSERT_EQ(devices->getArray("data")->size(), 1u);
    EXPECT_EQ(devices->getArray("data")->getObject(0)->getValue<std::string>("state"), "blocked");
    ASSERT_TRUE(daemon->waitForLine(
        [&](const std::string& l) { return l.find(id.toString() + " seen, unowned; blocked") != std::string::npos; }, 10s))
        << daemon->output();
    std::this_thread::sleep_for(3s);
    EXPECT_EQ(events(watch, "device_owned", id), 0) << watch.dump();
    EXPECT_EQ(stateOf(watch, id), "blocked");

    const auto admitted = runProcess(STEWARD_CLI_BIN, {"admit", id.toString(), "--broker", brokerAt()}, "", 30s);
    ASSERT_EQ(admitted.exitCode, 0) << admitted.out << admitted.err;
    ASSERT_TRUE(waitForCount(watch, "device_owned", id, 1, 20s)) << watch.dump() << daemon->output();

    // Removed and blocked again; this time an explicit own admits it.
    const auto before = watch.messages().size();
    ASSERT_TRUE(ok(watch.request("remove", "{\"device\":\"" + id.toString() + "\"}", 30s)));
    ASSERT_TRUE(waitForState(watch, id, "blocked", 15s, before)) << watch.dump() << daemon->output();
    const auto owned = watch.request("own", "{\"device\":\"" + id.toString() + "\"}", 30s);
    ASSERT_TRUE(ok(owned)) << watch.dump() << daemon->output();
    EXPECT_EQ(events(watch, "device_owned", id), 2);
    EXPECT_THAT(daemon->output(), HasSubstr(id.toString() + " admitted by an explicit ownership request"));
    // (Through the CLI: the observer cannot tell its own admit response from the CLI's earlier one.)
    const auto notBlocked = runProcess(STEWARD_CLI_BIN, {"admit", id.toString(), "--broker", brokerAt()}, "", 30s);
    EXPECT_EQ(notBlocked.exitCode, 1);
    EXPECT_THAT(notBlocked.err, HasSubstr("is not blocked"));
}

// What was revoked where, and whether the reset happened or is owed: the same in the response and
// the event, also when a peer or the device itself cannot be reached.
TEST_F(StewarddRemoval, TheRemoveReportNamesWhatWasRevokedWhereAndWhatIsPending) {
    auto kitchen = startDevices({"--svrdb", (dir / "kitchen.dat").string(), "--name", "Kitchen light"});
    auto hall = startDevices({"--svrdb", (dir / "hall.dat").string(), "--name", "Hall light"});
    auto cellar = startDevices({"--svrdb", (dir / "cellar.dat").string(), "--name", "Cellar light"});
    const auto k = kitchen[0].id, h = hall[0].id, c = cellar[0].id;
    Observer watch(broker.port());
    auto yaml = config("{mode: automatic, allow_justworks: true, justworks_per_window: 3}", at(kitchen));
    const auto unicast = "[\"" + at(kitchen) + "\", \"" + at(hall) + "\", \"" + at(cellar) + "\"]";
    yaml.replace(yaml.find("[\"" + at(kitchen) + "\"]"), at(kitchen).size() + 4, unicast);
    auto daemon = startDaemon(dir.path(), yaml);
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    for (const auto& id : {k, h, c}) ASSERT_TRUE(waitForCount(watch, "device_owned", id, 1, 20s)) << watch.dump() << daemon->output();
    const auto pair = [&](const core::Uuid& a, const core::Uuid& b) {
        return ok(watch.request("pair", "{\"a\":\"" + a.toString() + "\",\"b\":\"" + b.toString() + "\"}", 30s));
    };
    ASSERT_TRUE(pair(k, h)) << watch.dump();
    ASSERT_TRUE(pair(k, c)) << watch.dump();
    cellar.process->stop();  // the cellar light is away

    const auto removeAndCompare = [&](const core::Uuid& id) -> Poco::JSON::Object::Ptr {
        const auto response = watch.request("remove", "{\"device\":\"" + id.toString() + "\"}", 60s);
        if (!ok(response)) {
            ADD_FAILURE() << watch.dump();
            return nullptr;
        }
        const auto data = response->getObject("data");
        const auto event = watch.waitForEvent(
            "device_removed", [&](const Poco::JSON::Object::Ptr& e) { return e->optValue<std::string>("device", "") == id.toString(); },
            5s);
        if (!event) {
            ADD_FAILURE() << "no device_removed event";
            return nullptr;
        }
        EXPECT_EQ(event->getValue<std::string>("reset"), data->getValue<std::string>("reset"));
        EXPECT_EQ(event->getValue<bool>("blocked"), data->getValue<bool>("blocked"));
        for (const char* key : {"revoked_on", "revocation_pending", "done", "deferred"}) {
            EXPECT_EQ(strings(event->getArray(key)), strings(data->getArray(key))) << key;
        }
        return data;
    };
    // The kitchen light answers and is reset; the hall light loses its key now, the cellar light
    // when it is seen again.
    const auto kitchenRemoved = removeAndCompare(k);
    ASSERT_TRUE(kitchenRemoved);
    EXPECT_EQ(kitchenRemoved->getValue<std::string>("reset"), "reset");
    EXPECT_EQ(strings(kitchenRemoved->getArray("revoked_on")), std::vector<std::string>{h.toString()});
    EXPECT_EQ(strings(kitchenRemoved->getArray("revocation_pending")), std::vector<std::string>{c.toString()});
    EXPECT_TRUE(kitchenRemoved->getValue<bool>("blocked"));
    // The cellar light itself, away: removed from the PDM and blocked, its reset owed.
    const auto cellarRemoved = removeAndCompare(c);
    ASSERT_TRUE(cellarRemoved);
    EXPECT_EQ(cellarRemoved->getValue<std::string>("reset"), "pending");
    EXPECT_TRUE(cellarRemoved->getValue<bool>("blocked"));
    EXPECT_FALSE(strings(cellarRemoved->getArray("deferred")).empty());
}

}  // namespace
}  // namespace steward::test
