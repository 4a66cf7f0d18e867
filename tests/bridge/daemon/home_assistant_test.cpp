// Home Assistant discovery (issue 17): every payload carries what Home Assistant's MQTT platforms
// need (pages "MQTT", "MQTT Binary sensor", "MQTT Sensor", "MQTT Switch", "MQTT Button", "MQTT
// Text"), a device shows the entities its state asks for, and the publisher keeps the retained
// configs true: changes re-published, what a device no longer has cleared, everything again on
// Home Assistant's birth message, and the permit-join countdown.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <chrono>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "home_assistant/discovery_payloads.hpp"
#include "home_assistant/publisher.hpp"

namespace steward::bridge::home_assistant {
namespace {

using namespace std::chrono_literals;

const std::string kGateway = "11111111-2222-3333-4444-555555555555";

Context context() { return Context{"homeassistant", "steward", kGateway, "0.1.0 (git abc)", 180}; }

DeviceView view(const std::string& id, const std::string& name, DeviceStatus status) {
    DeviceView v;
    v.id = *core::Uuid::parse(id);
    v.name = name;
    v.status = status;
    v.deviceTypes = {"oic.d.light"};
    return v;
}

const std::string kLamp = "aaaaaaaa-0000-0000-0000-000000000001";

Poco::JSON::Object::Ptr parse(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>(); }

std::set<std::string> objectIds(const std::vector<Entity>& entities) {
    std::set<std::string> out;
    for (const auto& e : entities) out.insert(e.component + "/" + e.objectId);
    return out;
}

// What every discovery payload needs, and what its platform needs.
void expectValid(const Entity& e, const std::string& node) {
    SCOPED_TRACE(e.topic);
    const auto& c = e.config;
    EXPECT_EQ(e.topic, "homeassistant/" + e.component + "/steward_" + node + "/" + e.objectId + "/config");
    EXPECT_EQ(c->getValue<std::string>("unique_id"), "steward_" + node + "_" + e.objectId);
    ASSERT_TRUE(c->has("name"));  // a string, or null for a device's main entity
    const auto device = c->getObject("device");
    ASSERT_TRUE(device);
    ASSERT_TRUE(device->getArray("identifiers"));
    EXPECT_GE(device->getArray("identifiers")->size(), 1u);
    EXPECT_FALSE(device->getValue<std::string>("name").empty());
    // has_entity_name: the entity is named by its function, never by the device's name.
    if (!c->isNull("name")) {
        EXPECT_NE(c->getValue<std::string>("name"), device->getValue<std::string>("name"));
    }
    const auto origin = c->getObject("origin");
    ASSERT_TRUE(origin);
    EXPECT_EQ(origin->getValue<std::string>("name"), "Steward");
    EXPECT_EQ(origin->getValue<std::string>("sw_version"), "0.1.0 (git abc)");
    if (c->has("availability")) {
        const auto a = c->getArray("availability");
        ASSERT_TRUE(a);
        ASSERT_EQ(a->size(), 1u);
        EXPECT_EQ(a->getObject(0)->getValue<std::string>("topic"), "steward/bridge/state");
        EXPECT_EQ(c->getValue<std::string>("availability_mode"), "all");
        EXPECT_FALSE(c->has("availability_topic"));  // not together with the list
    }
    if (c->has("entity_category")) {
        const auto category = c->getValue<std::string>("entity_category");
        EXPECT_TRUE(category == "diagnostic" || category == "config") << category;
    }
    if (e.component == "sensor" || e.component == "binary_sensor") {
        EXPECT_FALSE(c->getValue<std::string>("state_topic").empty());
        EXPECT_FALSE(c->has("command_topic"));
    } else if (e.component == "switch") {
        EXPECT_FALSE(c->getValue<std::string>("command_topic").empty());
        EXPECT_FALSE(c->getValue<std::string>("state_topic").empty());
    } else if (e.component == "button") {
        EXPECT_EQ(c->getValue<std::string>("command_topic").rfind("steward/bridge/request/", 0), 0u);
        EXPECT_FALSE(c->getValue<std::string>("payload_press").empty());
        EXPECT_FALSE(c->has("state_topic"));
    } else if (e.component == "text") {
        EXPECT_FALSE(c->getValue<std::string>("command_topic").empty());
    } else {
        ADD_FAILURE() << "unexpected component " << e.component;
    }
    if (c->has("state_class")) {
        const auto sc = c->getValue<std::string>("state_class");
        EXPECT_TRUE(sc == "measurement" || sc == "total" || sc == "total_increasing") << sc;
    }
}

TEST(HomeAssistantPayloads, TheBridgeDeviceHasItsEntitiesWithWhatHomeAssistantNeeds) {
    const auto entities = bridgeEntities(context());
    EXPECT_EQ(objectIds(entities),
              (std::set<std::string>{"binary_sensor/connection_state", "sensor/version", "switch/permit_join",
                                     "sensor/permit_join_remaining", "sensor/pending_approval", "sensor/devices_owned",
                                     "sensor/ownership_failures", "sensor/time_to_own_p50", "sensor/time_to_own_p99"}));
    std::set<std::string> ids;
    for (const auto& e : entities) {
        expectValid(e, kGateway);
        EXPECT_TRUE(ids.insert(e.config->getValue<std::string>("unique_id")).second);
        const auto device = e.config->getObject("device");
        EXPECT_EQ(device->getValue<std::string>("name"), "Steward gateway");
        EXPECT_EQ(device->getArray("identifiers")->getElement<std::string>(0), "steward_" + kGateway);
        EXPECT_FALSE(device->has("via_device"));
    }
    const auto by = [&](const std::string& id) {
        for (const auto& e : entities)
            if (e.objectId == id) return e.config;
        throw std::runtime_error("no " + id);
    };
    const auto connection = by("connection_state");
    EXPECT_EQ(connection->getValue<std::string>("device_class"), "connectivity");
    EXPECT_EQ(connection->getValue<std::string>("entity_category"), "diagnostic");
    EXPECT_EQ(connection->getValue<std::string>("state_topic"), "steward/bridge/state");
    EXPECT_EQ(connection->getValue<std::string>("payload_on"), "online");
    EXPECT_EQ(connection->getValue<std::string>("payload_off"), "offline");
    EXPECT_FALSE(connection->has("availability"));  // it is the availability: never "unavailable"
    EXPECT_EQ(by("version")->getValue<std::string>("state_topic"), "steward/bridge/info");

    const auto permit = by("permit_join");
    EXPECT_EQ(permit->getValue<std::string>("command_topic"), "steward/bridge/request/permit_join");
    EXPECT_EQ(parse(permit->getValue<std::string>("payload_on"))->getValue<int>("time"), 180);
    EXPECT_EQ(parse(permit->getValue<std::string>("payload_off"))->getValue<int>("time"), 0);
    EXPECT_EQ(permit->getValue<std::string>("state_topic"), "steward/bridge/permit_join");
    EXPECT_EQ(permit->getValue<std::string>("state_on"), "ON");
    EXPECT_EQ(permit->getValue<std::string>("state_off"), "OFF");
    EXPECT_EQ(by("permit_join_remaining")->getValue<std::string>("unit_of_measurement"), "s");
    EXPECT_EQ(by("pending_approval")->getValue<std::string>("state_topic"), "steward/bridge/devices");

    for (const auto* metric : {"devices_owned", "ownership_failures", "time_to_own_p50", "time_to_own_p99"}) {
        SCOPED_TRACE(metric);
        const auto m = by(metric);
        EXPECT_EQ(m->getValue<std::string>("state_topic"), "steward/bridge/metrics");
        EXPECT_EQ(m->getValue<std::string>("entity_category"), "diagnostic");
        EXPECT_TRUE(m->has("state_class"));
    }
    EXPECT_EQ(by("time_to_own_p99")->getValue<std::string>("unit_of_measurement"), "ms");
    EXPECT_EQ(by("ownership_failures")->getValue<std::string>("state_class"), "total_increasing");
}

TEST(HomeAssistantPayloads, ADeviceShowsWhatItsStateAsksFor) {
    const auto c = context();
    EXPECT_EQ(objectIds(deviceEntities(c, view(kLamp, "Lamp", DeviceStatus::Owned), false)),
              (std::set<std::string>{"sensor/state", "button/remove"}));
    EXPECT_EQ(objectIds(deviceEntities(c, view(kLamp, "Lamp", DeviceStatus::PendingApproval), false)),
              (std::set<std::string>{"sensor/state", "button/approve", "button/deny", "button/remove"}));
    EXPECT_EQ(objectIds(deviceEntities(c, view(kLamp, "Lamp", DeviceStatus::Owning), true)),
              (std::set<std::string>{"sensor/state", "text/pin", "button/remove"}));
    EXPECT_TRUE(deviceEntities(c, view(kLamp, "Lamp", DeviceStatus::Removed), true).empty());
    EXPECT_TRUE(deviceEntities(c, view(kLamp, "Lamp", DeviceStatus::Blocked), false).empty());

    for (const auto& e : deviceEntities(c, view(kLamp, "Hallway lamp", DeviceStatus::PendingApproval), true)) {
        expectValid(e, kLamp);
        const auto device = e.config->getObject("device");
        EXPECT_EQ(device->getValue<std::string>("name"), "Hallway lamp");
        EXPECT_EQ(device->getValue<std::string>("via_device"), "steward_" + kGateway);
        EXPECT_EQ(device->getArray("identifiers")->getElement<std::string>(0), "steward_" + kLamp);
        if (e.component == "button") {
            // What a press sends is a request body the gateway takes.
            EXPECT_EQ(e.config->getValue<std::string>("command_topic"), "steward/bridge/request/" + e.objectId);
            EXPECT_EQ(parse(e.config->getValue<std::string>("payload_press"))->getValue<std::string>("device"), kLamp);
        }
    }
    // Unnamed: the device still gets a name of its own, not the entity's.
    const auto unnamed = deviceEntities(c, view(kLamp, "", DeviceStatus::Owned), false);
    EXPECT_EQ(unnamed.front().config->getObject("device")->getValue<std::string>("name"), "OCF device aaaaaaaa");
    const auto state = unnamed.front().config;
    EXPECT_EQ(state->getValue<std::string>("name"), "Security state");
    EXPECT_EQ(state->getValue<std::string>("state_topic"), "steward/devices/" + kLamp);
    EXPECT_EQ(state->getValue<std::string>("entity_category"), "diagnostic");
    EXPECT_EQ(state->getValue<std::string>("device_class"), "enum");
    const auto options = state->getArray("options");
    std::set<std::string> values;
    for (unsigned i = 0; i < options->size(); ++i) values.insert(options->getElement<std::string>(i));
    for (const auto* s : {"unowned", "pending_approval", "owning", "owned", "provisioned", "failed", "removed", "blocked", "denied"})
        EXPECT_TRUE(values.contains(s)) << s;
}

TEST(HomeAssistantPayloads, ThePinEntityIsAHiddenEightDigitTextThatBecomesAPinRequest) {
    const auto entities = deviceEntities(context(), view(kLamp, "Lamp", DeviceStatus::Owning), true);
    const Entity* pin = nullptr;
    for (const auto& e : entities)
        if (e.component == "text") pin = &e;
    ASSERT_TRUE(pin);
    const auto& c = pin->config;
    EXPECT_EQ(c->getValue<std::string>("name"), "PIN");
    EXPECT_EQ(c->getValue<std::string>("mode"), "password");
    EXPECT_EQ(c->getValue<int>("min"), 8);
    EXPECT_EQ(c->getValue<int>("max"), 8);
    const std::regex pattern(c->getValue<std::string>("pattern"));
    EXPECT_TRUE(std::regex_search("01234567", pattern));
    EXPECT_FALSE(std::regex_search("1234567", pattern));
    EXPECT_FALSE(std::regex_search("123456789", pattern));
    EXPECT_FALSE(std::regex_search("1234567a", pattern));
    EXPECT_EQ(c->getValue<std::string>("command_topic"), "steward/bridge/request/pin");
    // Home Assistant renders {{ value }} with what was typed: the result is the pin request's body.
    auto body = c->getValue<std::string>("command_template");
    body.replace(body.find("{{ value }}"), 11, "01234567");
    const auto request = parse(body);
    EXPECT_EQ(request->getValue<std::string>("device"), kLamp);
    EXPECT_EQ(request->getValue<std::string>("pin"), "01234567");
}

TEST(HomeAssistantPayloads, PermitJoinState) {
    EXPECT_EQ(permitJoinState(0s), R"({"state":"OFF","remaining":0})");
    EXPECT_EQ(permitJoinState(-3s), R"({"state":"OFF","remaining":0})");
    EXPECT_EQ(permitJoinState(42s), R"({"state":"ON","remaining":42})");
}

// The publisher, recording what it publishes (retained: the last value per topic, as a broker).
class Recorder {
public:
    Publisher::Publish publish() {
        return [this](const std::string& topic, const std::string& payload, bool retain, bool /*force*/) {
            const std::lock_guard lock(mutex_);
            EXPECT_TRUE(retain) << topic;
            log_.emplace_back(topic, payload);
            if (payload.empty()) {
                retained_.erase(topic);
            } else {
                retained_[topic] = payload;
            }
        };
    }
    std::map<std::string, std::string> retained() const {
        const std::lock_guard lock(mutex_);
        return retained_;
    }
    std::vector<std::pair<std::string, std::string>> log() const {
        const std::lock_guard lock(mutex_);
        return log_;
    }
    void clearLog() {
        const std::lock_guard lock(mutex_);
        log_.clear();
    }
    std::set<std::string> deviceTopics(const std::string& id) const {
        std::set<std::string> out;
        for (const auto& [t, p] : retained())
            if (t.find("/steward_" + id + "/") != std::string::npos) out.insert(t);
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::string> retained_;
    std::vector<std::pair<std::string, std::string>> log_;
};

struct Directory {
    std::mutex mutex;
    std::map<core::Uuid, DeviceView> views;
    Publisher::Devices devices() {
        return {[this](const core::Uuid& id) -> std::optional<DeviceView> {
                    const std::lock_guard lock(mutex);
                    const auto it = views.find(id);
                    if (it == views.end()) return std::nullopt;
                    return it->second;
                },
                [this] {
                    const std::lock_guard lock(mutex);
                    std::vector<DeviceView> out;
                    for (const auto& [id, v] : views) out.push_back(v);
                    return out;
                },
                {}};
    }
    void set(const DeviceView& v) {
        const std::lock_guard lock(mutex);
        views[v.id] = v;
    }
};

Poco::JSON::Object::Ptr event(const std::string& device) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("device", device);
    return o;
}

std::string topicOf(const std::string& component, const std::string& node, const std::string& objectId) {
    return discoveryTopic(context(), component, node, objectId);
}

TEST(HomeAssistantPublisher, KeepsTheRetainedConfigsTrueAndClearsARemovedDevice) {
    Recorder broker;
    Directory directory;
    directory.set(view(kLamp, "Lamp", DeviceStatus::PendingApproval));
    Publisher publisher(context(), broker.publish(), directory.devices());
    EXPECT_EQ(broker.retained().at("steward/bridge/permit_join"), R"({"state":"OFF","remaining":0})");
    publisher.publishAll();
    EXPECT_EQ(broker.retained().size(), 1 + bridgeEntities(context()).size() + 4);
    EXPECT_EQ(broker.deviceTopics(kLamp), (std::set<std::string>{topicOf("sensor", kLamp, "state"), topicOf("button", kLamp, "approve"),
                                                                 topicOf("button", kLamp, "deny"), topicOf("button", kLamp, "remove")}));

    // Nothing changed: nothing published.
    broker.clearLog();
    publisher.deviceChanged(view(kLamp, "Lamp", DeviceStatus::PendingApproval));
    EXPECT_TRUE(broker.log().empty());

    // Approved and being owned: approve/deny cleared; a rename re-publishes with the new name.
    auto lamp = view(kLamp, "Hall lamp", DeviceStatus::Owning);
    directory.set(lamp);
    publisher.deviceChanged(lamp);
    EXPECT_EQ(broker.deviceTopics(kLamp), (std::set<std::string>{topicOf("sensor", kLamp, "state"), topicOf("button", kLamp, "remove")}));
    EXPECT_EQ(parse(broker.retained().at(topicOf("sensor", kLamp, "state")))->getObject("device")->getValue<std::string>("name"),
              "Hall lamp");
    const auto log = broker.log();
    ASSERT_GE(log.size(), 2u);
    EXPECT_TRUE(log[0].second.empty());  // cleared before anything new is said

    // A pairing request: the PIN entity, until the device is owned.
    publisher.event("pairing_request", event(kLamp));
    EXPECT_TRUE(broker.deviceTopics(kLamp).contains(topicOf("text", kLamp, "pin")));
    publisher.event("pairing_request", event(kLamp));  // announced again: still one
    lamp.status = DeviceStatus::Owned;
    directory.set(lamp);
    publisher.event("device_owned", event(kLamp));
    EXPECT_FALSE(broker.deviceTopics(kLamp).contains(topicOf("text", kLamp, "pin")));

    // Removed: every retained config of the device cleared, and published empty.
    broker.clearLog();
    lamp.status = DeviceStatus::Removed;
    directory.set(lamp);
    publisher.deviceChanged(lamp);
    EXPECT_TRUE(broker.deviceTopics(kLamp).empty());
    for (const auto& [t, p] : broker.log()) EXPECT_TRUE(p.empty()) << t;
    EXPECT_EQ(broker.log().size(), 2u);
    // Seen again as blocked: nothing comes back.
    lamp.status = DeviceStatus::Blocked;
    publisher.deviceChanged(lamp);
    EXPECT_TRUE(broker.deviceTopics(kLamp).empty());
}

TEST(HomeAssistantPublisher, TheBirthMessagePublishesEverythingAgain) {
    Recorder broker;
    Directory directory;
    directory.set(view(kLamp, "Lamp", DeviceStatus::Owned));
    Publisher publisher(context(), broker.publish(), directory.devices());
    publisher.publishAll();
    const auto before = broker.retained();
    broker.clearLog();
    publisher.homeAssistantStatus("offline");
    EXPECT_TRUE(broker.log().empty());
    publisher.homeAssistantStatus("online");
    std::map<std::string, std::string> again;
    for (const auto& [t, p] : broker.log()) again[t] = p;
    for (const auto& [t, p] : before) {
        if (t == "steward/bridge/permit_join") continue;
        EXPECT_EQ(again[t], p) << t;
    }
    EXPECT_EQ(again.size(), before.size() - 1);
}

TEST(HomeAssistantPublisher, PermitJoinCountsDownAndEnds) {
    Recorder broker;
    Directory directory;
    Publisher publisher(context(), broker.publish(), directory.devices());
    publisher.event("permit_join", [] {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("seconds", 3);
        return o;
    }());
    EXPECT_EQ(broker.retained().at("steward/bridge/permit_join"), R"({"state":"ON","remaining":3})");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (broker.retained().at("steward/bridge/permit_join") != R"({"state":"OFF","remaining":0})" &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    EXPECT_EQ(broker.retained().at("steward/bridge/permit_join"), R"({"state":"OFF","remaining":0})");
    bool countedDown = false;  // a second (or two) left, said while the window was open
    for (const auto& [t, p] : broker.log()) {
        countedDown = countedDown || p == R"({"state":"ON","remaining":1})" || p == R"({"state":"ON","remaining":2})";
    }
    EXPECT_TRUE(countedDown);
    // Closed early by {"time":0}: OFF at once.
    publisher.event("permit_join", [] {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("seconds", 100);
        return o;
    }());
    publisher.event("permit_join", [] {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("seconds", 0);
        return o;
    }());
    EXPECT_EQ(broker.retained().at("steward/bridge/permit_join"), R"({"state":"OFF","remaining":0})");
    publisher.stop();
}

}  // namespace
}  // namespace steward::bridge::home_assistant
