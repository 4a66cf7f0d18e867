#include "remote_session.hpp"

#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
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

// A transaction as text, whatever JSON type it came as (ours are strings).
std::string transactionOf(const Poco::JSON::Object::Ptr& o) {
    if (!o || !o->has("transaction")) return "";
    try {
        return o->get("transaction").convert<std::string>();
    } catch (const Poco::Exception&) {
        return "";
    }
}

}  // namespace

RemoteSession::RemoteSession(const RemoteOptions& options) : options_(options) {
    const auto at = core::parseHostPort(options.broker);
    if (!at) throw std::runtime_error("--broker needs HOST:PORT, got '" + options.broker + "'");
    if (::pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("cannot create a pipe");
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
        const char byte = 1;
        [[maybe_unused]] const auto n = ::write(wake_[1], &byte, 1);  // a full pipe wakes poll() all the same
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
        client_->stop();
        ::close(wake_[0]);
        ::close(wake_[1]);
        throw std::runtime_error("cannot reach the MQTT broker at " + options.broker + " (is it running? --broker HOST:PORT, or --local)");
    }
    lock.unlock();
    client_->onConnectionChange({});
}

RemoteSession::~RemoteSession() {
    client_->stop();
    ::close(wake_[0]);
    ::close(wake_[1]);
}

std::string RemoteSession::start(const std::string& action, Poco::JSON::Object::Ptr body) {
    const std::string transaction = "cli-" + nonce_ + "-" + std::to_string(nextTransaction_++);
    body->set("transaction", transaction);
    {
        const std::lock_guard lock(mutex_);
        outstanding_[transaction] = action;
    }
    client_->publish({options_.baseTopic + "/bridge/request/" + action, stringify(body), false, 1});
    return transaction;
}

std::vector<RemoteMessage> RemoteSession::wait(std::chrono::steady_clock::time_point deadline, int fd, bool* fdReadable) {
    const auto responsePrefix = options_.baseTopic + "/bridge/response/";
    const auto eventTopic = options_.baseTopic + "/bridge/event";
    if (fdReadable != nullptr) *fdReadable = false;
    std::vector<RemoteMessage> out;
    for (;;) {
        std::vector<bridge::MqttMessage> batch;
        {
            const std::lock_guard lock(mutex_);
            batch.swap(inbox_);
            for (const auto& m : batch) {
                const auto o = parseObject(m.payload);
                if (!o) continue;
                RemoteMessage r;
                if (m.topic == eventTopic && o->has("type")) {
                    r.type = o->optValue<std::string>("type", "");
                    r.body = o->has("data") && o->get("data").type() == typeid(Poco::JSON::Object::Ptr)
                                 ? o->getObject("data")
                                 : Poco::JSON::Object::Ptr(new Poco::JSON::Object);
                    r.transaction = transactionOf(r.body);
                } else if (m.topic.rfind(responsePrefix, 0) == 0) {
                    r.transaction = transactionOf(o);
                    const auto it = outstanding_.find(r.transaction);
                    if (it == outstanding_.end() || it->second != m.topic.substr(responsePrefix.size())) continue;
                    outstanding_.erase(it);
                    r.response = true;
                    r.action = m.topic.substr(responsePrefix.size());
                    r.body = o;
                } else {
                    continue;
                }
                out.push_back(std::move(r));
            }
        }
        bool ready = false;
        if (fd >= 0) {
            // Already readable (a pipe with the next line in it): say so at once.
            pollfd p{fd, POLLIN, 0};
            ready = ::poll(&p, 1, 0) > 0;
        }
        if (ready || !out.empty()) {
            if (fdReadable != nullptr) *fdReadable = ready;
            return out;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) return out;
        pollfd fds[2] = {{wake_[0], POLLIN, 0}, {fd, POLLIN, 0}};
        const int n = ::poll(fds, fd >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(left, 60000)));
        if (n < 0 && errno != EINTR) throw std::runtime_error("poll failed");
        if (n > 0 && (fds[0].revents & POLLIN) != 0) {
            char drain[64];
            while (::read(wake_[0], drain, sizeof drain) > 0) {
            }
        }
        // Loop: the inbox is looked at again, and fd (POLLIN or POLLHUP: end of input) reported.
        if (n > 0 && fd >= 0 && fds[1].revents != 0) {
            if (fdReadable != nullptr) *fdReadable = true;
            const std::lock_guard lock(mutex_);
            if (inbox_.empty()) return out;
        }
    }
}

std::string RemoteSession::noAnswer(const std::string& action) const {
    return "no answer to " + action + " from stewardd within " + std::to_string(options_.timeout.count() / 1000) +
           " s (is it running, with base topic " + options_.baseTopic + "?)";
}

Poco::JSON::Object::Ptr RemoteSession::request(const std::string& action, Poco::JSON::Object::Ptr body,
                                               const std::function<void(const RemoteMessage&)>& onEvent) {
    const auto transaction = start(action, body);
    auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    for (;;) {
        const auto batch = wait(deadline);
        if (batch.empty() && std::chrono::steady_clock::now() >= deadline) throw std::runtime_error(noAnswer(action));
        for (const auto& m : batch) {
            if (m.response) {
                if (m.transaction == transaction) return m.body;
                continue;
            }
            if (m.type == "progress" && m.transaction == transaction) deadline = std::chrono::steady_clock::now() + options_.timeout;
            if (onEvent) onEvent(m);
        }
    }
}

}  // namespace steward::tools
