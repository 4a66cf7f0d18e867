// Home Assistant discovery end to end (issue 17), with a real broker, stewardd and steward-device
// processes, and a client playing Home Assistant: it reads the discovery messages, presses the
// buttons and types the PIN by publishing what each config says to its command topic, and sends
// the birth message.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "daemon_fixture.hpp"
#include "home_assistant_side.hpp"
#include "stewardd_fixture.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

std::string gatewayOf(Observer& watch) {
    const auto info = watch.waitFor([](const bridge::MqttMessage& m) { return m.topic == "steward/bridge/info"; }, 15s);
    if (!info) return "";
    return parseJsonObject(info->payload)->getValue<std::string>("gateway");
}

bool permitJoinIs(Observer& watch, const std::string& state) {
    return watch
        .waitFor(
            [&](const bridge::MqttMessage& m) {
                if (m.topic != "steward/bridge/permit_join") return false;
                const auto o = parseJsonObject(m.payload);
                return o && o->getValue<std::string>("state") == state;
            },
            10s)
        .has_value();
}

// The bridge device and its permit-join switch; a device waiting for approval approved with its
// button; the birth message re-publishes; the remove button removes it and clears every config.
TEST_F(Stewardd, HomeAssistantApprovesRemovesAndIsAnsweredOnItsBirth) {
    auto jw = startDevices({"--svrdb", (dir / "jw.dat").string(), "--name", "Porch light"});
    HomeAssistantSide ha(broker.port());
    Observer watch(broker.port());
    auto daemon = startDaemon(
        dir.path(), withHomeAssistant(config("{mode: automatic, allow_justworks: true, approval: true}", {at(jw)}), broker.port()));
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    const auto gateway = gatewayOf(watch);
    ASSERT_FALSE(gateway.empty());
    const auto id = jw[0].id.toString();

    // The bridge device.
    for (const auto& [component, objectId] : std::vector<std::pair<std::string, std::string>>{{"binary_sensor", "connection_state"},
                                                                                              {"sensor", "version"},
                                                                                              {"switch", "permit_join"},
                                                                                              {"sensor", "permit_join_remaining"},
                                                                                              {"sensor", "pending_approval"},
                                                                                              {"sensor", "devices_owned"},
                                                                                              {"sensor", "ownership_failures"},
                                                                                              {"sensor", "time_to_own_p50"},
                                                                                              {"sensor", "time_to_own_p99"}}) {
        const auto topic = configTopic(component, gateway, objectId);
        const auto c = ha.config(topic);
        expectUsable(topic, c);
        if (c) {
            EXPECT_EQ(c->getObject("device")->getValue<std::string>("name"), "Steward gateway");
        }
    }
    // The permit-join switch turns into request/permit_join, and its state follows.
    const auto permit = ha.config(configTopic("switch", gateway, "permit_join"));
    ASSERT_TRUE(permit);
    ha.publish(permit->getValue<std::string>("command_topic"), permit->getValue<std::string>("payload_on"));
    EXPECT_TRUE(permitJoinIs(watch, "ON")) << watch.dump();
    ha.publish(permit->getValue<std::string>("command_topic"), permit->getValue<std::string>("payload_off"));
    EXPECT_TRUE(permitJoinIs(watch, "OFF")) << watch.dump();

    // Waiting for approval: approve and deny buttons, under the device that hangs off the gateway.
    const auto approve = ha.config(configTopic("button", id, "approve"));
    ASSERT_TRUE(approve) << daemon->output();
    ASSERT_TRUE(ha.config(configTopic("button", id, "deny")));
    for (const auto& [topic, payload] : ha.latest()) {
        if (topic.find("/steward_" + id + "/") == std::string::npos || payload.empty()) continue;
        const auto c = parseJsonObject(payload);
        expectUsable(topic, c);
        EXPECT_EQ(c->getObject("device")->getValue<std::string>("via_device"), "steward_" + gateway);
    }
    ha.press(approve);
    ASSERT_TRUE(watch.waitForEvent(
        "device_owned", [&](const Poco::JSON::Object::Ptr& d) { return forDevice(d, jw); }, 20s))
        << watch.dump() << daemon->output();
    EXPECT_TRUE(ha.cleared(configTopic("button", id, "approve")));
    EXPECT_TRUE(ha.cleared(configTopic("button", id, "deny")));
    const auto state = ha.config(configTopic("sensor", id, "state"));
    ASSERT_TRUE(state);
    EXPECT_EQ(state->getValue<std::string>("name"), "Security state");
    EXPECT_EQ(state->getObject("device")->getValue<std::string>("name"), "Porch light");

    // Home Assistant restarts: its birth message gets every config again.
    const auto stateTopic = configTopic("sensor", id, "state");
    const auto connectionTopic = configTopic("binary_sensor", gateway, "connection_state");
    const auto stateBefore = ha.count(stateTopic);
    const auto connectionBefore = ha.count(connectionTopic);
    ha.publish("homeassistant/status", "online");
    EXPECT_TRUE(ha.waitForMore(stateTopic, stateBefore, 10s));
    EXPECT_TRUE(ha.waitForMore(connectionTopic, connectionBefore, 10s));

    // The remove button: the device is removed and every config it had is cleared.
    const auto remove = ha.config(configTopic("button", id, "remove"));
    ASSERT_TRUE(remove);
    ha.press(remove);
    ASSERT_TRUE(watch.waitForEvent(
        "device_removed", [&](const Poco::JSON::Object::Ptr& d) { return forDevice(d, jw); }, 20s))
        << watch.dump() << daemon->output();
    EXPECT_TRUE(ha.waitUntil(
        [&](const auto& latest) {
            for (const auto& [topic, payload] : latest) {
                if (topic.find("/steward_" + id + "/") != std::string::npos && !payload.empty()) return false;
            }
            return true;
        },
        10s));
    // No ghost comes back with the next birth message, and the broker keeps none.
    const auto connectionAgain = ha.count(connectionTopic);
    ha.publish("homeassistant/status", "online");
    EXPECT_TRUE(ha.waitForMore(connectionTopic, connectionAgain, 10s));
    std::this_thread::sleep_for(500ms);
    for (const auto& [topic, payload] : ha.latest()) {
        if (topic.find("/steward_" + id + "/") != std::string::npos) {
            EXPECT_TRUE(payload.empty()) << topic;
        }
    }
    HomeAssistantSide fresh(broker.port());  // what a restarted Home Assistant gets retained
    ASSERT_TRUE(fresh.config(connectionTopic, 10s));
    std::this_thread::sleep_for(500ms);
    for (const auto& [topic, payload] : fresh.latest()) {
        EXPECT_EQ(topic.find("/steward_" + id + "/"), std::string::npos) << topic;
    }
}

