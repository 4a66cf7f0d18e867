// The devices' functions bridged (issue 17.2-17.4), with a real broker, stewardd, steward-device
// and the steward CLI: the light a policy lets the gateway manage appears in Home Assistant as a
// light, a command on its topic switches the real device and the state follows; without a write
// ACE it is read-only; a device that dies becomes unavailable; `steward get/set` reach the same
// resource through the daemon and locally; configs a previous run left are swept at start.
#include <gtest/gtest.h>

#include <thread>

#include "daemon_fixture.hpp"
#include "home_assistant_side.hpp"
#include "stewardd_fixture.hpp"
#include "support/free_port.hpp"
#include "support/process_runner.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

// Polled every second, so that reachability shows quickly.
std::string withPolling(std::string yaml) { return yaml + "devices: {poll_interval: 1, timeout_ms: 1000}\n"; }

std::string brokerAt(const MosquittoBroker& b) { return "127.0.0.1:" + std::to_string(b.port()); }

bool provisioned(Observer& watch, const std::string& id) {
    return watch
        .waitFor(
            [&](const bridge::MqttMessage& m) {
                if (m.topic != "steward/devices/" + id) return false;
                const auto o = parseJsonObject(m.payload);
                return o && o->optValue<std::string>("state", "") == "provisioned";
            },
            30s)
        .has_value();
}

// The latest payload on `topic` satisfying `match`, waited for.
Poco::JSON::Object::Ptr stateWhere(Observer& watch, const std::string& topic,
                                   const std::function<bool(const Poco::JSON::Object::Ptr&)>& match,
                                   std::chrono::milliseconds timeout = 15s) {
    Poco::JSON::Object::Ptr out;
    watch.waitFor(
        [&](const bridge::MqttMessage& m) {
            if (m.topic != topic || m.payload.empty() || m.payload.front() != '{') return false;
            const auto o = parseJsonObject(m.payload);
            if (!o || !match(o)) return false;
            out = o;
            return true;
        },
        timeout);
    return out;
}

bool payloadIs(Observer& watch, const std::string& topic, const std::string& payload, std::chrono::milliseconds timeout = 15s) {
    return watch.waitFor([&](const bridge::MqttMessage& m) { return m.topic == topic && m.payload == payload; }, timeout).has_value();
}

// stewardd with Home Assistant discovery, polling every second, owning Just-Works devices at once.
class DeviceFunctionsE2e : public Stewardd {
protected:
    // The daemon once the device is provisioned (the lights policy applied); nullptr (after a
    // failed assertion naming the daemon's output) when it is not.
    std::unique_ptr<BackgroundProcess> startOwning(const RunningDevices& d, Observer& watch) {
        auto daemon = startDaemon(
            dir.path(), withPolling(withHomeAssistant(config("{mode: automatic, allow_justworks: true}", {at(d)}), broker.port())));
        const bool ready = watch.waitOnline() && provisioned(watch, d[0].id.toString());
        EXPECT_TRUE(ready) << daemon->output();
        return ready ? std::move(daemon) : nullptr;
    }
};

