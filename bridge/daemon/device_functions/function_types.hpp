#pragma once
// Which OCF resources Steward bridges as device functions, and how: one table keyed by resource
// type (rt), most specific first, and the conversions between a resource's OCF properties and the
// function's JSON state and commands on MQTT (<base>/devices/<uuid>/<key>, .../<key>/set).
//
//   rt on the resource                              function  state on MQTT
//   oic.r.switch.binary + oic.r.light.brightness    light     {"state":"ON","brightness":0-255,"color_mode":"brightness"}
//   oic.r.switch.binary                             switch    {"state":"ON"}
//   core.light (iotivity-lite's sample light)       switch    {"state":"ON"}  (its "state" property)
//   oic.r.temperature                               sensor    {"temperature":21.5,"unit":"°C"}
//   oic.r.humidity                                  sensor    {"humidity":40}
//
// The JSON is what Home Assistant's MQTT light (JSON schema), switch and sensor read and send, as
// zigbee2mqtt's device topics are. OCF brightness is 0-100 and Home Assistant's 0-255: scaled both
// ways, rounding to the nearest, so that a value survives a round trip.
#include <Poco/JSON/Object.h>

#include <string>
#include <string_view>
#include <vector>

#include "steward/cbor/cbor_value.hpp"

namespace steward::bridge {

enum class FunctionKind { Light, Switch, Sensor };

struct FunctionType {
    std::string_view name;  // "light", "switch", "temperature", "humidity"
    FunctionKind kind;
    std::vector<std::string_view> resourceTypes;  // every one of these is on the resource
    // Lights and switches: the boolean on/off property. Sensors: the property read (also the JSON
    // key), Home Assistant's device class, the unit when the resource does not say ("units" of
    // oic.r.temperature does).
    std::string_view property = {};
    std::string_view deviceClass = {};
    std::string_view unit = {};
};

const std::vector<FunctionType>& functionTypes();
// The first type of the table whose resource types are all in `types`; nullptr when none is.
const FunctionType* functionTypeFor(const std::vector<std::string>& types);

// The function's state from the resource's body. Throws std::invalid_argument when the body lacks
// what the type needs (a light without a boolean "value").
Poco::JSON::Object::Ptr stateFromResource(const FunctionType& type, const core::CborValue& body);

// A command as the body to POST: a JSON object ({"state":"ON","brightness":128}), or, for lights
// and switches, the bare words ON, OFF or TOGGLE (TOGGLE turns over `current`'s state). Throws
// std::invalid_argument for anything malformed or that the function cannot do (sensors take none).
core::CborValue commandToResource(const FunctionType& type, const std::string& payload, const Poco::JSON::Object::Ptr& current);

// A resource's topic level: "/a/light" -> "a_light" (no '/', '+', '#').
std::string resourceKey(const std::string& href);

// Brightness between OCF (0-100) and Home Assistant (0-255), to the nearest.
int brightnessToHomeAssistant(int ocf);
int brightnessToOcf(int homeAssistant);

}  // namespace steward::bridge
