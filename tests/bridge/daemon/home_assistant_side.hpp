#pragma once
// A client playing Home Assistant on the broker (for the end-to-end tests of issue 17): it reads
// the discovery messages under homeassistant/, and acts as Home Assistant would on what a config
// says (publishing to its command topic, pressing buttons, sending the birth message).
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "daemon_fixture.hpp"
#include "mqtt/mqtt_client.hpp"

namespace steward::test {

using namespace std::chrono_literals;

// Home Assistant's side of the broker: everything under homeassistant/.
class HomeAssistantSide {
public:
    explicit HomeAssistantSide(int port) {
        bridge::MqttOptions o;
        o.port = port;
        o.clientId = "home-assistant-" + std::to_string(::getpid());
        o.reconnectMin = 100ms;
        o.reconnectMax = 500ms;
        client_ = std::make_unique<bridge::MqttClient>(o);
        client_->onMessage([this](const bridge::MqttMessage& m) {
            {
                const std::lock_guard lock(mutex_);
                latest_[m.topic] = m.payload;
                ++count_[m.topic];
            }
            changed_.notify_all();
        });
        client_->subscribe("homeassistant/#", 1);
        client_->start();
    }
    ~HomeAssistantSide() { client_->stop(); }

    // Waits until `done` holds for the latest payload per topic ("" for a cleared config).
    bool waitUntil(const std::function<bool(const std::map<std::string, std::string>&)>& done, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return done(latest_); });
    }
    // The config on `topic` once it is there.
    Poco::JSON::Object::Ptr config(const std::string& topic, std::chrono::milliseconds timeout = 20s) {
        Poco::JSON::Object::Ptr out;
        waitUntil(
            [&](const auto& latest) {
                const auto it = latest.find(topic);
                if (it == latest.end() || it->second.empty()) return false;
                out = parseJsonObject(it->second);
                return true;
            },
            timeout);
        return out;
    }
    bool cleared(const std::string& topic, std::chrono::milliseconds timeout = 20s) {
        return waitUntil(
            [&](const auto& latest) {
                const auto it = latest.find(topic);
                return it != latest.end() && it->second.empty();
            },
            timeout);
    }
    // Waits until more than `seen` messages have arrived on `topic`.
    bool waitForMore(const std::string& topic, std::size_t seen, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return count_[topic] > seen; });
    }
    std::size_t count(const std::string& topic) {
        const std::lock_guard lock(mutex_);
        return count_[topic];
    }
    std::map<std::string, std::string> latest() {
        const std::lock_guard lock(mutex_);
        return latest_;
    }
    // Every topic seen with its latest payload, for failure messages.
    std::string dump() {
        std::string out;
        for (const auto& [topic, payload] : latest()) out += topic + " " + payload.substr(0, 160) + "\n";
        return out;
    }
    void publish(const std::string& topic, const std::string& payload) { client_->publish({topic, payload, false, 1}); }
    // What pressing a button does in Home Assistant.
    void press(const Poco::JSON::Object::Ptr& button) {
        publish(button->getValue<std::string>("command_topic"), button->optValue<std::string>("payload_press", "PRESS"));
    }

private:
    std::unique_ptr<bridge::MqttClient> client_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, std::string> latest_;
    std::map<std::string, std::size_t> count_;
};

inline std::string configTopic(const std::string& component, const std::string& node, const std::string& objectId) {
    return "homeassistant/" + component + "/steward_" + node + "/" + objectId + "/config";
}

// The configuration of the fixture with Home Assistant discovery on.
inline std::string withHomeAssistant(std::string yaml, int port) {
    const auto plain = "mqtt: {port: " + std::to_string(port) + "}";
    yaml.replace(yaml.find(plain), plain.size(), "mqtt: {port: " + std::to_string(port) + ", homeassistant: true}");
    return yaml;
}

// What Home Assistant needs of any discovery payload, and of its platform.
inline void expectUsable(const std::string& topic, const Poco::JSON::Object::Ptr& c) {
    SCOPED_TRACE(topic);
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->has("name"));
    EXPECT_FALSE(c->getValue<std::string>("unique_id").empty());
    ASSERT_TRUE(c->getObject("device"));
    EXPECT_GE(c->getObject("device")->getArray("identifiers")->size(), 1u);
    ASSERT_TRUE(c->getObject("origin"));
    EXPECT_EQ(c->getObject("origin")->getValue<std::string>("name"), "Steward");
    const auto component = topic.substr(std::string("homeassistant/").size(), topic.find('/', 14) - 14);
    if (component == "sensor" || component == "binary_sensor") {
        EXPECT_TRUE(c->has("state_topic"));
    }
    if (component == "switch" || component == "button" || component == "text" || component == "light") {
        EXPECT_TRUE(c->has("command_topic"));
    }
}

}  // namespace steward::test
