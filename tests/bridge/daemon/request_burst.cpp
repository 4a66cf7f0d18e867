#include "request_burst.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <thread>

namespace steward::test {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<bridge::MqttClient> newClient(int port, const std::string& id) {
    bridge::MqttOptions o;
    o.port = port;
    o.clientId = id;
    return std::make_unique<bridge::MqttClient>(o);
}

void waitConnected(bridge::MqttClient& c) {
    for (int i = 0; i < 200 && !c.connected(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (!c.connected()) throw std::runtime_error("request burst: no connection to the broker");
}

double msSince(Clock::time_point start, Clock::time_point t) { return std::chrono::duration<double, std::milli>(t - start).count(); }

}  // namespace

RequestBurst::RequestBurst(int port, std::string requestTopic, std::string responseTopic, const std::string& clientPrefix)
    : requestTopic_(std::move(requestTopic)), responseTopic_(std::move(responseTopic)) {
    const std::string probe = "steward-burst/probe/" + clientPrefix;
    receiver_ = newClient(port, clientPrefix + "-receiver");
    // Only a copy on the network thread: parsing waits until the burst is over.
    receiver_->onMessage([this, probe](const bridge::MqttMessage& m) {
        {
            const std::lock_guard lock(mutex_);
            if (m.topic == probe) {
                probed_ = true;
            } else {
                received_.push_back({m.payload, m.qos, Clock::now()});
            }
        }
        changed_.notify_all();
    });
    receiver_->subscribe(responseTopic_, 1);
    receiver_->subscribe(probe, 1);
    receiver_->start();
    publisher_ = newClient(port, clientPrefix + "-publisher");
    publisher_->start();
    waitConnected(*receiver_);
    waitConnected(*publisher_);
    // The probe is back: the subscriptions are active.
    std::unique_lock lock(mutex_);
    for (int i = 0; i < 50 && !probed_; ++i) {
        lock.unlock();
        publisher_->publish({probe, "p", false, 1});
        lock.lock();
        changed_.wait_for(lock, std::chrono::milliseconds(200), [this] { return probed_; });
    }
    if (!probed_) throw std::runtime_error("request burst: the probe never came back");
}

RequestBurst::~RequestBurst() {
    publisher_->stop();
    receiver_->stop();
}

BurstResult RequestBurst::run(std::size_t count, const std::string& tag, std::chrono::milliseconds timeout,
                              std::chrono::milliseconds settle) {
    {
        const std::lock_guard lock(mutex_);
        received_.clear();
    }
    BurstResult r;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < count; ++i) {
        publisher_->publish({requestTopic_, "{\"transaction\":\"" + tag + "-" + std::to_string(i) + "\"}", false, 1});
    }
    r.sent = count;
    r.publishMs = msSince(start, Clock::now());
    std::vector<Received> received;
    {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return received_.size() >= count; });
        lock.unlock();
        std::this_thread::sleep_for(settle);
        lock.lock();
        received.swap(received_);
    }

    std::map<std::string, int> answers;
    const auto note = [&r](const std::string& problem) {
        if (r.samples.size() < 5) r.samples.push_back(problem);
    };
    Poco::JSON::Parser parser;
    for (const auto& m : received) {
        Poco::JSON::Object::Ptr o;
        try {
            parser.reset();
            o = parser.parse(m.payload).extract<Poco::JSON::Object::Ptr>();
        } catch (const std::exception&) {
            note("not a JSON object: " + m.payload.substr(0, 200));
            ++r.foreign;
            continue;
        }
        const auto transaction = o->optValue<std::string>("transaction", "");
        if (transaction.rfind(tag + "-", 0) != 0) {
            ++r.foreign;
            continue;
        }
        if (++answers[transaction] > 1) {
            ++r.duplicates;
            note("answered twice: " + transaction);
            continue;
        }
        if (m.qos < 1) ++r.belowQos1;
        r.lastResponseMs = std::max(r.lastResponseMs, msSince(start, m.at));
        const auto status = o->optValue<std::string>("status", "");
        const auto error = o->optValue<std::string>("error", "");
        if (status.empty() || status == "ok") {
            ++r.ok;
        } else if (error.rfind("busy", 0) == 0) {
            ++r.busy;
        } else {
            ++r.error;
            note("error: " + m.payload.substr(0, 200));
        }
    }
    r.missing = count - answers.size();
    return r;
}

}  // namespace steward::test