// A Random-PIN device: the PIN entity appears with the pairing request, the PIN typed into it owns
// the device, and the entity goes.
TEST_F(Stewardd, ThePinTypedIntoHomeAssistantOwnsARandomPinDevice) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    HomeAssistantSide ha(broker.port());
    Observer watch(broker.port());
    auto daemon = startDaemon(dir.path(), withHomeAssistant(config("{mode: manual, pin_timeout: 60}", {at(rdp)}), broker.port()));
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    ASSERT_TRUE(watch.waitForEvent(
        "device_discovered", [&](const Poco::JSON::Object::Ptr& e) { return forDevice(e, rdp); }, 15s));
    const auto id = rdp[0].id.toString();
    EXPECT_FALSE(ha.latest().contains(configTopic("text", id, "pin")));

    std::size_t from = 0;
    watch.publishRaw("own", R"({"device":")" + id + R"(","transaction":"own"})");
    const auto pinEntity = ha.config(configTopic("text", id, "pin"));
    ASSERT_TRUE(pinEntity) << watch.dump() << daemon->output();
    expectUsable(configTopic("text", id, "pin"), pinEntity);
    EXPECT_EQ(pinEntity->getValue<std::string>("mode"), "password");
    const auto shown = waitForPin(*rdp.process, from, 10s);
    ASSERT_TRUE(shown);
    // What Home Assistant sends when the PIN is typed: the command template rendered.
    auto command = pinEntity->getValue<std::string>("command_template");
    command.replace(command.find("{{ value }}"), 11, *shown);
    ha.publish(pinEntity->getValue<std::string>("command_topic"), command);
    ASSERT_TRUE(watch.waitForEvent(
        "device_owned", [&](const Poco::JSON::Object::Ptr& d) { return forDevice(d, rdp); }, 30s))
        << watch.dump() << daemon->output();
    EXPECT_TRUE(ha.cleared(configTopic("text", id, "pin")));
    EXPECT_TRUE(ha.config(configTopic("button", id, "remove")));
}

}  // namespace
}  // namespace steward::test
