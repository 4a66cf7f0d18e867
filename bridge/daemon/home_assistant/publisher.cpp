#include "home_assistant/publisher.hpp"

#include <Poco/JSON/Parser.h>
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

Publisher::Publisher(Context context, Publish publish, Devices devices, std::function<void(const std::string&)> log)
    : context_(std::move(context)), publish_(std::move(publish)), devices_(std::move(devices)), log_(std::move(log)) {
    publish_(permitJoinTopic(context_), permitJoinState(std::chrono::seconds(0)), true, false);
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
        publish_(e.topic, payload, true, true);
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
    const auto functions = devices_.functions && shown(device.status) ? devices_.functions(device.id) : DeviceFunctionsView{};
    const auto entities = deviceEntities(context_, device, pairing_.contains(device.id), functions);
    auto& published = deviceConfigs_[device.id];
    std::map<std::string, std::string> now;
    for (const auto& e : entities) now[e.topic] = stringify(e.config);
    // Cleared first: a config that goes away never outlives the one that replaces it.
    for (const auto& [topic, payload] : published) {
        if (!now.contains(topic)) publish_(topic, "", true, false);
    }
    for (const auto& [topic, payload] : now) {
        const auto it = published.find(topic);
        if (force || it == published.end() || it->second != payload) publish_(topic, payload, true, force);
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
            publish_(permitJoinTopic(context_), permitJoinState(std::chrono::seconds(seconds)), true, false);
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

void Publisher::startSweep(std::chrono::milliseconds window) {
    const std::lock_guard lock(mutex_);
    sweepUntil_ = std::chrono::steady_clock::now() + window;
}

void Publisher::configSeen(const std::string& topic, const std::string& payload, bool retained) {
    if (!retained || payload.empty()) return;
    // <prefix>/<component>/steward_<node>/<object_id>/config
    const auto rest = topic.substr(std::min(topic.size(), context_.prefix.size() + 1));
    const auto first = rest.find('/');
    const auto second = first == std::string::npos ? std::string::npos : rest.find('/', first + 1);
    const auto third = second == std::string::npos ? std::string::npos : rest.find('/', second + 1);
    if (third == std::string::npos) return;
    const auto node = rest.substr(first + 1, second - first - 1);
    const auto objectId = rest.substr(second + 1, third - second - 1);
    if (node.rfind("steward_", 0) != 0) return;
    const auto nodeId = node.substr(8);

    Poco::JSON::Object::Ptr config;
    try {
        config = Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        return;  // not ours to judge
    }
    const auto device = config ? config->getObject("device") : nullptr;
    if (!device) return;
    const auto ours = "steward_" + context_.gatewayId;
    bool mine = device->optValue<std::string>("via_device", "") == ours;
    if (const auto ids = device->getArray("identifiers")) {
        for (std::size_t i = 0; i < ids->size(); ++i) mine = mine || ids->getElement<std::string>(static_cast<unsigned>(i)) == ours;
    }
    if (!mine) return;  // another gateway's

    const auto id = core::Uuid::parse(nodeId);
    const auto view = id ? devices_.get(*id) : std::nullopt;
    const bool polled = view && devices_.functions && devices_.functions(*id).polled;
    {
        const std::lock_guard lock(mutex_);
        if (std::chrono::steady_clock::now() > sweepUntil_) return;
        if (nodeId == context_.gatewayId) {
            if (bridgeConfigs_.contains(topic)) return;
        } else if (view && shown(view->status)) {
            // An owned device's functions are known only once it has been polled: kept meanwhile.
            // The rest comes and goes with the device's state.
            static const std::set<std::string> stateBound{"approve", "deny", "pin", "reachable"};
            const auto published = deviceConfigs_.find(*id);
            if (published != deviceConfigs_.end() && published->second.contains(topic)) return;
            if (polled && !stateBound.contains(objectId)) return;
        }
        publish_(topic, "", true, false);
    }
    if (log_) log_("home assistant: cleared the stale discovery config " + topic);
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
        publish_(permitJoinTopic(context_), permitJoinState(left), true, false);
    }
}

}  // namespace steward::bridge::home_assistant
