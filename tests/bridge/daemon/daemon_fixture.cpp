#include "daemon_fixture.hpp"

#include <Poco/JSON/Parser.h>

#include <fstream>

#include "process_runner.hpp"

namespace steward::test {

Poco::JSON::Object::Ptr parseJsonObject(const std::string& text) {
    try {
        auto v = Poco::JSON::Parser().parse(text);
        if (v.type() == typeid(Poco::JSON::Object::Ptr)) return v.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
    }
    return nullptr;
}

Observer::Observer(int port, const std::string& base) : base_(base) {
    bridge::MqttOptions o;
    o.port = port;
    o.clientId = "observer-" + std::to_string(::getpid());
    o.reconnectMin = std::chrono::milliseconds(100);
    o.reconnectMax = std::chrono::milliseconds(500);
    client_ = std::make_unique<bridge::MqttClient>(o);
    client_->onMessage([this](const bridge::MqttMessage& m) {
        {
            const std::lock_guard lock(mutex_);
            messages_.push_back(m);
        }
        changed_.notify_all();
    });
    client_->subscribe(base_ + "/#", 1);
    client_->start();
}

Observer::~Observer() { client_->stop(); }

std::optional<bridge::MqttMessage> Observer::waitFor(const std::function<bool(const bridge::MqttMessage&)>& match,
                                                     std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::size_t checked = 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        for (; checked < messages_.size(); ++checked) {
            if (match(messages_[checked])) return messages_[checked];
        }
        if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && checked == messages_.size()) return std::nullopt;
    }
}

Poco::JSON::Object::Ptr Observer::waitForEvent(const std::string& type, const std::function<bool(const Poco::JSON::Object::Ptr&)>& match,
                                               std::chrono::milliseconds timeout) {
    const auto topic = base_ + "/bridge/event";
    const auto found = waitFor(
        [&](const bridge::MqttMessage& m) {
            if (m.topic != topic) return false;
            const auto o = parseJsonObject(m.payload);
            return o && o->optValue<std::string>("type", "") == type && match(o->getObject("data"));
        },
        timeout);
    return found ? parseJsonObject(found->payload)->getObject("data") : nullptr;
}

Poco::JSON::Object::Ptr Observer::latest(const std::string& topic) const {
    const std::lock_guard lock(mutex_);
    for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
        if (it->topic == topic) return parseJsonObject(it->payload);
    }
    return nullptr;
}

Poco::JSON::Object::Ptr Observer::request(const std::string& action, const std::string& body, std::chrono::milliseconds timeout) {
    const int transaction = nextTransaction_++;
    auto object = parseJsonObject(body.empty() ? "{}" : body);
    std::string payload = body;
    if (object) {
        object->set("transaction", transaction);
        std::ostringstream s;
        object->stringify(s);
        payload = s.str();
    }
    client_->publish({base_ + "/bridge/request/" + action, payload, false, 1});
    const auto topic = base_ + "/bridge/response/" + action;
    const auto found = waitFor(
        [&](const bridge::MqttMessage& m) {
            if (m.topic != topic) return false;
            const auto o = parseJsonObject(m.payload);
            // Other requesters' transactions may be strings (the CLI's): only ours is compared.
            return o && o->has("transaction") && o->get("transaction").isInteger() && o->get("transaction").convert<int>() == transaction;
        },
        timeout);
    return found ? parseJsonObject(found->payload) : nullptr;
}

bool Observer::waitOnline(std::chrono::milliseconds timeout) {
    const auto topic = base_ + "/bridge/state";
    return waitFor([&](const bridge::MqttMessage& m) { return m.topic == topic && m.payload.find("\"online\"") != std::string::npos; },
                   timeout)
        .has_value();
}

void Observer::publishRaw(const std::string& action, const std::string& payload) {
    client_->publish({base_ + "/bridge/request/" + action, payload, false, 1});
}

std::vector<bridge::MqttMessage> Observer::messages() const {
    const std::lock_guard lock(mutex_);
    return messages_;
}

std::string Observer::dump() const {
    std::string out;
    for (const auto& m : messages()) out += m.topic + " " + m.payload.substr(0, 300) + "\n";
    return out;
}

std::unique_ptr<BackgroundProcess> startDaemon(const std::filesystem::path& dir, const std::string& configYaml,
                                               const std::vector<std::string>& environment) {
    const auto file = dir / "steward.yaml";
    std::ofstream(file) << configYaml;
    std::unique_ptr<BackgroundProcess> process;
    if (environment.empty()) {
        process = std::make_unique<BackgroundProcess>(STEWARDD_BIN, std::vector<std::string>{"--config", file.string()});
    } else {
        std::vector<std::string> args = environment;
        args.insert(args.end(), {STEWARDD_BIN, "--config", file.string()});
        process = std::make_unique<BackgroundProcess>(findOnPath("env"), args);
    }
    if (!process->waitForLine([](const std::string& l) { return l.find("stewardd ready") != std::string::npos; },
                              std::chrono::seconds(15))) {
        throw std::runtime_error("stewardd did not become ready:\n" + process->output());
    }
    return process;
}

}  // namespace steward::test