TEST_F(DeviceFunctionsE2e, ALightIsControlledFromHomeAssistantAndBecomesUnavailableWhenItDies) {
    auto jw = startDevices({"--svrdb", (dir / "jw.dat").string(), "--name", "Desk light"});
    HomeAssistantSide ha(broker.port());
    Observer watch(broker.port());
    auto daemon = startOwning(jw, watch);
    ASSERT_TRUE(daemon) << watch.dump();
    const auto id = jw[0].id.toString();

    // "MQTT Light", JSON schema, under the device; unavailable unless both the gateway and the
    // device are online.
    const auto lightTopic = configTopic("light", id, "a_light");
    const auto light = ha.config(lightTopic);
    ASSERT_TRUE(light) << watch.dump() << daemon->output();
    expectUsable(lightTopic, light);
    EXPECT_EQ(light->getValue<std::string>("schema"), "json");
    EXPECT_TRUE(light->getValue<bool>("brightness"));
    EXPECT_EQ(light->getValue<int>("brightness_scale"), 255);
    EXPECT_EQ(light->getArray("supported_color_modes")->getElement<std::string>(0), "brightness");
    EXPECT_EQ(light->getValue<std::string>("state_topic"), "steward/devices/" + id + "/a_light");
    EXPECT_EQ(light->getValue<std::string>("command_topic"), "steward/devices/" + id + "/a_light/set");
    EXPECT_TRUE(light->get("name").isEmpty());  // the device's main entity: named after the device
    EXPECT_EQ(light->getValue<std::string>("unique_id"), "steward_" + id + "_a_light");
    EXPECT_EQ(light->getValue<std::string>("availability_mode"), "all");
    ASSERT_EQ(light->getArray("availability")->size(), 2u);
    EXPECT_EQ(light->getArray("availability")->getObject(1)->getValue<std::string>("topic"), "steward/devices/" + id + "/availability");
    const auto reachable = ha.config(configTopic("binary_sensor", id, "reachable"));
    ASSERT_TRUE(reachable);
    EXPECT_EQ(reachable->getValue<std::string>("device_class"), "connectivity");
    EXPECT_TRUE(payloadIs(watch, "steward/devices/" + id + "/availability", "online")) << watch.dump();

    // The state as the device has it (steward-device starts off, at brightness 100).
    const auto stateTopic = light->getValue<std::string>("state_topic");
    ASSERT_TRUE(stateWhere(watch, stateTopic, [](const auto& s) {
        return s->template getValue<std::string>("state") == "OFF" && s->template getValue<int>("brightness") == 255;
    })) << watch.dump();

    // What Home Assistant sends when the light is turned on at half brightness: the device
    // changes (read back through the daemon with steward get) and the state follows.
    ha.publish(light->getValue<std::string>("command_topic"), R"({"state":"ON","brightness":128})");
    ASSERT_TRUE(stateWhere(
        watch, stateTopic,
        [](const auto& s) { return s->template getValue<std::string>("state") == "ON" && s->template getValue<int>("brightness") == 128; }))
        << watch.dump() << daemon->output();
    const auto got = runProcess(STEWARD_CLI_BIN, {"get", id, "/a/light", "--broker", brokerAt(broker), "--json"});
    ASSERT_EQ(got.exitCode, 0) << got.out << got.err;
    const auto data = parseJsonObject(got.out)->getObject("data");
    EXPECT_TRUE(data->getValue<bool>("value"));
    EXPECT_EQ(data->getValue<int>("brightness"), 50);  // 128 of 255 is 50 of 100

    // steward set through the daemon: the same path; the state topic follows at once.
    const auto set = runProcess(STEWARD_CLI_BIN, {"set", id, "/a/light", R"({"value": false})", "--broker", brokerAt(broker)});
    ASSERT_EQ(set.exitCode, 0) << set.out << set.err;
    EXPECT_NE(set.out.find("\"value\": false"), std::string::npos) << set.out;
    EXPECT_TRUE(stateWhere(watch, stateTopic, [](const auto& s) { return s->template getValue<std::string>("state") == "OFF"; }));

    // A command the light cannot take: an event says why, and nothing changes.
    ha.publish(light->getValue<std::string>("command_topic"), R"({"state":"ON","colour":"red"})");
    const auto failed = watch.waitForEvent(
        "command_failed", [&](const Poco::JSON::Object::Ptr& d) { return d->optValue<std::string>("device", "") == id; }, 10s);
    ASSERT_TRUE(failed) << watch.dump();
    EXPECT_NE(failed->getValue<std::string>("error").find("colour"), std::string::npos);

    // The device dies: it becomes unavailable within a few polls.
    jw.process->stop();
    EXPECT_TRUE(payloadIs(watch, "steward/devices/" + id + "/availability", "offline", 20s)) << watch.dump() << daemon->output();
    ASSERT_EQ(daemon->stop(), 0) << daemon->output();

    // Local mode: the same resource read and written in this process.
    auto again = startDevices({"--svrdb", (dir / "jw.dat").string(), "--name", "Desk light"});
    const auto stateDir = (dir / "state").string();
    // The daemon's PDM has the old port: local mode reaches the device where the PDM says.
    const auto local = runProcess(STEWARD_CLI_BIN,
                                  {"--local", "sync", "--unicast", at(again), "--state-dir", stateDir, "--plugin-dir", STEWARD_PLUGIN_DIR});
    ASSERT_EQ(local.exitCode, 0) << local.out << local.err;
    const auto localSet = runProcess(STEWARD_CLI_BIN, {"--local", "set", id, "/a/light", R"({"value": true, "brightness": 30})",
                                                       "--state-dir", stateDir, "--plugin-dir", STEWARD_PLUGIN_DIR, "--json"});
    ASSERT_EQ(localSet.exitCode, 0) << localSet.out << localSet.err;
    const auto localData = parseJsonObject(localSet.out)->getObject("data");
    EXPECT_TRUE(localData->getValue<bool>("value"));
    EXPECT_EQ(localData->getValue<int>("brightness"), 30);
    const auto refused = runProcess(
        STEWARD_CLI_BIN, {"--local", "set", id, "/oic/sec/acl2", "{}", "--state-dir", stateDir, "--plugin-dir", STEWARD_PLUGIN_DIR});
    EXPECT_EQ(refused.exitCode, 2) << refused.err;
}

