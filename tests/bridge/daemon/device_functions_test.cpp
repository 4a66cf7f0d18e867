// The function table (device_functions/function_types) and the Home Assistant entities of bridged
// functions: which resource becomes what, OCF properties <-> the JSON on MQTT (brightness scaled
// 0-100 <-> 0-255 without drift), commands checked before anything reaches a device, and each
// entity as Home Assistant's "MQTT Light" (JSON schema), "MQTT Switch", "MQTT Sensor" and "MQTT
// Binary sensor" pages describe it. Also the start-up sweep of stale retained configs.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <map>
#include <mutex>

#include "device_functions/function_types.hpp"
#include "home_assistant/discovery_payloads.hpp"
#include "home_assistant/publisher.hpp"

namespace steward::bridge {
namespace {

using core::CborValue;

CborValue body(std::vector<std::pair<std::string, CborValue>> entries) {
    std::vector<CborValue::Pair> pairs;
    for (auto& [k, v] : entries) pairs.emplace_back(CborValue::text(k), std::move(v));
    return CborValue::map(std::move(pairs));
}

const CborValue* member(const CborValue& map, const std::string& key) {
    for (const auto& [k, v] : map.entries()) {
        if (k.textValue() == key) return &v;
    }
    return nullptr;
}

TEST(FunctionTypes, TheMostSpecificTypeWins) {
    EXPECT_EQ(functionTypeFor({"oic.r.switch.binary", "oic.r.light.brightness"})->name, "light");
    EXPECT_EQ(functionTypeFor({"oic.r.light.brightness", "oic.r.switch.binary"})->name, "light");
    EXPECT_EQ(functionTypeFor({"oic.r.switch.binary"})->name, "switch");
    EXPECT_EQ(functionTypeFor({"oic.r.temperature"})->name, "temperature");
    EXPECT_EQ(functionTypeFor({"oic.r.humidity"})->name, "humidity");
    EXPECT_EQ(functionTypeFor({"oic.r.light.brightness"}), nullptr);  // brightness alone: nothing to switch
    EXPECT_EQ(functionTypeFor({"core.light"})->property, "state");    // iotivity-lite's sample light
    EXPECT_EQ(functionTypeFor({}), nullptr);
}

TEST(FunctionTypes, BrightnessSurvivesEveryRoundTrip) {
    for (int ocf = 0; ocf <= 100; ++ocf) EXPECT_EQ(brightnessToOcf(brightnessToHomeAssistant(ocf)), ocf) << ocf;
    EXPECT_EQ(brightnessToHomeAssistant(100), 255);
    EXPECT_EQ(brightnessToHomeAssistant(0), 0);
    EXPECT_EQ(brightnessToOcf(128), 50);
    EXPECT_EQ(brightnessToOcf(255), 100);
    EXPECT_EQ(brightnessToOcf(300), 100);  // clamped
}

TEST(FunctionTypes, ALightsStateIsWhatHomeAssistantsJsonSchemaReads) {
    const auto& light = *functionTypeFor({"oic.r.switch.binary", "oic.r.light.brightness"});
    const auto s = stateFromResource(
        light, body({{"rt", CborValue::text("x")}, {"value", CborValue::boolean(true)}, {"brightness", CborValue::unsignedInt(40)}}));
    EXPECT_EQ(s->getValue<std::string>("state"), "ON");
    EXPECT_EQ(s->getValue<int>("brightness"), 102);
    EXPECT_EQ(s->getValue<std::string>("color_mode"), "brightness");
    EXPECT_THROW(stateFromResource(light, body({{"value", CborValue::text("on")}, {"brightness", CborValue::unsignedInt(1)}})),
                 std::invalid_argument);
    EXPECT_THROW(stateFromResource(light, body({{"value", CborValue::boolean(true)}})), std::invalid_argument);
}

TEST(FunctionTypes, SensorsCarryTheirUnit) {
    const auto& t = *functionTypeFor({"oic.r.temperature"});
    auto s = stateFromResource(t, body({{"temperature", CborValue::floating(21.5)}, {"units", CborValue::text("F")}}));
    EXPECT_DOUBLE_EQ(s->getValue<double>("temperature"), 21.5);
    EXPECT_EQ(s->getValue<std::string>("unit"), "°F");
    s = stateFromResource(t, body({{"temperature", CborValue::unsignedInt(20)}}));
    EXPECT_EQ(s->getValue<std::string>("unit"), "°C");
    EXPECT_THROW(commandToResource(t, "ON", nullptr), std::invalid_argument);  // a sensor takes no command
}

TEST(FunctionTypes, CommandsBecomeOcfBodies) {
    const auto& light = *functionTypeFor({"oic.r.switch.binary", "oic.r.light.brightness"});
    auto b = commandToResource(light, R"({"state":"ON","brightness":128})", nullptr);
    ASSERT_TRUE(member(b, "value"));
    EXPECT_TRUE(member(b, "value")->boolValue());
    EXPECT_EQ(member(b, "brightness")->integerArgument(), 50u);
    b = commandToResource(light, R"({"brightness":255})", nullptr);  // brightness alone leaves on/off
    EXPECT_EQ(member(b, "value"), nullptr);
    EXPECT_EQ(member(b, "brightness")->integerArgument(), 100u);

    const auto& sw = *functionTypeFor({"oic.r.switch.binary"});
    EXPECT_FALSE(member(commandToResource(sw, "OFF", nullptr), "value")->boolValue());
    EXPECT_TRUE(member(commandToResource(sw, " ON\n", nullptr), "value")->boolValue());
    Poco::JSON::Object::Ptr on = new Poco::JSON::Object;
    on->set("state", "ON");
    EXPECT_FALSE(member(commandToResource(sw, "TOGGLE", on), "value")->boolValue());
    EXPECT_TRUE(member(commandToResource(sw, "TOGGLE", nullptr), "value")->boolValue());
}

TEST(FunctionTypes, MalformedCommandsAreRefusedBeforeAnyDevice) {
    const auto& light = *functionTypeFor({"oic.r.switch.binary", "oic.r.light.brightness"});
    const auto& sw = *functionTypeFor({"oic.r.switch.binary"});
    for (const std::string bad : {"", "{", "on", "[true]", "{}", R"({"state":"MAYBE"})", R"({"brightness":-1})", R"({"brightness":256})",
                                  R"({"brightness":"high"})", R"({"brightness":true})", R"({"colour":"red"})"}) {
        EXPECT_THROW(commandToResource(light, bad, nullptr), std::invalid_argument) << bad;
    }
    EXPECT_THROW(commandToResource(sw, R"({"brightness":10})", nullptr), std::invalid_argument);
}

TEST(FunctionTypes, IotivityLitesLightIsASwitchOnItsStateProperty) {
    const auto& lite = *functionTypeFor({"core.light"});
    EXPECT_EQ(lite.kind, FunctionKind::Switch);
    const auto s = stateFromResource(lite, body({{"state", CborValue::boolean(true)}, {"power", CborValue::unsignedInt(0)}}));
    EXPECT_EQ(s->getValue<std::string>("state"), "ON");
    const auto b = commandToResource(lite, "OFF", s);
    ASSERT_TRUE(member(b, "state"));
    EXPECT_FALSE(member(b, "state")->boolValue());
    EXPECT_EQ(member(b, "value"), nullptr);
}

TEST(FunctionTypes, ResourceKeysAreOneTopicLevel) {
    EXPECT_EQ(resourceKey("/a/light"), "a_light");
    EXPECT_EQ(resourceKey("/light"), "light");
    EXPECT_EQ(resourceKey("/a//b/"), "a_b");
    EXPECT_EQ(resourceKey("/x/+/#"), "x");
}

namespace ha = home_assistant;

const std::string kGateway = "11111111-2222-3333-4444-555555555555";
const std::string kLamp = "aaaaaaaa-0000-0000-0000-000000000001";

ha::Context context() { return ha::Context{"homeassistant", "steward", kGateway, "0.1.0", 120}; }

DeviceView owned() {
    DeviceView v;
    v.id = *core::Uuid::parse(kLamp);
    v.name = "Desk";
    v.status = DeviceStatus::Provisioned;
    return v;
}

BridgedFunction function(const std::vector<std::string>& rts, const std::string& key, bool writable, const std::string& unit = "") {
    return BridgedFunction{key, "/" + key, functionTypeFor(rts), writable, unit};
}

std::map<std::string, Poco::JSON::Object::Ptr> byTopic(const std::vector<ha::Entity>& entities) {
    std::map<std::string, Poco::JSON::Object::Ptr> out;
    for (const auto& e : entities) out[e.topic] = e.config;
    return out;
}

std::string topic(const std::string& component, const std::string& objectId) {
    return "homeassistant/" + component + "/steward_" + kLamp + "/" + objectId + "/config";
}

TEST(FunctionEntities, ALightTheGatewayMayWriteIsAJsonSchemaLight) {
    const auto e = byTopic(ha::deviceEntities(context(), owned(), false,
                                              {true, {function({"oic.r.switch.binary", "oic.r.light.brightness"}, "light", true)}}));
    ASSERT_TRUE(e.contains(topic("light", "light")));
    const auto c = e.at(topic("light", "light"));
    EXPECT_EQ(c->getValue<std::string>("schema"), "json");
    EXPECT_EQ(c->getValue<std::string>("state_topic"), "steward/devices/" + kLamp + "/light");
    EXPECT_EQ(c->getValue<std::string>("command_topic"), "steward/devices/" + kLamp + "/light/set");
    EXPECT_TRUE(c->getValue<bool>("brightness"));
    EXPECT_TRUE(c->getValue<bool>("color_mode"));
    EXPECT_EQ(c->getArray("supported_color_modes")->size(), 1u);
    EXPECT_TRUE(c->get("name").isEmpty());  // the only function: the device's main entity
    EXPECT_EQ(c->getValue<std::string>("unique_id"), "steward_" + kLamp + "_light");
    const auto availability = c->getArray("availability");
    ASSERT_EQ(availability->size(), 2u);
    EXPECT_EQ(availability->getObject(0)->getValue<std::string>("topic"), "steward/bridge/state");
    EXPECT_EQ(availability->getObject(1)->getValue<std::string>("topic"), "steward/devices/" + kLamp + "/availability");
    EXPECT_EQ(c->getValue<std::string>("availability_mode"), "all");
    // The reachability sensor follows the gateway only: it must show "off" while the device is away.
    const auto reachable = e.at(topic("binary_sensor", "reachable"));
    EXPECT_EQ(reachable->getValue<std::string>("state_topic"), "steward/devices/" + kLamp + "/availability");
    EXPECT_EQ(reachable->getArray("availability")->size(), 1u);
    EXPECT_EQ(reachable->getValue<std::string>("entity_category"), "diagnostic");
}

TEST(FunctionEntities, WithoutUpdateAccessLightsAndSwitchesAreBinarySensors) {
    const auto e = byTopic(ha::deviceEntities(
        context(), owned(), false,
        {true,
         {function({"oic.r.switch.binary", "oic.r.light.brightness"}, "light", false), function({"oic.r.switch.binary"}, "plug", false)}}));
    EXPECT_FALSE(e.contains(topic("light", "light")));
    EXPECT_FALSE(e.contains(topic("switch", "plug")));
    const auto light = e.at(topic("binary_sensor", "light"));
    EXPECT_FALSE(light->has("command_topic"));
    EXPECT_EQ(light->getValue<std::string>("device_class"), "light");
    EXPECT_EQ(light->getValue<std::string>("name"), "Light light");  // several functions: each named
    EXPECT_EQ(e.at(topic("binary_sensor", "plug"))->getValue<std::string>("device_class"), "power");
}

TEST(FunctionEntities, SwitchesAndSensors) {
    const auto e = byTopic(ha::deviceEntities(
        context(), owned(), false,
        {true, {function({"oic.r.switch.binary"}, "plug", true), function({"oic.r.temperature"}, "temp", false, "°F")}}));
    const auto sw = e.at(topic("switch", "plug"));
    EXPECT_EQ(sw->getValue<std::string>("command_topic"), "steward/devices/" + kLamp + "/plug/set");
    EXPECT_EQ(sw->getValue<std::string>("payload_on"), "ON");
    EXPECT_EQ(sw->getValue<std::string>("value_template"), "{{ value_json.state }}");
    const auto t = e.at(topic("sensor", "temp"));
    EXPECT_EQ(t->getValue<std::string>("device_class"), "temperature");
    EXPECT_EQ(t->getValue<std::string>("unit_of_measurement"), "°F");
    EXPECT_EQ(t->getValue<std::string>("state_class"), "measurement");
    EXPECT_EQ(t->getValue<std::string>("value_template"), "{{ value_json.temperature }}");
}

TEST(FunctionEntities, NothingOfTheKindBeforeTheDeviceIsPolled) {
    const auto e = byTopic(ha::deviceEntities(context(), owned(), false, {}));
    EXPECT_FALSE(e.contains(topic("binary_sensor", "reachable")));
    EXPECT_TRUE(e.contains(topic("button", "remove")));
}

// The publisher's sweep: this gateway's stale configs go, another gateway's stay, a retained
// config of a device it shows stays unless it is bound to a state the device is not in.
TEST(ConfigSweep, OnlyThisGatewaysStaleConfigsAreCleared) {
    std::mutex mutex;
    std::map<std::string, std::string> published;
    auto view = owned();
    ha::Publisher publisher(
        context(),
        [&](const std::string& t, const std::string& p, bool, bool) {
            const std::lock_guard lock(mutex);
            published[t] = p;
        },
        ha::Publisher::Devices{[&](const core::Uuid& id) { return id == view.id ? std::optional<DeviceView>(view) : std::nullopt; },
                               [&] { return std::vector<DeviceView>{view}; },
                               [](const core::Uuid&) {
                                   return ha::DeviceFunctionsView{true, {}};
                               }});
    publisher.publishAll();
    publisher.startSweep(std::chrono::seconds(30));
    const auto config = [](const std::string& node, const std::string& via) {
        return R"({"name":null,"device":{"identifiers":["steward_)" + node + R"("],"via_device":"steward_)" + via + R"("}})";
    };
    const std::string ghost = "bbbbbbbb-0000-0000-0000-000000000002";
    const std::string other = "99999999-0000-0000-0000-000000000009";
    const auto ghostTopic = "homeassistant/light/steward_" + ghost + "/a_light/config";
    const auto foreignTopic = "homeassistant/light/steward_" + ghost + "/b_light/config";
    const auto approveTopic = topic("button", "approve");
    const auto lightTopic = topic("light", "a_light");

    publisher.configSeen(ghostTopic, config(ghost, kGateway), true);
    publisher.configSeen(foreignTopic, config(ghost, other), true);
    publisher.configSeen(approveTopic, config(kLamp, kGateway), true);               // not pending approval any more
    publisher.configSeen(lightTopic, config(kLamp, kGateway), true);                 // a polled device's function: kept
    publisher.configSeen(topic("button", "remove"), config(kLamp, kGateway), true);  // published now: kept
    publisher.configSeen("homeassistant/light/zigbee2mqtt_0x1/light/config", config(ghost, kGateway), true);
    publisher.configSeen(ghostTopic + "x", "not json", true);
    const std::lock_guard lock(mutex);
    EXPECT_EQ(published.count(ghostTopic), 1u);
    EXPECT_EQ(published[ghostTopic], "");
    EXPECT_FALSE(published.contains(foreignTopic));
    EXPECT_EQ(published[approveTopic], "");
    EXPECT_FALSE(published.contains(lightTopic));
    EXPECT_FALSE(published[topic("button", "remove")].empty());
    EXPECT_FALSE(published.contains("homeassistant/light/zigbee2mqtt_0x1/light/config"));
}

TEST(ConfigSweep, NothingIsClearedOnceTheWindowHasClosed) {
    std::map<std::string, std::string> published;
    ha::Publisher publisher(
        context(), [&](const std::string& t, const std::string& p, bool, bool) { published[t] = p; },
        ha::Publisher::Devices{
            [](const core::Uuid&) { return std::optional<DeviceView>(); }, [] { return std::vector<DeviceView>{}; }, {}});
    publisher.startSweep(std::chrono::milliseconds(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto t = "homeassistant/light/steward_bbbbbbbb-0000-0000-0000-000000000002/a_light/config";
    publisher.configSeen(t, R"({"device":{"identifiers":["x"],"via_device":"steward_)" + kGateway + R"("}})", true);
    EXPECT_FALSE(published.contains(t));
}

}  // namespace
}  // namespace steward::bridge
