#pragma once
// Publishes the Home Assistant discovery messages (discovery_payloads.hpp) and keeps them true:
// a device's configs follow its state (approve/deny while it waits for approval, a PIN entity while
// a pairing request is open, a new name re-published), a removed device's retained configs are all
// cleared (empty retained payloads), and everything is published again when Home Assistant says it
// is back (its birth message, <prefix>/status = online). Also keeps <base>/bridge/permit_join, the
// permit-join state the bridge's switch and sensor read, counting down while a window is open.
//
// At start, the retained configs the broker still holds from earlier runs are swept for a while
// (startSweep): one of this gateway's (its device block or via_device names the gateway) for a
// device it no longer shows, or a state-bound entity (approve, deny, PIN) a shown device no
// longer has, is cleared. Another gateway's configs on the same broker are left alone.
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
    // `force`: sent even if it is the very retained payload published last time (publishAll: Home
    // Assistant asked for everything again); otherwise an unchanged retained payload may be skipped.
    using Publish = std::function<void(const std::string& topic, const std::string& payload, bool retain, bool force)>;
    struct Devices {
        std::function<std::optional<DeviceView>(const core::Uuid&)> get;
        std::function<std::vector<DeviceView>()> all;
        std::function<DeviceFunctionsView(const core::Uuid&)> functions;  // may be empty: none
    };

    // Publishes the permit-join state (closed) at once.
    Publisher(Context context, Publish publish, Devices devices, std::function<void(const std::string&)> log = {});
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

    // <prefix>/+/+/+/config: where the sweep looks.
    std::string configFilter() const { return context_.prefix + "/+/+/+/config"; }
    // Opens the sweep window (`window` from now).
    void startSweep(std::chrono::milliseconds window = std::chrono::seconds(10));
    // A message on configFilter(): cleared if it is a stale config of this gateway's (see above).
    void configSeen(const std::string& topic, const std::string& payload, bool retained);
    // Ends the permit-join countdown (no more publishing).
    void stop();

private:
    void publishDeviceLocked(const DeviceView& device, bool force);
    void refresh(const core::Uuid& id);
    void countdown();

    const Context context_;
    const Publish publish_;
    const Devices devices_;
    const std::function<void(const std::string&)> log_;

    std::mutex mutex_;  // held while publishing: changes reach the broker in their order
    std::map<std::string, std::string> bridgeConfigs_;
    std::map<core::Uuid, std::map<std::string, std::string>> deviceConfigs_;  // topic -> payload published
    std::set<core::Uuid> pairing_;                                            // pairing requests open
    std::chrono::steady_clock::time_point sweepUntil_{};

    std::mutex permitMutex_;
    std::condition_variable permitChanged_;
    std::optional<std::chrono::steady_clock::time_point> permitEnd_;
    bool stopping_ = false;
    std::thread ticker_;
};

}  // namespace steward::bridge::home_assistant
