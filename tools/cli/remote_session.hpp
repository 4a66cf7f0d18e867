#pragma once
// The CLI's side of stewardd's MQTT API: publishes requests, each with a fresh transaction id, and
// delivers the responses carrying those ids and the daemon's events. Several requests may be
// outstanding at once (an `own` waits for its outcome while the `pin` typed meanwhile is answered).
#include <Poco/JSON/Object.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
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
    // --timeout: how long a request waits for its response while nothing tells it to wait longer
    // (a pairing request that is open, progress events of the request).
    std::chrono::milliseconds timeout{60000};
};

// A response to one of this session's requests, or an event.
struct RemoteMessage {
    bool response = false;
    std::string action;       // response: the action it answers (e.g. "own", "idprov/oob")
    std::string transaction;  // response: the request's; event: data.transaction, if it has one
    std::string type;         // event: its type ("pairing_request", "progress", ...)
    // response: the whole response {status, data, error, transaction}; event: its data ({} if none).
    Poco::JSON::Object::Ptr body;

    bool ok() const { return response && body->optValue<std::string>("status", "") == "ok"; }
    std::string error() const { return body->optValue<std::string>("error", "failed"); }
    // An event about `device` (its data.device).
    bool about(const std::string& device) const { return !response && body->optValue<std::string>("device", "") == device; }
};

class RemoteSession {
public:
    // Connects; throws std::runtime_error if the broker cannot be reached within 5 s.
    explicit RemoteSession(const RemoteOptions& options);
    ~RemoteSession();
    RemoteSession(const RemoteSession&) = delete;
    RemoteSession& operator=(const RemoteSession&) = delete;

    const RemoteOptions& options() const { return options_; }

    // Publishes request/<action> with `body` and a fresh transaction, which it returns; wait()
    // delivers the response once.
    std::string start(const std::string& action, Poco::JSON::Object::Ptr body);
    // What arrived since the last call, in order: responses to this session's requests and every
    // event. Blocks until something arrives, `deadline` passes (empty), or `fd` (if >= 0) becomes
    // readable (then *fdReadable is set, and what arrived meanwhile is returned with it).
    std::vector<RemoteMessage> wait(std::chrono::steady_clock::time_point deadline, int fd = -1, bool* fdReadable = nullptr);

    // start() and wait() until its response; `onEvent` sees every event meanwhile. A progress
    // event of this request pushes the deadline back by the timeout: long work that says how far it
    // got is waited for. Throws std::runtime_error when no response comes in time.
    Poco::JSON::Object::Ptr request(const std::string& action, Poco::JSON::Object::Ptr body,
                                    const std::function<void(const RemoteMessage&)>& onEvent = {});

    // The error request() throws when `action` got no answer in time.
    std::string noAnswer(const std::string& action) const;

private:
    RemoteOptions options_;
    std::unique_ptr<bridge::MqttClient> client_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<bridge::MqttMessage> inbox_;
    int wake_[2] = {-1, -1};                          // a byte per message received: poll() wakes on it beside `fd`
    std::map<std::string, std::string> outstanding_;  // transaction -> action
    int nextTransaction_ = 1;
    std::string nonce_;
};

}  // namespace steward::tools
