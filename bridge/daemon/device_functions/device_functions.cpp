#include "device_functions/device_functions.hpp"

#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "steward/model/payload_json.hpp"
#include "steward/provisioning/device_resources.hpp"

namespace steward::bridge {
namespace {

constexpr const char* kAvailability = "availability";

std::string stringify(const Poco::Dynamic::Var& v) {
    std::ostringstream s;
    Poco::JSON::Stringifier::stringify(v, s);
    return s.str();
}

Poco::JSON::Object::Ptr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

bool unreachable(const core::ProvisioningError& e) {
    return e.kind() == core::ProvisioningError::Kind::Unreachable || e.kind() == core::ProvisioningError::Kind::NotOurs ||
           e.kind() == core::ProvisioningError::Kind::NoCredential;
}

}  // namespace

DeviceFunctions::DeviceFunctions(Options options, Access access, Hooks hooks)
    : options_(std::move(options)), access_(access), hooks_(std::move(hooks)) {}

DeviceFunctions::~DeviceFunctions() { stop(); }

void DeviceFunctions::start() {
    const std::lock_guard lock(mutex_);
    if (worker_.joinable() || stopping_) return;
    worker_ = std::thread([this] { run(); });
}

void DeviceFunctions::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

bool DeviceFunctions::enqueue(Task task) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || tasks_.size() >= options_.maxQueued) return false;
        tasks_.push_back(std::move(task));
    }
    wake_.notify_all();
    return true;
}

std::string DeviceFunctions::availabilityTopic(const core::Uuid& id) const {
    return options_.base + "/devices/" + id.toString() + "/" + kAvailability;
}

std::string DeviceFunctions::stateTopic(const core::Uuid& id, const std::string& key) const {
    return options_.base + "/devices/" + id.toString() + "/" + key;
}

std::string DeviceFunctions::commandFilter() const { return options_.base + "/devices/+/+/set"; }

std::optional<std::pair<core::Uuid, std::string>> DeviceFunctions::parseCommandTopic(const std::string& topic) const {
    const std::string prefix = options_.base + "/devices/";
    const std::string suffix = "/set";
    if (topic.size() <= prefix.size() + suffix.size() || topic.rfind(prefix, 0) != 0 ||
        topic.compare(topic.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return std::nullopt;
    }
    const auto middle = topic.substr(prefix.size(), topic.size() - prefix.size() - suffix.size());
    const auto slash = middle.find('/');
    if (slash == std::string::npos || middle.find('/', slash + 1) != std::string::npos) return std::nullopt;
    const auto id = core::Uuid::parse(middle.substr(0, slash));
    if (!id) return std::nullopt;
    return std::make_pair(*id, middle.substr(slash + 1));
}

void DeviceFunctions::track(const core::Uuid& id, const std::optional<core::PeerAddress>& at, bool changed) {
    std::vector<std::string> cleared;
    bool wasTracked = false;
    {
        const std::lock_guard lock(mutex_);
        const auto it = devices_.find(id);
        wasTracked = it != devices_.end();
        if (at) {
            auto& d = devices_[id];
            const bool moved = wasTracked && (d.at.host != at->host || d.at.port != at->port);
            d.at = *at;
            if (!wasTracked || changed || moved) d.nextPoll = {};
        } else if (wasTracked) {
            for (const auto& [key, payload] : it->second.published) cleared.push_back(key);
            devices_.erase(it);
        }
    }
    if (!at && wasTracked) {
        // Retained topics of a device that is no longer ours would outlive it (no ghosts).
        for (const auto& key : cleared) hooks_.publish(stateTopic(id, key), "", true);
        hooks_.publish(availabilityTopic(id), "", true);
        if (hooks_.functionsChanged) hooks_.functionsChanged(id);
    }
    wake_.notify_all();
}

std::vector<BridgedFunction> DeviceFunctions::functionsOf(const core::Uuid& id) const {
    const std::lock_guard lock(mutex_);
    const auto it = devices_.find(id);
    return it == devices_.end() ? std::vector<BridgedFunction>{} : it->second.functions;
}

bool DeviceFunctions::tracked(const core::Uuid& id) const {
    const std::lock_guard lock(mutex_);
    return devices_.count(id) != 0;
}

std::optional<core::PeerAddress> DeviceFunctions::addressOf(const core::Uuid& id) const {
    const std::lock_guard lock(mutex_);
    const auto it = devices_.find(id);
    if (it == devices_.end()) return std::nullopt;
    return it->second.at;
}

void DeviceFunctions::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (!tasks_.empty()) {
            auto task = std::move(tasks_.front());
            tasks_.pop_front();
            lock.unlock();
            task.run();
            lock.lock();
            continue;
        }
        // The device due first; polls never delay a queued command by more than one device's poll.
        const auto now = std::chrono::steady_clock::now();
        std::optional<core::Uuid> due;
        auto next = std::chrono::steady_clock::time_point::max();
        for (const auto& [id, d] : devices_) {
            if (d.nextPoll <= now) {
                due = id;
                break;
            }
            next = std::min(next, d.nextPoll);
        }
        if (due) {
            auto& d = devices_[*due];
            d.nextPoll = options_.pollInterval.count() > 0 ? now + options_.pollInterval : std::chrono::steady_clock::time_point::max();
            lock.unlock();
            poll(*due);
            lock.lock();
            continue;
        }
        if (next == std::chrono::steady_clock::time_point::max()) {
            wake_.wait(lock);
        } else {
            wake_.wait_until(lock, next);
        }
    }
    auto left = std::move(tasks_);
    tasks_.clear();
    lock.unlock();
    for (auto& task : left) {
        if (task.cancel) task.cancel();
    }
}

