#include "device_functions/function_types.hpp"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace steward::bridge {
namespace {

using core::CborValue;

const CborValue* member(const CborValue& map, std::string_view key) {
    if (map.type() != CborValue::Type::Map) return nullptr;
    for (const auto& [k, v] : map.entries()) {
        if (k.type() == CborValue::Type::Text && k.textValue() == key) return &v;
    }
    return nullptr;
}

std::optional<double> number(const CborValue* v) {
    if (v == nullptr) return std::nullopt;
    switch (v->type()) {
        case CborValue::Type::Unsigned:
            return static_cast<double>(v->integerArgument());
        case CborValue::Type::Negative:
            return -1.0 - static_cast<double>(v->integerArgument());
        case CborValue::Type::Float:
            return std::isfinite(v->floatValue()) ? std::optional<double>(v->floatValue()) : std::nullopt;
        default:
            return std::nullopt;
    }
}

bool switchValue(const FunctionType& type, const CborValue& body) {
    const auto* value = member(body, type.property);
    if (value == nullptr || value->type() != CborValue::Type::Bool) {
        throw std::invalid_argument(std::string(type.name) + ": the resource has no boolean \"" + std::string(type.property) + "\"");
    }
    return value->boolValue();
}

// oic.r.temperature "units": C, F or K.
std::string temperatureUnit(const CborValue& body, std::string_view fallback) {
    const auto* units = member(body, "units");
    if (units == nullptr || units->type() != CborValue::Type::Text) return std::string(fallback);
    if (units->textValue() == "F") return "°F";
    if (units->textValue() == "K") return "K";
    return "°C";
}

Poco::JSON::Object::Ptr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// ON, OFF or TOGGLE (against `current`) as a boolean.
bool onOff(const std::string& word, const Poco::JSON::Object::Ptr& current) {
    if (word == "ON") return true;
    if (word == "OFF") return false;
    if (word == "TOGGLE") return !(current && current->optValue<std::string>("state", "OFF") == "ON");
    throw std::invalid_argument("\"state\" must be ON, OFF or TOGGLE, not \"" + word + "\"");
}

Poco::JSON::Object::Ptr commandObject(const std::string& payload) {
    std::string trimmed = payload;
    trimmed.erase(0, trimmed.find_first_not_of(" \t\r\n"));
    trimmed.erase(trimmed.find_last_not_of(" \t\r\n") + 1);
    if (trimmed == "ON" || trimmed == "OFF" || trimmed == "TOGGLE") {
        auto o = object();
        o->set("state", trimmed);
        return o;
    }
    Poco::Dynamic::Var parsed;
    try {
        parsed = Poco::JSON::Parser().parse(trimmed);
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("not a command: ON, OFF, TOGGLE or a JSON object (" + e.message() + ")");
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) throw std::invalid_argument("not a command: ON, OFF, TOGGLE or a JSON object");
    return parsed.extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

const std::vector<FunctionType>& functionTypes() {
    static const std::vector<FunctionType> table{
        {"light", FunctionKind::Light, {"oic.r.switch.binary", "oic.r.light.brightness"}, "value"},
        {"switch", FunctionKind::Switch, {"oic.r.switch.binary"}, "value"},
        // iotivity-lite's sample light (simpleserver's /a/light): {"state": bool, "power": int}.
        {"switch", FunctionKind::Switch, {"core.light"}, "state"},
        {"temperature", FunctionKind::Sensor, {"oic.r.temperature"}, "temperature", "temperature", "°C"},
        {"humidity", FunctionKind::Sensor, {"oic.r.humidity"}, "humidity", "humidity", "%"},
    };
    return table;
}

const FunctionType* functionTypeFor(const std::vector<std::string>& types) {
    for (const auto& t : functionTypes()) {
        const bool all = std::all_of(t.resourceTypes.begin(), t.resourceTypes.end(),
                                     [&](std::string_view rt) { return std::find(types.begin(), types.end(), rt) != types.end(); });
        if (all) return &t;
    }
    return nullptr;
}

int brightnessToHomeAssistant(int ocf) { return static_cast<int>(std::lround(std::clamp(ocf, 0, 100) * 255.0 / 100.0)); }
int brightnessToOcf(int homeAssistant) { return static_cast<int>(std::lround(std::clamp(homeAssistant, 0, 255) * 100.0 / 255.0)); }

Poco::JSON::Object::Ptr stateFromResource(const FunctionType& type, const CborValue& body) {
    auto state = object();
    switch (type.kind) {
        case FunctionKind::Light: {
            state->set("state", switchValue(type, body) ? "ON" : "OFF");
            const auto brightness = number(member(body, "brightness"));
            if (!brightness) throw std::invalid_argument("light: the resource has no numeric \"brightness\"");
            state->set("brightness", brightnessToHomeAssistant(static_cast<int>(std::lround(*brightness))));
            state->set("color_mode", "brightness");
            break;
        }
        case FunctionKind::Switch:
            state->set("state", switchValue(type, body) ? "ON" : "OFF");
            break;
        case FunctionKind::Sensor: {
            const auto value = number(member(body, type.property));
            if (!value)
                throw std::invalid_argument(std::string(type.name) + ": the resource has no numeric \"" + std::string(type.property) +
                                            "\"");
            state->set(std::string(type.property), *value);
            state->set("unit", type.name == "temperature" ? temperatureUnit(body, type.unit) : std::string(type.unit));
            break;
        }
    }
    return state;
}

CborValue commandToResource(const FunctionType& type, const std::string& payload, const Poco::JSON::Object::Ptr& current) {
    if (type.kind == FunctionKind::Sensor) throw std::invalid_argument(std::string(type.name) + " is a sensor: it takes no commands");
    const auto command = commandObject(payload);
    std::vector<CborValue::Pair> body;
    for (const auto& name : command->getNames()) {
        if (name == "state") {
            body.emplace_back(CborValue::text(std::string(type.property)),
                              CborValue::boolean(onOff(command->getValue<std::string>("state"), current)));
        } else if (name == "brightness" && type.kind == FunctionKind::Light) {
            const auto v = command->get("brightness");
            if (!v.isNumeric() || v.isBoolean()) throw std::invalid_argument("\"brightness\" must be a number from 0 to 255");
            const double b = v.convert<double>();
            if (!(b >= 0 && b <= 255)) throw std::invalid_argument("\"brightness\" must be a number from 0 to 255");
            body.emplace_back(CborValue::text("brightness"),
                              CborValue::unsignedInt(static_cast<std::uint64_t>(brightnessToOcf(static_cast<int>(std::lround(b))))));
        } else if (name == "color_mode") {
            continue;  // Home Assistant never sends it; a client echoing a state may
        } else {
            throw std::invalid_argument("a " + std::string(type.name) + " has no \"" + name + "\" to set");
        }
    }
    if (body.empty())
        throw std::invalid_argument("the command changes nothing (give \"state\"" +
                                    std::string(type.kind == FunctionKind::Light ? " or \"brightness\")" : ")"));
    return CborValue::map(std::move(body));
}

std::string resourceKey(const std::string& href) {
    std::string key;
    for (const char c : href) {
        if (c == '/' || c == '+' || c == '#') {
            if (!key.empty() && key.back() != '_') key += '_';
        } else {
            key += c;
        }
    }
    while (!key.empty() && key.back() == '_') key.pop_back();
    return key;
}

}  // namespace steward::bridge
