#include "home_assistant/publisher.hpp"

#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace steward::bridge::home_assistant {
namespace {

std::string stringify(const Poco::JSON::Object::Ptr& o) {
    std::ostringstream s;
    Poco::JSON::Stringifier::stringify(o, s);
    return s.str();
}

std::optional<core::Uuid> deviceOf(const Poco::JSON::Object::Ptr& data) {
    if (!data) return std::nullopt;
    return core::Uuid::parse(data->optValue<std::string>("device", ""));
}

}  // namespace

Publisher::Publisher(Context context, Publish publish, Devices devices)
    : context_(std::move(context)), publish_(std::move(publish)), devices_(std::move(devices)) {
    publish_(permitJoinTopic(context_), permitJoinState(std::chrono::seconds(0)), true);
    ticker_ = std::thread([this] { countdown(); });
}

Publisher::~Publisher() { stop(); }

void Publisher::stop() {
    {
        const std::lock_guard lock(permitMutex_);
        stopping_ = true;
    }
    permitChanged_.notify_all();
    if (ticker_.joinable()) ticker_.join();
}

void Publisher::publishAll() {
    const auto devices = devices_.all();
    const std::lock_guard lock(mutex_);
    for (const auto& e : bridgeEntities(context_)) {
        auto payload = stringify(e.config);
        publish_(e.topic, payload, true);
        bridgeConfigs_[e.topic] = std::move(payload);
    }
    for (const auto& d : devices) publishDeviceLocked(d, true);
}

void Publisher::deviceChanged(const DeviceView& device) {
    const std::lock_guard lock(mutex_);
    publishDeviceLocked(device, false);
}

void Publisher::publishDeviceLocked(const DeviceView& device, bool force) {
    // A removed device's pairing is over too.
    if (!shown(device.status)) pairing_.erase(device.id);
    const auto entities = deviceEntities(context_, device, pairing_.contains(device.id));
    auto& published = deviceConfigs_[device.id];
    std::map<std::string, std::string> now;
    for (const auto& e : entities) now[e.topic] = stringify(e.config);
    // Cleared first: a config that goes away never outlives the one that replaces it.
    for (const auto& [topic, payload] : published) {
        if (!now.contains(topic)) publish_(topic, "", true);
    }
    for (const auto& [topic, payload] : now) {
        const auto it = published.find(topic);
        if (force || it == published.end() || it->second != payload) publish_(topic, payload, true);
    }
    if (now.empty()) {
        deviceConfigs_.erase(device.id);
    } else {
        published = std::move(now);
    }
}

void Publisher::refresh(const core::Uuid& id) {
    const auto view = devices_.get(id);
    const std::lock_guard lock(mutex_);
    if (view) publishDeviceLocked(*view, false);
}

void Publisher::event(const std::string& type, const Poco::JSON::Object::Ptr& data) {
    if (type == "permit_join") {
        const auto seconds = data ? data->optValue<std::int64_t>("seconds", 0) : 0;
        {
            const std::lock_guard lock(permitMutex_);
            if (seconds > 0) {
                permitEnd_ = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
            } else {
                permitEnd_.reset();
            }
            publish_(permitJoinTopic(context_), permitJoinState(std::chrono::seconds(seconds)), true);
        }
        permitChanged_.notify_all();
        return;
    }
    const auto device = deviceOf(data);
    if (!device) return;
    if (type == "pairing_request") {
        {
            const std::lock_guard lock(mutex_);
            if (!pairing_.insert(*device).second) return;
        }
        refresh(*device);
    } else if (type == "device_owned" || type == "ownership_failed" || type == "ownership_refused" || type == "device_removed") {
        {
            const std::lock_guard lock(mutex_);
            if (pairing_.erase(*device) == 0) return;
        }
        refresh(*device);
    }
}

void Publisher::homeAssistantStatus(const std::string& payload) {
    if (payload == "online") publishAll();
}

void Publisher::countdown() {
    std::unique_lock lock(permitMutex_);
    for (;;) {
        if (stopping_) return;
        if (!permitEnd_) {
            permitChanged_.wait(lock);
            continue;
        }
        const auto end = *permitEnd_;
        const auto next = std::min(end, std::chrono::steady_clock::now() + std::chrono::seconds(1));
        if (permitChanged_.wait_until(lock, next, [&] { return stopping_ || permitEnd_ != end; })) continue;
        const auto left = std::chrono::ceil<std::chrono::seconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) permitEnd_.reset();
        publish_(permitJoinTopic(context_), permitJoinState(left), true);
    }
}

}  // namespace steward::bridge::home_assistant
