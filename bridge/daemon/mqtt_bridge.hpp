#pragma once
// The daemon on MQTT (zigbee2mqtt-style, architecture.md "MQTT API"): availability with a last will
// (<base>/bridge/state), bridge info, the retained device list and per-device state, events,
// metrics, Home Assistant discovery messages (optional, home_assistant/), the functions of owned
// devices (device_functions/: their reachability, state and commands), and requests on
// <base>/bridge/request/<action> answered on <base>/bridge/response/<action>. Never blocks the
// provisioning core: MqttClient queues while the broker is away.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "daemon_config.hpp"
#include "device_directory.hpp"
#include "device_functions/device_functions.hpp"
#include "device_list_publisher.hpp"
#include "event_sink.hpp"
#include "home_assistant/publisher.hpp"
#include "mqtt/mqtt_client.hpp"
#include "onboarding_metrics.hpp"
#include "request_dispatcher.hpp"
#include "steward/gateway/gateway_state.hpp"

namespace steward::bridge {

class MqttBridge final : public EventSink {
public:
    using RequestHandler = std::function<void(const std::string& action, const std::string& payload)>;

    MqttBridge(const DaemonConfig& config, core::GatewayState& gateway, DeviceDirectory& directory, OnboardingMetrics& metrics,
               std::function<void(const std::string&)> log);
    ~MqttBridge() override;

    // Subscribes to the request topics and connects. The MQTT thread only queues a request
    // (RequestDispatcher, at most mqtt.max_pending_requests; beyond that it answers "busy" at once);
    // `onRequest` runs on the dispatcher thread, one request at a time, in arrival order.
    void start(RequestHandler onRequest);
    // Requests still queued are answered as cancelled, then the connection closes.
    void stop();

    // {"status":"ok","data":data} or {"status":"error","error":error}, with the request's transaction.
    void respondOk(const std::string& action, const Poco::Dynamic::Var& transaction, const Poco::Dynamic::Var& data);
    void respondError(const std::string& action, const Poco::Dynamic::Var& transaction, const std::string& error);
    // An error response to a request not handled, with the transaction read from its payload
    // (salvaged from a body that does not parse). With `bodyErrorFirst`, a body that does not parse
    // is answered with what is wrong with it instead: retrying it would not help. Any thread.
    void refuse(const std::string& action, const std::string& payload, const std::string& error, bool bodyErrorFirst = false);

    void event(const std::string& type, Poco::JSON::Object::Ptr data) override;
    // The device's own topic at once; the device list (bridge/devices) at a bounded rate
    // (mqtt.device_list_interval_ms, DeviceListPublisher).
    void deviceChanged(const core::Uuid& id) override;
    void metricsChanged() override;
    void publishInfo(Poco::JSON::Object::Ptr info);
    // Start-up: every device's topic once, then the device list once.
    void publishAllDevices();

    std::string topic(const std::string& suffix) const { return base_ + "/" + suffix; }
    MqttClient& client() { return *client_; }
    DeviceFunctions& functions() { return *functions_; }

private:
    void publishJson(const std::string& topic, const Poco::Dynamic::Var& value, bool retain);
    void publishDeviceList();
    void publishDevice(const DeviceView& view);
    void trackFunctions(const DeviceView& view);

    const DaemonConfig& config_;
    core::GatewayState& gateway_;
    DeviceDirectory& directory_;
    OnboardingMetrics& metrics_;
    std::function<void(const std::string&)> log_;
    std::string base_;
    std::unique_ptr<MqttClient> client_;
    std::unique_ptr<home_assistant::Publisher> homeAssistant_;  // when mqtt.homeassistant is on
    std::unique_ptr<DeviceFunctions> functions_;
    std::unique_ptr<DeviceListPublisher> list_;
    std::unique_ptr<RequestDispatcher> requests_;  // kept after stop(): the MQTT thread may submit until the client stops
    std::mutex trackedMutex_;
    std::map<core::Uuid, std::string> tracked_;  // owned devices polled, and what their policies were
};

}  // namespace steward::bridge