// Ownership gives the gateway full access ("*", CRUDN); a device whose ACL was changed behind the
// gateway's back (here with the SVR DB editor while it was off) grants it only read access to
// /a/light: when it comes back, Home Assistant's light becomes a binary sensor, a command is
// refused with an event before it reaches the device, and the device itself refuses a write.
TEST_F(DeviceFunctionsE2e, WithoutAWriteAceALightIsReadOnly) {
    const auto port = std::to_string(freeLoopbackUdpPort());
    const auto securePort = std::to_string(freeLoopbackUdpPort());
    const auto svrdb = (dir / "jw.dat").string();
    const std::vector<std::string> deviceArgs{"--svrdb", svrdb, "--port", port, "--secure-port", securePort};
    auto jw = startDevices(deviceArgs);
    HomeAssistantSide ha(broker.port());
    Observer watch(broker.port());
    auto daemon = startOwning(jw, watch);
    ASSERT_TRUE(daemon) << watch.dump();
    const auto id = jw[0].id.toString();
    ASSERT_TRUE(ha.config(configTopic("light", id, "a_light"))) << ha.dump() << daemon->output();

    // The gateway's own ACE (aceid 1: "*", CRUDN) becomes read-only on the device.
    jw.process->stop();
    const auto edit = runProcess(STEWARD_SVRDB_BIN, {"acl", "modify", svrdb, "1", "--perm", "R"});
    ASSERT_EQ(edit.exitCode, 0) << edit.out << edit.err;
    auto again = startDevices(deviceArgs);

    const auto sensorTopic = configTopic("binary_sensor", id, "a_light");
    const auto sensor = ha.config(sensorTopic);
    ASSERT_TRUE(sensor) << ha.dump() << daemon->output();
    expectUsable(sensorTopic, sensor);
    EXPECT_EQ(sensor->getValue<std::string>("device_class"), "light");
    EXPECT_FALSE(sensor->has("command_topic"));
    EXPECT_TRUE(ha.cleared(configTopic("light", id, "a_light")));

    ha.publish("steward/devices/" + id + "/a_light/set", "ON");  // what a client may still send
    const auto failed = watch.waitForEvent(
        "command_failed", [&](const Poco::JSON::Object::Ptr& d) { return d->optValue<std::string>("device", "") == id; }, 10s);
    ASSERT_TRUE(failed) << watch.dump();
    EXPECT_NE(failed->getValue<std::string>("error").find("read-only"), std::string::npos) << failed->getValue<std::string>("error");

    const auto set = runProcess(STEWARD_CLI_BIN, {"set", id, "/a/light", R"({"value": true})", "--broker", brokerAt(broker)});
    EXPECT_EQ(set.exitCode, 1) << set.out << set.err;
    EXPECT_NE(set.err.find("4.03"), std::string::npos) << set.err;
    const auto got = runProcess(STEWARD_CLI_BIN, {"get", id, "/a/light", "--broker", brokerAt(broker), "--json"});
    ASSERT_EQ(got.exitCode, 0) << got.out << got.err;
    EXPECT_FALSE(parseJsonObject(got.out)->getObject("data")->getValue<bool>("value"));
}

// A retained config a previous run left for a device the gateway no longer has is cleared at
// start; another gateway's on the same broker is not.
TEST_F(Stewardd, StaleHomeAssistantConfigsAreSweptAtStart) {
    Observer watch(broker.port());
    const auto yaml = withHomeAssistant(config("{mode: manual}", {}), broker.port());
    auto first = startDaemon(dir.path(), yaml);
    ASSERT_TRUE(watch.waitOnline()) << first->output();
    const auto info = watch.waitFor([](const bridge::MqttMessage& m) { return m.topic == "steward/bridge/info"; }, 15s);
    ASSERT_TRUE(info);
    const auto gateway = parseJsonObject(info->payload)->getValue<std::string>("gateway");
    ASSERT_EQ(first->stop(), 0);

    const std::string ghost = "0685b960-736f-46f7-bea6-5ba3d2d2b7a1";
    const std::string foreign = "2e3b3f0a-4c1d-4f6e-9a8b-7c6d5e4f3a2b";
    const auto ghostTopic = configTopic("light", ghost, "a_light");
    const auto foreignTopic = configTopic("light", foreign, "a_light");
    {
        bridge::MqttOptions o;
        o.port = broker.port();
        o.clientId = "leftovers";
        bridge::MqttClient leftovers(o);
        leftovers.start();
        for (int i = 0; i < 100 && !leftovers.connected(); ++i) std::this_thread::sleep_for(50ms);
        ASSERT_TRUE(leftovers.connected());
        leftovers.publish(
            {ghostTopic, R"({"name":null,"device":{"identifiers":["steward_)" + ghost + R"("],"via_device":"steward_)" + gateway + R"("}})",
             true, 1});
        leftovers.publish({foreignTopic,
                           R"({"name":null,"device":{"identifiers":["steward_)" + foreign +
                               R"("],"via_device":"steward_ffffffff-0000-4000-8000-000000000000"}})",
                           true, 1});
        leftovers.stop();
    }
    HomeAssistantSide ha(broker.port());
    ASSERT_TRUE(ha.config(ghostTopic, 10s));
    auto second = startDaemon(dir.path(), yaml);
    EXPECT_TRUE(ha.cleared(ghostTopic, 15s)) << second->output();
    std::this_thread::sleep_for(500ms);
    const auto latest = ha.latest();
    ASSERT_TRUE(latest.contains(foreignTopic));
    EXPECT_FALSE(latest.at(foreignTopic).empty());
}

}  // namespace
}  // namespace steward::test
