#pragma once
// Subsystem "mqtt": the MQTT bridge (MqttBridge: the connection and its network thread, retained
// state, events, metrics, the request dispatcher's thread) and the request gate in front of the
// router, fed by that dispatcher thread. It comes up before the parts
// that publish and goes down after them, so that what they announce while starting and every
// answer they give while stopping (queued requests cancelled) reaches the broker. Requests that
// arrive before the router is up wait in the gate. A broker that is not running does not stop the
// start: the client queues and keeps trying.
#include <memory>

#include "device_subsystem.hpp"
#include "mqtt_bridge.hpp"
#include "onboarding_metrics.hpp"
#include "request_gate.hpp"

namespace steward::bridge {

class MqttSubsystem final : public DaemonSubsystem {
public:
    // `onConnection`: told of every accepted (and lost) broker connection, from the first CONNACK on
    // (stewardd's readiness); called on the MQTT network thread, so it must not block.
    MqttSubsystem(const ConfigurationSubsystem& configuration, const StorageSubsystem& storage, const DeviceSubsystem& devices,
                  MqttClient::ConnectionHandler onConnection = {});
    ~MqttSubsystem() override;
    const char* name() const override { return "mqtt"; }

    // Between initialize() and uninitialize().
    MqttBridge& bridge() const;
    OnboardingMetrics& metrics() const;
    RequestGate& gate() const;

protected:
    void initialize(Poco::Util::Application& app) override;
    void uninitialize() override;

private:
    const ConfigurationSubsystem& configuration_;
    const StorageSubsystem& storage_;
    const DeviceSubsystem& devices_;
    MqttClient::ConnectionHandler onConnection_;
    std::unique_ptr<OnboardingMetrics> metrics_;
    std::unique_ptr<RequestGate> gate_;  // outlives the bridge's stop(): its handler may run until then
    std::unique_ptr<MqttBridge> bridge_;
};

}  // namespace steward::bridge
