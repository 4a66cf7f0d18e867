#include "mqtt_bridge.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "request_json.hpp"
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
    o.keepAliveSeconds = c.mqtt.keepAlive;
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
    functions_ = std::make_unique<DeviceFunctions>(
        DeviceFunctions::Options{base_, config_.devices.pollInterval, config_.devices.timeout},
        DeviceFunctions::Access{*gateway_.endpoint, gateway_.identity},
        DeviceFunctions::Hooks{[this](const std::string& t, const std::string& payload, bool retain) {
                                   client_->publish({t, payload, retain, 1});
                               },
                               [this](const std::string& type, Poco::JSON::Object::Ptr data) { event(type, std::move(data)); },
                               [this](const core::Uuid& id) {
                                   if (!homeAssistant_) return;
                                   if (const auto view = directory_.get(id)) homeAssistant_->deviceChanged(*view);
                               },
                               [this](const std::string& line) { log_(line); }});
    list_ = std::make_unique<DeviceListPublisher>(
        config_.mqtt.deviceListInterval, [this] { publishDeviceList(); }, [this](const std::string& line) { log_("mqtt: " + line); });
    if (config_.mqtt.homeAssistant) {
        home_assistant::Context c{config_.mqtt.homeAssistantPrefix, base_, gateway_.identity.id().toString(),
                                  std::string(core::versionText()), config_.ownership.permitJoinDefault.count()};
        homeAssistant_ = std::make_unique<home_assistant::Publisher>(
            std::move(c),
            [this](const std::string& t, const std::string& payload, bool retain, bool force) {
                client_->publish({t, payload, retain, 1}, force);
            },
            home_assistant::Publisher::Devices{
                [this](const core::Uuid& id) { return directory_.get(id); }, [this] { return directory_.all(); },
                [this](const core::Uuid& id) {
                    return home_assistant::DeviceFunctionsView{functions_->tracked(id), functions_->functionsOf(id)};
                }},
            log_);
    }
}

MqttBridge::~MqttBridge() { stop(); }

void MqttBridge::start(RequestHandler onRequest) {
    const auto prefix = topic("bridge/request/");
    requests_ = std::make_unique<RequestDispatcher>(
        static_cast<std::size_t>(config_.mqtt.maxPendingRequests), std::move(onRequest),
        // Busy or cancelled; a malformed request still gets the router's clear error.
        [this](const std::string& action, const std::string& payload, const std::string& error) { refuse(action, payload, error, true); },
        [this](const std::string& line) { log_("mqtt: " + line); });
    // "#": actions may have levels of their own (idprov/oob). Only copied here: this thread must
    // get back to reading, or the broker's queue for us overflows under a burst.
    client_->subscribe(prefix + "#", 1,
                       [this, prefix](const MqttMessage& m) { requests_->submit(m.topic.substr(prefix.size()), m.payload); });
    // Commands to the devices' functions: queued for the functions' worker, never run here.
    client_->subscribe(functions_->commandFilter(), 1, [this](const MqttMessage& m) {
        if (const auto target = functions_->parseCommandTopic(m.topic)) functions_->command(target->first, target->second, m.payload);
    });
    if (homeAssistant_) {
        // Home Assistant's birth message: it (re)started and needs the discovery messages again.
        client_->subscribe(homeAssistant_->statusTopic(), 1,
                           [ha = homeAssistant_.get()](const MqttMessage& m) { ha->homeAssistantStatus(m.payload); });
        // The retained configs a previous run left for devices that are gone: cleared (no ghosts).
        client_->subscribe(homeAssistant_->configFilter(), 1,
                           [ha = homeAssistant_.get()](const MqttMessage& m) { ha->configSeen(m.topic, m.payload, m.retain); });
        homeAssistant_->publishAll();
        homeAssistant_->startSweep();
    }
    functions_->start();
    client_->start();
}

void MqttBridge::stop() {
    // First: the answers to the requests still queued go out before the connection closes.
    if (requests_) requests_->stop("the gateway is shutting down");
    functions_->stop();
    if (homeAssistant_) homeAssistant_->stop();
    list_->stop();  // a pending list goes out before "offline"
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

void MqttBridge::refuse(const std::string& action, const std::string& payload, const std::string& error, bool bodyErrorFirst) {
    Poco::Dynamic::Var transaction;
    try {
        const auto body = parseRequestBody(payload);
        if (body->has("transaction")) transaction = body->get("transaction");
    } catch (const RequestError& e) {
        if (auto salvaged = salvageTransaction(payload)) transaction = *salvaged;
        if (bodyErrorFirst) return respondError(action, transaction, e.what());
    }
    respondError(action, transaction, error);
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
    publishDevice(*view);
    list_->changed();
}

// The device's retained topic (MqttClient skips a payload equal to the one it last sent), its
// functions' polling, its Home Assistant configs.
void MqttBridge::publishDevice(const DeviceView& view) {
    std::vector<core::Uuid> links;
    for (const auto& l : gateway_.pdm->links(view.id)) links.push_back(l.a == view.id ? l.b : l.a);
    publishJson(topic("devices/" + view.id.toString()), deviceJson(view, links), true);
    trackFunctions(view);
    if (homeAssistant_) homeAssistant_->deviceChanged(view);
}

void MqttBridge::trackFunctions(const DeviceView& view) {
    const bool owned = view.status == DeviceStatus::Owned || view.status == DeviceStatus::Provisioned;
    std::string policies = std::string(toString(view.status));
    for (const auto& p : view.policies) policies += "," + p;
    bool changed = false;
    {
        const std::lock_guard lock(trackedMutex_);
        if (owned) {
            auto& last = tracked_[view.id];
            changed = last != policies;
            last = policies;
        } else if (tracked_.erase(view.id) == 0) {
            return;  // never tracked: nothing to clear
        }
    }
    if (owned) {
        functions_->track(view.id, core::PeerAddress{view.address, view.securePort}, changed);
    } else {
        functions_->track(view.id, std::nullopt, false);
    }
}

void MqttBridge::publishAllDevices() {
    for (const auto& v : directory_.all()) publishDevice(v);
    list_->flush();
}

void MqttBridge::publishDeviceList() {
    // Written one device at a time: a JSON tree of the whole fleet costs about 0.5 KB per device at
    // its peak, memory the allocator then keeps (10,000 devices: +10 MB resident).
    std::ostringstream out;
    out << '[';
    bool first = true;
    directory_.forEach([&](const DeviceView& v) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("uuid", v.id.toString());
        o.set("name", v.name);
        o.set("state", std::string(toString(v.status)));
        o.set("otm", v.otm);
        if (!first) out << ',';
        first = false;
        o.stringify(out);
    });
    out << ']';
    client_->publish({topic("bridge/devices"), std::move(out).str(), true, 1});
}

void MqttBridge::metricsChanged() { publishJson(topic("bridge/metrics"), metrics_.json(), true); }

void MqttBridge::publishInfo(Poco::JSON::Object::Ptr info) { publishJson(topic("bridge/info"), info, true); }

}  // namespace steward::bridge
