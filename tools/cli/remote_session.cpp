#include "remote_session.hpp"

#include <Poco/JSON/Parser.h>
#include <unistd.h>

#include <sstream>

#include "steward/crypto/random.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::tools {
namespace {

std::string stringify(const Poco::JSON::Object::Ptr& o) {
    std::ostringstream s;
    o->stringify(s);
    return s.str();
}

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    try {
        auto v = Poco::JSON::Parser().parse(text);
        if (v.type() == typeid(Poco::JSON::Object::Ptr)) return v.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
    }
    return nullptr;
}

}  // namespace

RemoteSession::RemoteSession(const RemoteOptions& options) : options_(options) {
    const auto at = core::parseHostPort(options.broker);
    if (!at) throw std::runtime_error("--broker needs HOST:PORT, got '" + options.broker + "'");
    bridge::MqttOptions o;
    o.host = at->host;
    o.port = at->port;
    const auto bytes = core::randomBytes(4);
    for (auto b : bytes) nonce_ += "0123456789abcdef"[b >> 4], nonce_ += "0123456789abcdef"[b & 15];
    o.clientId = "steward-cli-" + std::to_string(::getpid()) + "-" + nonce_;
    o.username = options.username;
    o.password = options.password;
    o.reconnectMin = std::chrono::milliseconds(200);
    o.reconnectMax = std::chrono::milliseconds(1000);
    client_ = std::make_unique<bridge::MqttClient>(o);
    client_->onMessage([this](const bridge::MqttMessage& m) {
        {
            const std::lock_guard lock(mutex_);
            inbox_.push_back(m);
        }
        changed_.notify_all();
    });
    client_->subscribe(options_.baseTopic + "/bridge/response/#", 1);  // actions may have levels (idprov/oob)
    client_->subscribe(options_.baseTopic + "/bridge/event", 1);
    bool connected = false;
    client_->onConnectionChange([this, &connected](bool up, const std::string&) {
        {
            const std::lock_guard lock(mutex_);
            connected = connected || up;
        }
        changed_.notify_all();
    });
    client_->start();
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, std::chrono::seconds(5), [&] { return connected; })) {
        lock.unlock();
        client_->onConnectionChange({});
        throw std::runtime_error("cannot reach the MQTT broker at " + options.broker + " (is it running? --broker HOST:PORT, or --local)");
    }
    lock.unlock();
    client_->onConnectionChange({});
}

RemoteSession::~RemoteSession() { client_->stop(); }

void RemoteSession::send(const std::string& action, Poco::JSON::Object::Ptr body) {
    client_->publish({options_.baseTopic + "/bridge/request/" + action, stringify(body), false, 1});
}

Poco::JSON::Object::Ptr RemoteSession::request(const std::string& action, Poco::JSON::Object::Ptr body,
                                               const std::function<void(const std::string&, const Poco::JSON::Object::Ptr&)>& onEvent) {
    const std::string transaction = "cli-" + nonce_ + "-" + std::to_string(nextTransaction_++);
    body->set("transaction", transaction);
    const auto responseTopic = options_.baseTopic + "/bridge/response/" + action;
    const auto eventTopic = options_.baseTopic + "/bridge/event";
    send(action, body);
    const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    for (;;) {
        std::vector<bridge::MqttMessage> batch;
        {
            std::unique_lock lock(mutex_);
            if (!changed_.wait_until(lock, deadline, [&] { return !inbox_.empty(); })) {
                throw std::runtime_error("no answer to " + action + " from stewardd within " +
                                         std::to_string(options_.timeout.count() / 1000) + " s (is it running, with base topic " +
                                         options_.baseTopic + "?)");
            }
            batch.swap(inbox_);
        }
        for (const auto& m : batch) {
            const auto o = parseObject(m.payload);
            if (!o) continue;
            if (m.topic == responseTopic && o->optValue<std::string>("transaction", "") == transaction) return o;
            if (m.topic == eventTopic && onEvent && o->has("type")) onEvent(o->getValue<std::string>("type"), o->getObject("data"));
        }
    }
}

}  // namespace steward::tools
