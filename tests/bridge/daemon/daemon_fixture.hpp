#pragma once
// stewardd as a real process against a real broker, and an MQTT observer that records everything
// under the base topic and sends requests the way an automation platform does.
#include <Poco/JSON/Object.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mqtt/mqtt_client.hpp"
#include "support/background_process.hpp"

namespace steward::test {

class Observer {
public:
    explicit Observer(int port, const std::string& base = "steward");
    ~Observer();

    // Waits for a message (from the first one recorded on) whose topic and payload satisfy `match`.
    std::optional<bridge::MqttMessage> waitFor(const std::function<bool(const bridge::MqttMessage&)>& match,
                                               std::chrono::milliseconds timeout);
    // Waits for an event of `type` whose data satisfies `match`; returns its data.
    Poco::JSON::Object::Ptr waitForEvent(const std::string& type, const std::function<bool(const Poco::JSON::Object::Ptr&)>& match,
                                         std::chrono::milliseconds timeout);
    // The latest retained value of `topic` seen, parsed; nullptr if none.
    Poco::JSON::Object::Ptr latest(const std::string& topic) const;
    // Publishes `body` (a JSON text; a transaction is added when it is an object) to request/<action>
    // and waits for the matching response.
    Poco::JSON::Object::Ptr request(const std::string& action, const std::string& body,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // Waits until the daemon says it is online: it subscribes to requests before it says so.
    bool waitOnline(std::chrono::milliseconds timeout = std::chrono::seconds(15));
    // Publishes raw bytes to request/<action>.
    void publishRaw(const std::string& action, const std::string& payload);
    std::vector<bridge::MqttMessage> messages() const;
    std::string dump() const;  // for failure messages

private:
    std::string base_;
    std::unique_ptr<bridge::MqttClient> client_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<bridge::MqttMessage> messages_;
    std::atomic<int> nextTransaction_{1};
};

Poco::JSON::Object::Ptr parseJsonObject(const std::string& text);

// Starts stewardd with `configYaml` written to dir/steward.yaml; waits for "stewardd ready".
// `environment`: VAR=value entries (e.g. STEWARD_FAULT_KILL_AT) set for the daemon only.
std::unique_ptr<BackgroundProcess> startDaemon(const std::filesystem::path& dir, const std::string& configYaml,
                                               const std::vector<std::string>& environment = {});

}  // namespace steward::test