void DeviceFunctions::poll(const core::Uuid& id) {
    const auto at = addressOf(id);
    if (!at) return;
    std::vector<BridgedFunction> functions;
    std::vector<std::pair<std::string, Poco::JSON::Object::Ptr>> states;
    try {
        core::DeviceResourceSession session(access_.endpoint, access_.identity, id, *at, options_.timeout);
        for (const auto& offered : session.applicationResources()) {
            const auto* type = functionTypeFor(offered.link.types);
            const auto key = resourceKey(offered.link.href);
            if (type == nullptr || key.empty() || key == kAvailability) continue;
            if ((offered.permission & core::permission::kRead) == 0) continue;  // nothing to show
            BridgedFunction f{key, offered.link.href, type, (offered.permission & core::permission::kUpdate) != 0, {}};
            try {
                auto state = stateFromResource(*type, session.read(offered.link.href));
                f.unit = state->optValue<std::string>("unit", "");
                states.emplace_back(key, state);
            } catch (const core::ProvisioningError& e) {
                if (unreachable(e)) throw;
                if (hooks_.log) hooks_.log("device " + id.toString() + ": " + offered.link.href + ": " + e.what());
                continue;  // refused (e.g. while provisioning): try again next round
            } catch (const std::invalid_argument& e) {
                if (hooks_.log) hooks_.log("device " + id.toString() + ": " + offered.link.href + ": " + e.what());
                continue;
            }
            functions.push_back(std::move(f));
        }
    } catch (const core::ProvisioningError& e) {
        if (unreachable(e)) {
            setOnline(id, false, e.what());
            return;
        }
        if (hooks_.log) hooks_.log("device " + id.toString() + ": " + e.what());
        setOnline(id, true, "");  // it answered
        return;
    }
    bool listChanged = false;
    {
        const std::lock_guard lock(mutex_);
        const auto it = devices_.find(id);
        if (it == devices_.end()) return;  // forgotten meanwhile
        listChanged = it->second.functions != functions;
        it->second.functions = functions;
    }
    setOnline(id, true, "");
    for (const auto& [key, state] : states) publishState(id, key, state);
    if (!listChanged) return;
    if (hooks_.log) {
        std::string line = "device " + id.toString() + " bridges";
        for (const auto& f : functions) {
            line += " " + f.href + " (" + std::string(f.type->name) + (f.writable ? ", read-write)" : ", read-only)");
        }
        hooks_.log(functions.empty() ? "device " + id.toString() + " offers no function the gateway may read" : line);
    }
    if (hooks_.functionsChanged) hooks_.functionsChanged(id);
}

void DeviceFunctions::setOnline(const core::Uuid& id, bool online, const std::string& why) {
    {
        const std::lock_guard lock(mutex_);
        const auto it = devices_.find(id);
        if (it == devices_.end() || it->second.online == online) return;
        it->second.online = online;
    }
    if (hooks_.log) hooks_.log("device " + id.toString() + (online ? " is reachable" : " is unreachable: " + why));
    hooks_.publish(availabilityTopic(id), online ? "online" : "offline", true);
    if (hooks_.functionsChanged) hooks_.functionsChanged(id);
}

