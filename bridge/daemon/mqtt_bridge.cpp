#include "mqtt_bridge.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace steward::bridge {
namespace {

std::string stringify(const Poco::Dynamic::Var& value) {
    std::ostringstream s;
    Poco::JSON::Stringifier::stringify(value, s);
    return s.str();
}

std::string stateJson(const char* state) { return std::string("{\"state\":\"") + state + "\"}"; }

MqttOptions clientOptions(const DaemonConfig& c, const std::string& base, std::function<void(const std::string&)> log) {
    MqttOptions o;
    o.host = c.mqtt.host;
    o.port = c.mqtt.port;
    o.clientId = c.mqtt.clientId;
    o.username = c.mqtt.username;
    o.password = c.mqtt.password;
    if (!c.mqtt.caFile.empty()) o.tls = MqttTls{c.mqtt.caFile, c.mqtt.certFile, c.mqtt.keyFile, false};
    o.willTopic = base + "/bridge/state";
    o.willPayload = stateJson("offline");
    o.onlineTopic = base + "/bridge/state";
    o.onlinePayload = stateJson("online");
    o.log = [log](const std::string& line) { log("mqtt: " + line); };
    return o;
}

}  // namespace

MqttBridge::MqttBridge(const DaemonConfig& config, core::GatewayState& gateway, DeviceDirectory& directory, OnboardingMetrics& metrics,
                       std::function<void(const std::string&)> log)
    : config_(config),
      gateway_(gateway),
      directory_(directory),
      metrics_(metrics),
      log_(std::move(log)),
      base_(config.mqtt.baseTopic),
      client_(std::make_unique<MqttClient>(clientOptions(config, base_, log_))) {}

MqttBridge::~MqttBridge() { stop(); }

void MqttBridge::start(RequestHandler onRequest) {
    const auto prefix = topic("bridge/request/");
    // "#": actions may have levels of their own (idprov/oob).
    client_->subscribe(prefix + "#", 1,
                       [this, prefix, onRequest](const MqttMessage& m) { onRequest(m.topic.substr(prefix.size()), m.payload); });
    client_->start();
}

void MqttBridge::stop() { client_->stop(); }

void MqttBridge::publishJson(const std::string& t, const Poco::Dynamic::Var& value, bool retain) {
    client_->publish({t, stringify(value), retain, 1});
}

void MqttBridge::respondOk(const std::string& action, const Poco::Dynamic::Var& transaction, const Poco::Dynamic::Var& data) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("status", "ok");
    o->set("data", data);
    if (!transaction.isEmpty()) o->set("transaction", transaction);
    publishJson(topic("bridge/response/" + action), o, false);
}

void MqttBridge::respondError(const std::string& action, const Poco::Dynamic::Var& transaction, const std::string& error) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("status", "error");
    o->set("error", error);
    if (!transaction.isEmpty()) o->set("transaction", transaction);
    publishJson(topic("bridge/response/" + action), o, false);
}

void MqttBridge::event(const std::string& type, Poco::JSON::Object::Ptr data) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("type", type);
    o->set("data", data);
    publishJson(topic("bridge/event"), o, false);
}

void MqttBridge::deviceChanged(const core::Uuid& id) {
    const auto view = directory_.get(id);
    if (!view) return;
    std::vector<core::Uuid> links;
    for (const auto& l : gateway_.pdm->links(id)) links.push_back(l.a == id ? l.b : l.a);
    publishJson(topic("devices/" + id.toString()), deviceJson(*view, links), true);
    publishDeviceList();
    if (config_.mqtt.homeAssistant) publishHomeAssistant(*view);
}

void MqttBridge::publishAllDevices() {
    for (const auto& v : directory_.all()) deviceChanged(v.id);
    publishDeviceList();
}

void MqttBridge::publishDeviceList() {
    Poco::JSON::Array list;
    for (const auto& v : directory_.all()) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("uuid", v.id.toString());
        o->set("name", v.name);
        o->set("state", std::string(toString(v.status)));
        o->set("otm", v.otm);
        list.add(o);
    }
    publishJson(topic("bridge/devices"), list, true);
}

void MqttBridge::metricsChanged() {
    publishJson(topic("bridge/metrics"), metrics_.json(), true);
    if (!config_.mqtt.homeAssistant) return;
    const auto& prefix = config_.mqtt.homeAssistantPrefix;
    static const std::vector<std::pair<std::string, std::string>> sensors{
        {"devices_owned", "{{ value_json.devices_owned }}"},
        {"ownership_failures", "{{ value_json.failures_total }}"},
        {"time_to_own_p50", "{{ value_json.time_to_own_ms.p50 }}"},
        {"time_to_own_p99", "{{ value_json.time_to_own_ms.p99 }}"},
    };
    for (const auto& [name, tpl] : sensors) {
        Poco::JSON::Object::Ptr cfg = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        cfg->set("name", "Steward " + name);
        cfg->set("unique_id", "steward_" + gateway_.identity.id().toString() + "_" + name);
        cfg->set("state_topic", topic("bridge/metrics"));
        cfg->set("value_template", tpl);
        if (name.rfind("time_to_own", 0) == 0) cfg->set("unit_of_measurement", "ms");
        cfg->set("availability_topic", topic("bridge/state"));
        cfg->set("availability_template", "{{ value_json.state }}");
        publishJson(prefix + "/sensor/steward_" + gateway_.identity.id().toString() + "/" + name + "/config", cfg, true);
    }
}

void MqttBridge::publishHomeAssistant(const DeviceView& device) {
    {
        const std::lock_guard lock(haMutex_);
        if (!haAnnounced_.insert(device.id).second) return;
    }
    const auto id = device.id.toString();
    Poco::JSON::Object::Ptr cfg = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    cfg->set("name", device.name.empty() ? "Steward device " + id : device.name);
    cfg->set("unique_id", "steward_" + id + "_state");
    cfg->set("state_topic", topic("devices/" + id));
    cfg->set("value_template", "{{ value_json.state }}");
    cfg->set("json_attributes_topic", topic("devices/" + id));
    cfg->set("availability_topic", topic("bridge/state"));
    cfg->set("availability_template", "{{ value_json.state }}");
    cfg->set("icon", "mdi:shield-lock");
    Poco::JSON::Object::Ptr dev = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    Poco::JSON::Array ids;
    ids.add("steward_" + id);
    dev->set("identifiers", ids);
    dev->set("name", device.name.empty() ? id : device.name);
    dev->set("manufacturer", "OCF device (via Steward)");
    cfg->set("device", dev);
    publishJson(config_.mqtt.homeAssistantPrefix + "/sensor/steward_" + id + "/state/config", cfg, true);
}

void MqttBridge::publishInfo(Poco::JSON::Object::Ptr info) { publishJson(topic("bridge/info"), info, true); }

}  // namespace steward::bridge
