#pragma once
// Runs the enrollment plugin (IDProv) inside stewardd when steward.yaml enables it: starts it with
// the gateway CA, turns what it issues or refuses into MQTT events (certificate_issued,
// enrollment_rejected), and takes out-of-band secrets from the request router. A plugin that is
// missing or fails to start is logged and leaves the rest of the daemon running.
#include <Poco/JSON/Object.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "daemon_config.hpp"
#include "event_sink.hpp"
#include "steward/gateway/gateway_state.hpp"
#include "steward/plugin/enrollment_provider.hpp"

namespace steward::bridge {

class EnrollmentHost {
public:
    EnrollmentHost(const IdprovConfig& config, core::GatewayState& gateway, EventSink& events, std::function<void(const std::string&)> log);
    ~EnrollmentHost();

    // Starts the service if enabled; false (and logged) if it could not.
    bool start();
    void stop();
    bool running() const;

    // Throws std::runtime_error with the reason (not enabled, not running, bad input).
    core::OobSecretResult addOobSecret(const std::string& deviceId, const std::string& secret, const std::string& validUntil);
    // {"enabled", "running", "url", "port", "status"} for the info response.
    Poco::JSON::Object::Ptr info() const;

private:
    IdprovConfig config_;
    core::GatewayState& gateway_;
    EventSink& events_;
    std::function<void(const std::string&)> log_;
    std::string startError_;
    // Requests (MQTT thread) and stop() (shutdown) may meet: the service is used and reset under it.
    mutable std::mutex mutex_;
    std::unique_ptr<core::EnrollmentService> service_;
};

}  // namespace steward::bridge
