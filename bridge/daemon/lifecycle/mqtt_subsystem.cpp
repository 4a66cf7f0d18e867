#include "mqtt_subsystem.hpp"

#include <chrono>
#include <thread>

namespace steward::bridge {

MqttSubsystem::MqttSubsystem(const ConfigurationSubsystem& configuration, const StorageSubsystem& storage, const DeviceSubsystem& devices,
                             MqttClient::ConnectionHandler onConnection)
    : configuration_(configuration), storage_(storage), devices_(devices), onConnection_(std::move(onConnection)) {}

MqttSubsystem::~MqttSubsystem() { uninitialize(); }

MqttBridge& MqttSubsystem::bridge() const {
    if (!bridge_) throw std::logic_error("the MQTT bridge is not up");
    return *bridge_;
}

OnboardingMetrics& MqttSubsystem::metrics() const {
    if (!metrics_) throw std::logic_error("the MQTT bridge is not up");
    return *metrics_;
}

RequestGate& MqttSubsystem::gate() const {
    if (!gate_) throw std::logic_error("the MQTT bridge is not up");
    return *gate_;
}

void MqttSubsystem::initialize(Poco::Util::Application&) {
    // Kept in the PDM: the figures published retained are the ones a restart reads back.
    metrics_ = std::make_unique<OnboardingMetrics>(*storage_.gateway().pdm, informationLog());
    bridge_ = std::make_unique<MqttBridge>(configuration_.config(), storage_.gateway(), devices_.directory(), *metrics_, informationLog());
    // A refusal carries the request's transaction, as every response does.
    gate_ = std::make_unique<RequestGate>([bridge = bridge_.get()](const std::string& action, const std::string& payload,
                                                                   const std::string& error) { bridge->refuse(action, payload, error); });
    // Before the client starts: the first CONNACK is not missed.
    if (onConnection_) bridge_->client().onConnectionChange(onConnection_);
    bridge_->start([gate = gate_.get()](const std::string& action, const std::string& payload) { gate->handle(action, payload); });
    bridge_->publishAllDevices();
    bridge_->metricsChanged();
}

void MqttSubsystem::uninitialize() {
    if (gate_) gate_->close("the gateway is shutting down");
    if (bridge_) {
        // The answers just given (cancelled requests, the job that ended) reach the broker before
        // the connection closes: MqttClient::stop() lets them be acknowledged first.
        setActivity("saying offline and disconnecting from the broker");
        bridge_->stop();
    }
    bridge_.reset();
    gate_.reset();
    metrics_.reset();
}

}  // namespace steward::bridge
