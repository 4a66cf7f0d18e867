#pragma once
// Publishes the Home Assistant discovery messages (discovery_payloads.hpp) and keeps them true:
// a device's configs follow its state (approve/deny while it waits for approval, a PIN entity while
// a pairing request is open, a new name re-published), a removed device's retained configs are all
// cleared (empty retained payloads), and everything is published again when Home Assistant says it
// is back (its birth message, <prefix>/status = online). Also keeps <base>/bridge/permit_join, the
// permit-join state the bridge's switch and sensor read, counting down while a window is open.
// Thread-safe; publishes through the given function (MqttClient::publish never blocks).
#include <Poco/JSON/Object.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "device_directory.hpp"
#include "home_assistant/discovery_payloads.hpp"

namespace steward::bridge::home_assistant {

class Publisher {
public:
    using Publish = std::function<void(const std::string& topic, const std::string& payload, bool retain)>;
    struct Devices {
        std::function<std::optional<DeviceView>(const core::Uuid&)> get;
        std::function<std::vector<DeviceView>()> all;
    };

    // Publishes the permit-join state (closed) at once.
    Publisher(Context context, Publish publish, Devices devices);
    ~Publisher();
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    const Context& context() const { return context_; }
    // <prefix>/status: where Home Assistant publishes its birth message.
    std::string statusTopic() const { return context_.prefix + "/status"; }

    // The bridge's configs and every known device's.
    void publishAll();
    // A device's configs as its state asks: new or changed ones published, the ones it no longer
    // has cleared.
    void deviceChanged(const DeviceView& device);
    // The gateway's events: permit_join, pairing_request and how a pairing ends.
    void event(const std::string& type, const Poco::JSON::Object::Ptr& data);
    // A message on statusTopic(): "online" publishes everything again.
    void homeAssistantStatus(const std::string& payload);
    // Ends the permit-join countdown (no more publishing).
    void stop();

private:
    void publishDeviceLocked(const DeviceView& device, bool force);
    void refresh(const core::Uuid& id);
    void countdown();

    const Context context_;
    const Publish publish_;
    const Devices devices_;

    std::mutex mutex_;  // held while publishing: changes reach the broker in their order
    std::map<std::string, std::string> bridgeConfigs_;
    std::map<core::Uuid, std::map<std::string, std::string>> deviceConfigs_;  // topic -> payload published
    std::set<core::Uuid> pairing_;                                            // pairing requests open

    std::mutex permitMutex_;
    std::condition_variable permitChanged_;
    std::optional<std::chrono::steady_clock::time_point> permitEnd_;
    bool stopping_ = false;
    std::thread ticker_;
};

}  // namespace steward::bridge::home_assistant
