// MqttClient against a broker that goes away (issue 20): back online within the back-off cap after
// an outage, and a hung broker (SIGSTOP) noticed by the keep-alive watchdog, then found again when
// it resumes or a new one takes its port. Real mosquitto (broker_fixture); every wait is a
// condition with a deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "bridge/mqtt/broker_fixture.hpp"
#include "mqtt/mqtt_client.hpp"

using namespace std::chrono_literals;
using steward::bridge::MqttClient;
using steward::bridge::MqttMessage;
using steward::bridge::MqttOptions;
using steward::test::MosquittoBroker;
using Clock = std::chrono::steady_clock;

namespace {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!condition()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

std::chrono::milliseconds since(Clock::time_point t) { return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t); }

// What a client logged and the connection changes it reported, thread-safe.
class Record {
public:
    std::function<void(const std::string&)> logSink() {
        return [this](const std::string& line) {
            const std::lock_guard lock(mutex_);
            lines_.push_back(line);
        };
    }
    MqttClient::ConnectionHandler changeSink() {
        return [this](bool up, const std::string& reason) {
            const std::lock_guard lock(mutex_);
            changes_.emplace_back(up, reason);
        };
    }
    std::vector<std::pair<bool, std::string>> changes() const {
        const std::lock_guard lock(mutex_);
        return changes_;
    }
    // Every "next attempt in N ms" the client logged, in order.
    std::vector<long> delays() const {
        const std::lock_guard lock(mutex_);
        std::vector<long> out;
        const std::regex re("next attempt in ([0-9]+) ms");
        for (const auto& l : lines_) {
            std::smatch m;
            if (std::regex_search(l, m, re)) out.push_back(std::stol(m[1].str()));
        }
        return out;
    }
    std::string all() const {
        const std::lock_guard lock(mutex_);
        std::string out;
        for (const auto& l : lines_) out += l + "\n";
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
    std::vector<std::pair<bool, std::string>> changes_;
};

// Messages an observer received, thread-safe.
class Inbox {
public:
    MqttClient::Handler handler() {
        return [this](const MqttMessage& m) {
            {
                const std::lock_guard lock(mutex_);
                messages_.push_back(m);
            }
            changed_.notify_all();
        };
    }
    bool waitFor(const std::string& topic, const std::string& payload, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] {
            for (const auto& m : messages_) {
                if (m.topic == topic && m.payload == payload) return true;
            }
            return false;
        });
    }
    std::optional<std::string> last(const std::string& topic) const {
        const std::lock_guard lock(mutex_);
        for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
            if (it->topic == topic) return it->payload;
        }
        return std::nullopt;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<MqttMessage> messages_;
};

constexpr auto kCap = 1000ms;
constexpr int kKeepAlive = 2;  // seconds

MqttOptions gatewayOptions(const MosquittoBroker& broker, Record& record) {
    MqttOptions o;
    o.host = broker.host();
    o.port = broker.port();
    o.clientId = "gw";
    o.keepAliveSeconds = kKeepAlive;
    o.reconnectMin = 100ms;
    o.reconnectMax = kCap;
    o.willTopic = "gw/state";
    o.willPayload = "offline";
    o.onlineTopic = "gw/state";
    o.onlinePayload = "online";
    o.log = record.logSink();
    return o;
}

// A second client that watches gw/# (default keep-alive: it rides out a short pause).
struct Observer {
    explicit Observer(const MosquittoBroker& broker)
        : client([&] {
              MqttOptions o;
              o.host = broker.host();
              o.port = broker.port();
              o.clientId = "observer";
              return o;
          }()) {
        client.onMessage(inbox.handler());
        client.subscribe("gw/#", 1);
        client.start();
        // Our own probe comes back once the subscription is active.
        client.publish(MqttMessage{"gw/probe", "ready", false, 1});
        EXPECT_TRUE(inbox.waitFor("gw/probe", "ready", 10s)) << "the observer never subscribed";
    }
    Inbox inbox;
    MqttClient client;
};

}  // namespace

TEST(MqttReconnect, BackWithinTheBackoffCapAfterAnOutageAndTheBackoffStartsOverAfterASuccess) {
    MosquittoBroker broker;
    Record record;
    MqttClient gateway(gatewayOptions(broker, record));
    gateway.onConnectionChange(record.changeSink());
    gateway.start();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); }, 10s)) << record.all();

    broker.kill();
    ASSERT_TRUE(eventually([&] { return !gateway.connected(); }, 5s));
    // Long enough for the back-off to reach its cap (100, 200, 400, 800, 1000 ms, ...).
    std::this_thread::sleep_for(3500ms);
    ASSERT_GE(record.delays().size(), 5u) << record.all();
    for (const long d : record.delays()) EXPECT_LE(d, kCap.count()) << record.all();
    EXPECT_GE(record.delays().back(), kCap.count() * 8 / 10) << "the back-off never reached its cap\n" << record.all();

    const auto restarted = Clock::now();
    broker.start();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); }, 2 * kCap + 500ms)) << record.all();
    EXPECT_LE(since(restarted), 2 * kCap) << record.all();

    // The success reset the back-off: the first attempt after the next loss comes after the minimum.
    const auto before = record.delays().size();
    broker.kill();
    ASSERT_TRUE(eventually([&] { return record.delays().size() > before; }, 5s)) << record.all();
    EXPECT_LE(record.delays()[before], 100) << record.all();
}