void DeviceFunctions::publishState(const core::Uuid& id, const std::string& key, const Poco::JSON::Object::Ptr& state) {
    const auto payload = stringify(state);
    {
        const std::lock_guard lock(mutex_);
        const auto it = devices_.find(id);
        if (it == devices_.end()) return;
        it->second.state[key] = state;
        auto& last = it->second.published[key];
        if (last == payload) return;
        last = payload;
    }
    hooks_.publish(stateTopic(id, key), payload, true);
}

void DeviceFunctions::commandFailed(const core::Uuid& id, const std::string& key, const std::string& href, const std::string& error) {
    if (hooks_.log) hooks_.log("device " + id.toString() + ": command to " + (href.empty() ? key : href) + " failed: " + error);
    if (!hooks_.event) return;
    auto data = object();
    data->set("device", id.toString());
    data->set("resource", key);
    if (!href.empty()) data->set("href", href);
    data->set("error", error);
    hooks_.event("command_failed", data);
}

void DeviceFunctions::command(const core::Uuid& id, const std::string& key, const std::string& payload) {
    if (!enqueue({[this, id, key, payload] { runCommand(id, key, payload); }, {}})) {
        commandFailed(id, key, "", "the gateway is busy (too many commands queued); try again");
    }
}

void DeviceFunctions::runCommand(const core::Uuid& id, const std::string& key, const std::string& payload) {
    std::optional<BridgedFunction> function;
    std::optional<core::PeerAddress> at;
    Poco::JSON::Object::Ptr current;
    {
        const std::lock_guard lock(mutex_);
        const auto it = devices_.find(id);
        if (it != devices_.end()) {
            at = it->second.at;
            for (const auto& f : it->second.functions) {
                if (f.key == key) function = f;
            }
            if (const auto s = it->second.state.find(key); s != it->second.state.end()) current = s->second;
        }
    }
    if (!at) return commandFailed(id, key, "", "the gateway does not own device " + id.toString());
    if (!function) return commandFailed(id, key, "", "device " + id.toString() + " has no function \"" + key + "\"");
    if (!function->writable) {
        return commandFailed(id, key, function->href,
                             "read-only: no ACE on the device grants the gateway update access to " + function->href);
    }
    core::CborValue body;
    try {
        body = commandToResource(*function->type, payload, current);
    } catch (const std::invalid_argument& e) {
        return commandFailed(id, key, function->href, e.what());
    }
    try {
        core::DeviceResourceSession session(access_.endpoint, access_.identity, id, *at, options_.timeout);
        session.write(function->href, body);
        publishState(id, key, stateFromResource(*function->type, session.read(function->href)));
        setOnline(id, true, "");
    } catch (const core::ProvisioningError& e) {
        if (unreachable(e)) setOnline(id, false, e.what());
        commandFailed(id, key, function->href, e.what());
    } catch (const std::invalid_argument& e) {
        commandFailed(id, key, function->href, e.what());
    }
}

void DeviceFunctions::request(const core::Uuid& id, Done done, SessionWork work) {
    const bool queued = enqueue({[this, id, done, work = std::move(work)] {
                                     const auto at = addressOf(id);
                                     if (!at) return done({}, "the gateway does not own device " + id.toString());
                                     try {
                                         core::DeviceResourceSession session(access_.endpoint, access_.identity, id, *at, options_.timeout);
                                         done(work(session), "");
                                     } catch (const core::ProvisioningError& e) {
                                         if (unreachable(e)) setOnline(id, false, e.what());
                                         done({}, e.what());
                                     } catch (const std::invalid_argument& e) {
                                         done({}, e.what());
                                     }
                                 },
                                 [done] { done({}, "the gateway is shutting down"); }});
    if (!queued) done({}, "the gateway is busy (too many requests queued); try again");
}

void DeviceFunctions::read(const core::Uuid& id, const std::string& href, Done done) {
    request(id, std::move(done), [href](core::DeviceResourceSession& session) { return core::cborToJson(session.read(href)); });
}

void DeviceFunctions::write(const core::Uuid& id, const std::string& href, core::CborValue body, Done done) {
    request(id, std::move(done), [this, id, href, body](core::DeviceResourceSession& session) {
        session.write(href, body);
        const auto now = session.read(href);
        // A bridged function written this way shows its new state at once, as after a command.
        for (const auto& f : functionsOf(id)) {
            if (f.href != href) continue;
            try {
                publishState(id, f.key, stateFromResource(*f.type, now));
            } catch (const std::invalid_argument&) {
                // the device answered something its type cannot show: the next poll says so
            }
        }
        return core::cborToJson(now);
    });
}

}  // namespace steward::bridge
