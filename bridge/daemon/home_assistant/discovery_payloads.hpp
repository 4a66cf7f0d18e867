#pragma once
// Home Assistant MQTT discovery (issue 17): the retained config messages that make the gateway and
// every device it knows appear in Home Assistant. Pure functions of what they are given, so that
// every payload can be checked on its own (tests/bridge/daemon/home_assistant_test.cpp).
//
// After Home Assistant's documentation pages "MQTT" (discovery topic, device and origin blocks,
// availability, entity naming, birth message), "MQTT Binary sensor", "MQTT Sensor", "MQTT Switch",
// "MQTT Button" and "MQTT Text".
//
// One discovery message per entity, on <prefix>/<component>/steward_<node>/<object_id>/config, where
// <node> is the gateway's UUID for the bridge's entities and the device's UUID for a device's; the
// unique_id is steward_<node>_<object_id>. The device block carries the name (the entities are
// named by what they are, has_entity_name). Every command goes through the gateway's own request
// topics (<base>/bridge/request/<action>), the same path as any other client's requests.
#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "device_directory.hpp"
#include "device_functions/device_functions.hpp"

namespace steward::bridge::home_assistant {

struct Context {
    std::string prefix;                    // the discovery prefix ("homeassistant")
    std::string base;                      // the gateway's base topic ("steward")
    std::string gatewayId;                 // the gateway's UUID
    std::string version;                   // core::versionText()
    std::int64_t permitJoinSeconds = 120;  // what the permit-join switch asks for when turned on
};

struct Entity {
    std::string component;  // "sensor", "binary_sensor", "switch", "button", "text"
    std::string objectId;
    std::string topic;  // the discovery topic
    Poco::JSON::Object::Ptr config;
};

// <prefix>/<component>/steward_<node>/<objectId>/config
std::string discoveryTopic(const Context& c, const std::string& component, const std::string& node, const std::string& objectId);

// The topic holding the permit-join state the bridge's switch and sensor read
// (<base>/bridge/permit_join, retained), and its payload.
std::string permitJoinTopic(const Context& c);
std::string permitJoinState(std::chrono::seconds remaining);

// The bridge device ("Steward gateway"): connection state, version, permit join and its remaining
// time, devices waiting for approval, the onboarding metrics.
std::vector<Entity> bridgeEntities(const Context& c);

// What the gateway bridges of an owned device: its reachability (polled) and its functions.
struct DeviceFunctionsView {
    bool polled = false;  // its reachability is published (<base>/devices/<uuid>/availability)
    std::vector<BridgedFunction> functions;
};

// What a device shows, given its state: its security state and a remove button always; approve and
// deny buttons while it waits for approval; a PIN text entity while `pairingOpen` (a Random-PIN
// pairing request waits for its PIN); once owned, a Reachable sensor and one entity per bridged
// function ("MQTT Light" JSON schema, "MQTT Switch", "MQTT Sensor", or a binary sensor for a
// light or switch the gateway may only read), which are unavailable while the device is
// unreachable. Nothing for a removed or blocked device: its configs are cleared.
std::vector<Entity> deviceEntities(const Context& c, const DeviceView& device, bool pairingOpen, const DeviceFunctionsView& functions = {});

// The topics the gateway keeps for a device: its reachability and a function's state.
std::string availabilityTopic(const Context& c, const std::string& device);
std::string functionStateTopic(const Context& c, const std::string& device, const std::string& key);

// Whether a device in this state is shown in Home Assistant at all.
bool shown(DeviceStatus status);

}  // namespace steward::bridge::home_assistant