TEST(MqttReconnect, AHungBrokerIsNoticedWithinTheKeepAliveAndNothingPublishedMeanwhileIsLost) {
    MosquittoBroker broker;
    Observer observer(broker);
    Record record;
    MqttClient gateway(gatewayOptions(broker, record));
    gateway.onConnectionChange(record.changeSink());
    gateway.start();
    ASSERT_TRUE(observer.inbox.waitFor("gw/state", "online", 10s)) << record.all();

    // A healthy but idle broker is never taken for a hung one.
    std::this_thread::sleep_for(std::chrono::seconds(kKeepAlive) + 500ms);
    EXPECT_TRUE(gateway.connected());
    EXPECT_EQ(record.changes().size(), 1u) << record.all();

    broker.pause();
    const auto paused = Clock::now();
    // Handed to libmosquitto on a connection that looks alive: kept until acknowledged.
    gateway.publish(MqttMessage{"gw/events/1", "during the hang", false, 1});
    ASSERT_TRUE(eventually([&] { return !gateway.connected(); }, std::chrono::seconds(2 * kKeepAlive) + 1s)) << record.all();
    const auto noticed = since(paused);
    EXPECT_LE(noticed, std::chrono::seconds(2 * kKeepAlive)) << record.all();
    const auto changes = record.changes();
    ASSERT_EQ(changes.size(), 2u) << record.all();
    EXPECT_FALSE(changes[1].first);
    EXPECT_NE(changes[1].second.find("keep-alive"), std::string::npos) << changes[1].second;
    // Waits in our queue for the next connection.
    gateway.publish(MqttMessage{"gw/events/2", "after the loss", false, 1});

    std::this_thread::sleep_for(1500ms);  // a few attempts against the hung broker
    const auto resumed = Clock::now();
    broker.resume();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); }, 10s)) << record.all();
    EXPECT_LE(since(resumed), std::chrono::seconds(kKeepAlive) + 2 * kCap) << record.all();
    EXPECT_TRUE(observer.inbox.waitFor("gw/events/1", "during the hang", 10s)) << record.all();
    EXPECT_TRUE(observer.inbox.waitFor("gw/events/2", "after the loss", 10s)) << record.all();
    // The hung connection's will may have been published when the broker woke up; "online" comes
    // after it. (The connection may flap once if the broker handles a stale CONNECT from the
    // backlog after ours.)
    ASSERT_TRUE(eventually([&] { return gateway.connected() && observer.inbox.last("gw/state") == "online"; }, 10s))
        << observer.inbox.last("gw/state").value_or("(none)") << "\n"
        << record.all();
    std::cout << "hung broker noticed after " << noticed.count() << " ms (keep-alive " << kKeepAlive << " s)\n";
}

TEST(MqttReconnect, AHungBrokerReplacedByANewOneOnTheSamePort) {
    MosquittoBroker broker;
    Record record;
    MqttClient gateway(gatewayOptions(broker, record));
    gateway.onConnectionChange(record.changeSink());
    gateway.start();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); }, 10s)) << record.all();
    gateway.publish(MqttMessage{"gw/devices/1", "owned", true, 1});

    broker.pause();
    ASSERT_TRUE(eventually([&] { return !gateway.connected(); }, std::chrono::seconds(2 * kKeepAlive) + 1s)) << record.all();
    broker.kill();  // SIGKILL ends a stopped process too
    const auto restarted = Clock::now();
    broker.start();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); }, 10s)) << record.all();
    EXPECT_LE(since(restarted), std::chrono::seconds(kKeepAlive) + 2 * kCap) << record.all();
    // The new broker got the remembered state.
    Observer observer(broker);
    EXPECT_TRUE(observer.inbox.waitFor("gw/devices/1", "owned", 10s));
    EXPECT_TRUE(observer.inbox.waitFor("gw/state", "online", 10s));
}

TEST(MqttReconnect, OptionsAreChecked) {
    MqttOptions o;
    EXPECT_EQ(o.reconnectMin, 500ms);
    EXPECT_EQ(o.reconnectMax, 5000ms);  // issue 20: a broker back after an outage is found within 5 s
    EXPECT_GT(o.reconnectJitter, 0.0);
    o.keepAliveSeconds = 1;
    EXPECT_THROW(MqttClient{o}, std::invalid_argument);
    o = MqttOptions{};
    o.reconnectJitter = 1.5;
    EXPECT_THROW(MqttClient{o}, std::invalid_argument);
    o = MqttOptions{};
    o.keepAliveSeconds = 2;
    MqttClient client(o);
    EXPECT_THROW(client.subscribe(steward::bridge::kKeepAliveProbeFilter), std::invalid_argument);
}
