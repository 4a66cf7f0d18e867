#include "mqtt_bridge.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "steward/version.hpp"

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
      client_(std::make_unique<MqttClient>(clientOptions(config, base_, log_))) {
    if (config_.mqtt.homeAssistant) {
        home_assistant::Context c{config_.mqtt.homeAssistantPrefix, base_, gateway_.identity.id().toString(),
                                  std::string(core::versionText()), config_.ownership.permitJoinDefault.count()};
        homeAssistant_ = std::make_unique<home_assistant::Publisher>(
            std::move(c),
            [this](const std::string& t, const std::string& payload, bool retain) {
                client_->publish({t, payload, retain, 1});
            },
            home_assistant::Publisher::Devices{[this](const core::Uuid& id) { return directory_.get(id); },
                                               [this] { return directory_.all(); }});
    }
}

MqttBridge::~MqttBridge() { stop(); }

void MqttBridge::start(RequestHandler onRequest) {
    const auto prefix = topic("bridge/request/");
    // "#": actions may have levels of their own (idprov/oob).
    client_->subscribe(prefix + "#", 1,
                       [this, prefix, onRequest](const MqttMessage& m) { onRequest(m.topic.substr(prefix.size()), m.payload); });
    if (homeAssistant_) {
        // Home Assistant's birth message: it (re)started and needs the discovery messages again.
        client_->subscribe(homeAssistant_->statusTopic(), 1,
                           [ha = homeAssistant_.get()](const MqttMessage& m) { ha->homeAssistantStatus(m.payload); });
        homeAssistant_->publishAll();
    }
    client_->start();
}

void MqttBridge::stop() {
    if (homeAssistant_) homeAssistant_->stop();
    client_->stop();
}

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
    if (homeAssistant_) homeAssistant_->event(type, data);
}

void MqttBridge::deviceChanged(const core::Uuid& id) {
    const auto view = directory_.get(id);
    if (!view) return;
    std::vector<core::Uuid> links;
    for (const auto& l : gateway_.pdm->links(id)) links.push_back(l.a == id ? l.b : l.a);
    publishJson(topic("devices/" + id.toString()), deviceJson(*view, links), true);
    publishDeviceList();
    if (homeAssistant_) homeAssistant_->deviceChanged(*view);
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

void MqttBridge::metricsChanged() { publishJson(topic("bridge/metrics"), metrics_.json(), true); }

void MqttBridge::publishInfo(Poco::JSON::Object::Ptr info) { publishJson(topic("bridge/info"), info, true); }

}  // namespace steward::bridge
