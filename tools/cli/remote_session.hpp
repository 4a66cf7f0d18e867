#pragma once
// The CLI's side of stewardd's MQTT API: publishes a request with a fresh transaction id and waits
// for the response carrying it; events (e.g. a pairing request) can be watched meanwhile.
#include <Poco/JSON/Object.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mqtt/mqtt_client.hpp"

namespace steward::tools {

struct RemoteOptions {
    std::string broker = "127.0.0.1:1883";  // --broker, $STEWARD_BROKER
    std::string baseTopic = "steward";      // --base-topic
    std::string username, password;         // $STEWARD_MQTT_USERNAME / $STEWARD_MQTT_PASSWORD
    std::chrono::milliseconds timeout{60000};
};

class RemoteSession {
public:
    // Connects; throws std::runtime_error if the broker cannot be reached within 5 s.
    explicit RemoteSession(const RemoteOptions& options);
    ~RemoteSession();

    // Sends request/<action> with `body` (a transaction is added) and waits for its response;
    // `onEvent` sees every event meanwhile (type, data) and may call request()/publish() itself.
    // Throws std::runtime_error when no response comes in time (is stewardd running?).
    Poco::JSON::Object::Ptr request(const std::string& action, Poco::JSON::Object::Ptr body,
                                    const std::function<void(const std::string&, const Poco::JSON::Object::Ptr&)>& onEvent = {});
    // Fire and forget (e.g. a PIN answer while waiting for the ownership response).
    void send(const std::string& action, Poco::JSON::Object::Ptr body);

private:
    RemoteOptions options_;
    std::unique_ptr<bridge::MqttClient> client_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<bridge::MqttMessage> inbox_;
    int nextTransaction_ = 1;
    std::string nonce_;
};

}  // namespace steward::tools
