#include "home_assistant/discovery_payloads.hpp"

#include <Poco/JSON/Array.h>

#include <cctype>

namespace steward::bridge::home_assistant {
namespace {

Poco::JSON::Object::Ptr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

std::string topicOf(const Context& c, const std::string& suffix) { return c.base + "/" + suffix; }

// "MQTT" page, origin: who published the discovery message.
Poco::JSON::Object::Ptr origin(const Context& c) {
    auto o = object();
    o->set("name", "Steward");
    o->set("sw_version", c.version);
    return o;
}

// "MQTT" page, availability: the gateway's own state (its last will says offline) and, for what a
// device does, the device's reachability too (availability_mode "all": both must be online).
Poco::JSON::Array::Ptr availability(const Context& c, const std::string& device = "") {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    auto a = object();
    a->set("topic", topicOf(c, "bridge/state"));
    a->set("value_template", "{{ value_json.state }}");
    a->set("payload_available", "online");
    a->set("payload_not_available", "offline");
    list->add(a);
    if (!device.empty()) {
        auto d = object();
        d->set("topic", availabilityTopic(c, device));
        d->set("payload_available", "online");
        d->set("payload_not_available", "offline");
        list->add(d);
    }
    return list;
}

Poco::JSON::Array::Ptr identifiers(const std::string& node) {
    Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
    ids->add("steward_" + node);
    return ids;
}

Poco::JSON::Object::Ptr bridgeDevice(const Context& c) {
    auto d = object();
    d->set("identifiers", identifiers(c.gatewayId));
    d->set("name", "Steward gateway");
    d->set("manufacturer", "Steward");
    d->set("model", "stewardd (OCF onboarding gateway)");
    d->set("serial_number", c.gatewayId);
    d->set("sw_version", c.version);
    return d;
}

Poco::JSON::Object::Ptr deviceBlock(const Context& c, const DeviceView& v) {
    const auto id = v.id.toString();
    auto d = object();
    d->set("identifiers", identifiers(id));
    d->set("name", v.name.empty() ? "OCF device " + id.substr(0, 8) : v.name);
    d->set("manufacturer", "OCF device");
    if (!v.deviceTypes.empty()) d->set("model", v.deviceTypes.front());
    d->set("serial_number", id);
    d->set("via_device", "steward_" + c.gatewayId);
    return d;
}

// The part every entity shares: name (null: the device's main entity), unique_id, device, origin,
// availability.
Entity entity(const Context& c, const std::string& component, const std::string& node, const std::string& objectId, const std::string& name,
              const Poco::JSON::Object::Ptr& device, bool withAvailability = true) {
    Entity e{component, objectId, discoveryTopic(c, component, node, objectId), object()};
    if (name.empty()) {
        e.config->set("name", Poco::Dynamic::Var());  // null
    } else {
        e.config->set("name", name);
    }
    e.config->set("unique_id", "steward_" + node + "_" + objectId);
    e.config->set("device", device);
    e.config->set("origin", origin(c));
    if (withAvailability) {
        e.config->set("availability", availability(c));
        e.config->set("availability_mode", "all");
    }
    return e;
}

// Named by what it is when the device has several functions; the device's main entity (name null)
// when it has one.
std::string functionName(const BridgedFunction& f, std::size_t count) {
    if (count <= 1) return "";
    std::string name(f.type->name);
    name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    return name + " " + f.key;
}

Entity functionEntity(const Context& c, const DeviceView& v, const Poco::JSON::Object::Ptr& device, const BridgedFunction& f,
                      std::size_t count) {
    const auto id = v.id.toString();
    const auto stateTopic = functionStateTopic(c, id, f.key);
    const bool commands = f.writable && f.type->kind != FunctionKind::Sensor;
    std::string component = "sensor";
    if (f.type->kind == FunctionKind::Light) component = commands ? "light" : "binary_sensor";
    if (f.type->kind == FunctionKind::Switch) component = commands ? "switch" : "binary_sensor";
    auto e = entity(c, component, id, f.key, functionName(f, count), device, false);
    e.config->set("availability", availability(c, id));
    e.config->set("availability_mode", "all");
    e.config->set("state_topic", stateTopic);
    if (component == "light") {
        // "MQTT Light", JSON schema: the state topic carries {"state","brightness","color_mode"};
        // commands {"state","brightness"} with brightness 0-255.
        e.config->set("schema", "json");
        e.config->set("command_topic", stateTopic + "/set");
        e.config->set("brightness", true);
        e.config->set("brightness_scale", 255);
        e.config->set("color_mode", true);
        Poco::JSON::Array::Ptr modes = new Poco::JSON::Array;
        modes->add("brightness");
        e.config->set("supported_color_modes", modes);
    } else if (component == "switch") {
        e.config->set("command_topic", stateTopic + "/set");
        e.config->set("value_template", "{{ value_json.state }}");
        e.config->set("state_on", "ON");
        e.config->set("state_off", "OFF");
        e.config->set("payload_on", "ON");
        e.config->set("payload_off", "OFF");
    } else if (component == "binary_sensor") {
        // A light or switch the gateway may only read.
        e.config->set("value_template", "{{ value_json.state }}");
        e.config->set("payload_on", "ON");
        e.config->set("payload_off", "OFF");
        e.config->set("device_class", f.type->kind == FunctionKind::Light ? "light" : "power");
    } else {
        e.config->set("value_template", "{{ value_json." + std::string(f.type->property) + " }}");
        e.config->set("device_class", std::string(f.type->deviceClass));
        e.config->set("state_class", "measurement");
        e.config->set("unit_of_measurement", f.unit.empty() ? std::string(f.type->unit) : f.unit);
    }
    return e;
}

// A button that publishes {"device": id} to the gateway's request/<action>.
Entity requestButton(const Context& c, const DeviceView& v, const Poco::JSON::Object::Ptr& device, const std::string& action,
                     const std::string& name, const std::string& icon) {
    const auto id = v.id.toString();
    auto e = entity(c, "button", id, action, name, device);
    e.config->set("command_topic", topicOf(c, "bridge/request/" + action));
    e.config->set("payload_press", R"({"device":")" + id + R"("})");
    e.config->set("icon", icon);
    e.config->set("entity_category", "config");
    return e;
}

}  // namespace

std::string discoveryTopic(const Context& c, const std::string& component, const std::string& node, const std::string& objectId) {
    return c.prefix + "/" + component + "/steward_" + node + "/" + objectId + "/config";
}

std::string permitJoinTopic(const Context& c) { return topicOf(c, "bridge/permit_join"); }

std::string availabilityTopic(const Context& c, const std::string& device) { return topicOf(c, "devices/" + device + "/availability"); }

std::string functionStateTopic(const Context& c, const std::string& device, const std::string& key) {
    return topicOf(c, "devices/" + device + "/" + key);
}

std::string permitJoinState(std::chrono::seconds remaining) {
    const auto left = std::max<std::int64_t>(0, remaining.count());
    return std::string(R"({"state":")") + (left > 0 ? "ON" : "OFF") + R"(","remaining":)" + std::to_string(left) + "}";
}

bool shown(DeviceStatus status) { return status != DeviceStatus::Removed && status != DeviceStatus::Blocked; }

std::vector<Entity> bridgeEntities(const Context& c) {
    const auto& node = c.gatewayId;
    const auto device = bridgeDevice(c);
    std::vector<Entity> out;

    // "MQTT Binary sensor": the gateway's connection to the broker. No availability of its own: it
    // is the availability.
    auto connection = entity(c, "binary_sensor", node, "connection_state", "Connection state", device, false);
    connection.config->set("state_topic", topicOf(c, "bridge/state"));
    connection.config->set("value_template", "{{ value_json.state }}");
    connection.config->set("payload_on", "online");
    connection.config->set("payload_off", "offline");
    connection.config->set("device_class", "connectivity");
    connection.config->set("entity_category", "diagnostic");
    out.push_back(connection);

    auto version = entity(c, "sensor", node, "version", "Version", device);
    version.config->set("state_topic", topicOf(c, "bridge/info"));
    version.config->set("value_template", "{{ value_json.version }}");
    version.config->set("icon", "mdi:information-outline");
    version.config->set("entity_category", "diagnostic");
    out.push_back(version);

    // "MQTT Switch": on asks for a window of the configured length, off closes it; the state comes
    // from the gateway (the permit_join events, and the window running out).
    auto permit = entity(c, "switch", node, "permit_join", "Permit join", device);
    permit.config->set("state_topic", permitJoinTopic(c));
    permit.config->set("value_template", "{{ value_json.state }}");
    permit.config->set("state_on", "ON");
    permit.config->set("state_off", "OFF");
    permit.config->set("command_topic", topicOf(c, "bridge/request/permit_join"));
    permit.config->set("payload_on", R"({"time":)" + std::to_string(c.permitJoinSeconds) + "}");
    permit.config->set("payload_off", R"({"time":0})");
    permit.config->set("icon", "mdi:account-plus");
    out.push_back(permit);

    auto remaining = entity(c, "sensor", node, "permit_join_remaining", "Permit join remaining", device);
    remaining.config->set("state_topic", permitJoinTopic(c));
    remaining.config->set("value_template", "{{ value_json.remaining }}");
    remaining.config->set("unit_of_measurement", "s");
    remaining.config->set("device_class", "duration");
    remaining.config->set("icon", "mdi:timer-outline");
    out.push_back(remaining);

    // From the retained device list: no topic of its own.
    auto pending = entity(c, "sensor", node, "pending_approval", "Devices waiting for approval", device);
    pending.config->set("state_topic", topicOf(c, "bridge/devices"));
    pending.config->set("value_template", "{{ value_json | selectattr('state', 'equalto', 'pending_approval') | list | length }}");
    pending.config->set("state_class", "measurement");
    pending.config->set("icon", "mdi:account-clock");
    out.push_back(pending);

    // "MQTT Sensor": the onboarding metrics (<base>/bridge/metrics). The object_ids are the ones
    // published before issue 17: Home Assistant keeps their history.
    struct Metric {
        const char* objectId;
        const char* name;
        const char* value;
        const char* stateClass;
        const char* unit;  // empty: none
        const char* icon;
    };
    static const Metric metrics[] = {
        {"devices_owned", "Devices owned", "{{ value_json.devices_owned }}", "measurement", "", "mdi:shield-check"},
        {"ownership_failures", "Ownership failures", "{{ value_json.failures_total }}", "total_increasing", "", "mdi:shield-alert"},
        {"time_to_own_p50", "Time to own (median)", "{{ value_json.time_to_own_ms.p50 }}", "measurement", "ms", "mdi:timer-sand"},
        {"time_to_own_p99", "Time to own (99th percentile)", "{{ value_json.time_to_own_ms.p99 }}", "measurement", "ms", "mdi:timer-sand"},
    };
    for (const auto& m : metrics) {
        auto s = entity(c, "sensor", node, m.objectId, m.name, device);
        s.config->set("state_topic", topicOf(c, "bridge/metrics"));
        s.config->set("value_template", m.value);
        s.config->set("state_class", m.stateClass);
        if (*m.unit) {
            s.config->set("unit_of_measurement", m.unit);
            s.config->set("device_class", "duration");
        }
        s.config->set("icon", m.icon);
        s.config->set("entity_category", "diagnostic");
        out.push_back(s);
    }
    return out;
}

std::vector<Entity> deviceEntities(const Context& c, const DeviceView& v, bool pairingOpen, const DeviceFunctionsView& functions) {
    std::vector<Entity> out;
    if (!shown(v.status)) return out;
    const auto id = v.id.toString();
    const auto device = deviceBlock(c, v);

    // The object_id "state" is the one published before issue 17: Home Assistant keeps the history.
    auto state = entity(c, "sensor", id, "state", "Security state", device);
    state.config->set("state_topic", topicOf(c, "devices/" + id));
    state.config->set("value_template", "{{ value_json.state }}");
    state.config->set("json_attributes_topic", topicOf(c, "devices/" + id));
    state.config->set("device_class", "enum");
    Poco::JSON::Array::Ptr options = new Poco::JSON::Array;
    for (const auto s :
         {DeviceStatus::Unowned, DeviceStatus::PendingApproval, DeviceStatus::Denied, DeviceStatus::Owning, DeviceStatus::Owned,
          DeviceStatus::Provisioned, DeviceStatus::Failed, DeviceStatus::Removed, DeviceStatus::Blocked}) {
        options->add(std::string(toString(s)));
    }
    state.config->set("options", options);
    state.config->set("icon", "mdi:shield-lock");
    state.config->set("entity_category", "diagnostic");
    out.push_back(state);

    if (v.status == DeviceStatus::PendingApproval) {
        out.push_back(requestButton(c, v, device, "approve", "Approve", "mdi:check-decagram"));
        out.push_back(requestButton(c, v, device, "deny", "Deny", "mdi:close-octagon"));
    }

    // "MQTT Text": what is typed goes to request/pin with the device; 8 digits, hidden.
    if (pairingOpen) {
        auto pin = entity(c, "text", id, "pin", "PIN", device);
        pin.config->set("command_topic", topicOf(c, "bridge/request/pin"));
        pin.config->set("command_template", R"({"device":")" + id + R"(","pin":"{{ value }}"})");
        pin.config->set("mode", "password");
        pin.config->set("pattern", "^[0-9]{8}$");
        pin.config->set("min", 8);
        pin.config->set("max", 8);
        pin.config->set("icon", "mdi:form-textbox-password");
        out.push_back(pin);
    }

    out.push_back(requestButton(c, v, device, "remove", "Remove", "mdi:delete"));

    if (functions.polled) {
        // Follows the gateway only: it says whether the device answers, also when it does not.
        auto reachable = entity(c, "binary_sensor", id, "reachable", "Reachable", device);
        reachable.config->set("state_topic", availabilityTopic(c, id));
        reachable.config->set("payload_on", "online");
        reachable.config->set("payload_off", "offline");
        reachable.config->set("device_class", "connectivity");
        reachable.config->set("entity_category", "diagnostic");
        out.push_back(reachable);
        for (const auto& f : functions.functions) out.push_back(functionEntity(c, v, device, f, functions.functions.size()));
    }
    return out;
}

}  // namespace steward::bridge::home_assistant
