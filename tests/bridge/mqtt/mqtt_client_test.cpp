// MqttClient against a real mosquitto broker (tests/bridge/mqtt/broker_fixture): round trips,
// retained state, the last will, a broker that dies and comes back, a bounded queue that never
// blocks, handler exceptions, credentials. Every wait is a condition with a deadline.
#include "mqtt/mqtt_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bridge/mqtt/broker_fixture.hpp"
#include "support/background_process.hpp"
#include "support/process_runner.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using steward::bridge::MqttClient;
using steward::bridge::MqttMessage;
using steward::bridge::MqttOptions;
using steward::test::BackgroundProcess;
using steward::test::BrokerOptions;
using steward::test::MosquittoBroker;
using steward::test::TempDir;

namespace {

constexpr auto kDeadline = 15s;

// Polls `condition` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = kDeadline) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// Thread-safe record of what a client logged.
class LogLines {
public:
    std::function<void(const std::string&)> sink() {
        return [this](const std::string& line) {
            const std::lock_guard lock(mutex_);
            lines_.push_back(line);
        };
    }
    std::size_t count(const std::string& part) const {
        const std::lock_guard lock(mutex_);
        std::size_t n = 0;
        for (const auto& l : lines_) {
            if (l.find(part) != std::string::npos) ++n;
        }
        return n;
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
};

// Thread-safe record of the messages a client received.
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
    // The first message on `topic` (with `payload`, if given), waiting up to `timeout`.
    std::optional<MqttMessage> waitFor(const std::string& topic, const std::optional<std::string>& payload = std::nullopt,
                                       std::chrono::milliseconds timeout = kDeadline) {
        std::unique_lock lock(mutex_);
        std::optional<MqttMessage> found;
        changed_.wait_for(lock, timeout, [&] {
            for (const auto& m : messages_) {
                if (m.topic == topic && (!payload || m.payload == *payload)) {
                    found = m;
                    return true;
                }
            }
            return false;
        });
        return found;
    }
    bool waitForCount(const std::string& prefix, std::size_t n, std::chrono::milliseconds timeout = kDeadline) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return countLocked(prefix) >= n; });
    }
    std::vector<MqttMessage> withPrefix(const std::string& prefix) const {
        const std::lock_guard lock(mutex_);
        std::vector<MqttMessage> out;
        for (const auto& m : messages_) {
            if (m.topic.rfind(prefix, 0) == 0) out.push_back(m);
        }
        return out;
    }
    std::size_t count(const std::string& prefix) const {
        const std::lock_guard lock(mutex_);
        return countLocked(prefix);
    }

private:
    std::size_t countLocked(const std::string& prefix) const {
        std::size_t n = 0;
        for (const auto& m : messages_) {
            if (m.topic.rfind(prefix, 0) == 0) ++n;
        }
        return n;
    }

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<MqttMessage> messages_;
};

MqttOptions optionsFor(const MosquittoBroker& broker, const std::string& clientId, LogLines* log = nullptr) {
    MqttOptions o;
    o.host = broker.host();
    o.port = broker.port();
    o.clientId = clientId;
    o.reconnectMin = 50ms;  // quick tests; the daemon keeps the defaults
    o.reconnectMax = 400ms;
    if (log != nullptr) o.log = log->sink();
    return o;
}

// Subscribes `client` to `filter` and waits until the broker has the subscription: the client
// also subscribes to a probe topic of its own and publishes to it; the broker handles one
// connection's packets in order, so once the probe is back the filter is active (and any retained
// messages it matches have been delivered).
void waitForSubscriptions(MqttClient& client, Inbox& inbox) {
    static std::atomic<int> probes{0};
    const std::string probe = "probe/" + std::to_string(++probes);
    client.subscribe(probe, 1);
    client.publish(MqttMessage{probe, "probe", false, 1});
    ASSERT_TRUE(inbox.waitFor(probe)) << "the subscriptions never became active";
}

void subscribeAndWait(MqttClient& client, Inbox& inbox, const std::string& filter) {
    client.subscribe(filter, 1);
    waitForSubscriptions(client, inbox);
}

// A client connected to `broker`, receiving into `inbox`.
struct Observer {
    Observer(const MosquittoBroker& broker, const std::string& id, const std::string& filter) : client(optionsFor(broker, id)) {
        client.onMessage(inbox.handler());
        client.start();
        subscribeAndWait(client, inbox, filter);
    }
    Inbox inbox;
    MqttClient client;
};

std::string testClientBinary() { return STEWARD_MQTT_TEST_CLIENT; }

}  // namespace

TEST(MqttClient, PublishSubscribeRoundTrip) {
    MosquittoBroker broker;
    LogLines log;
    Inbox perFilter;  // handler targets outlive the clients that call them
    Observer observer(broker, "observer", "t/#");
    observer.client.subscribe("t/a", 1, perFilter.handler());
    waitForSubscriptions(observer.client, observer.inbox);

    MqttClient publisher(optionsFor(broker, "publisher", &log));
    publisher.start();
    ASSERT_TRUE(eventually([&] { return publisher.connected(); })) << log.all() << broker.output();
    publisher.publish(MqttMessage{"t/a", "hello", false, 1});
    publisher.publish(MqttMessage{"t/b", std::string("bin\0ary", 7), false, 0});

    const auto a = observer.inbox.waitFor("t/a");
    ASSERT_TRUE(a) << log.all();
    EXPECT_EQ(a->payload, "hello");
    EXPECT_FALSE(a->retain);
    const auto b = observer.inbox.waitFor("t/b");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->payload, std::string("bin\0ary", 7));
    // The filter's own handler saw t/a only.
    ASSERT_TRUE(perFilter.waitFor("t/a", "hello"));
    EXPECT_EQ(perFilter.count("t/b"), 0u);

    EXPECT_GE(publisher.stats().published, 2u);
    EXPECT_GE(observer.client.stats().received, 2u);
    EXPECT_EQ(publisher.stats().dropped, 0u);
    EXPECT_EQ(publisher.stats().reconnects, 0u);
    EXPECT_EQ(log.count("connected to " + broker.uri()), 1u) << log.all();
}

TEST(MqttClient, RetainedStateIsVisibleToLateSubscribersAndCanBeCleared) {
    MosquittoBroker broker;
    MqttClient gateway(optionsFor(broker, "gateway"));
    // Published before start(): remembered and sent once connected.
    gateway.publish(MqttMessage{"steward/devices/1", R"({"state":"owned"})", true, 1});
    gateway.publish(MqttMessage{"steward/devices/2", R"({"state":"unowned"})", true, 1});
    gateway.start();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); }));
    gateway.publish(MqttMessage{"steward/devices/2", R"({"state":"provisioned"})", true, 1});

    {
        Observer late(broker, "late", "steward/devices/#");
        const auto one = late.inbox.waitFor("steward/devices/1");
        ASSERT_TRUE(one);
        EXPECT_EQ(one->payload, R"({"state":"owned"})");
        EXPECT_TRUE(one->retain);
        ASSERT_TRUE(late.inbox.waitFor("steward/devices/2", R"({"state":"provisioned"})"));
    }

    gateway.publish(MqttMessage{"steward/devices/1", "", true, 1});  // clear
    // Retained messages come right after SUBSCRIBE, so once the probe is back, all are in.
    Observer later(broker, "later", "steward/devices/#");
    EXPECT_EQ(later.inbox.count("steward/devices/1"), 0u);
    EXPECT_EQ(later.inbox.count("steward/devices/2"), 1u);
}

TEST(MqttClient, WillSaysOfflineWhenTheProcessDiesAndOnlineAfterConnecting) {
    MosquittoBroker broker;
    Observer observer(broker, "observer", "gw/state");

    auto gateway = std::make_unique<BackgroundProcess>(
        testClientBinary(), std::vector<std::string>{broker.host(), std::to_string(broker.port()), "gw", "gw/state"});
    ASSERT_TRUE(gateway->waitForLine([](const std::string& l) { return l == "connected"; }, kDeadline)) << gateway->output();
    const auto online = observer.inbox.waitFor("gw/state", "online");
    ASSERT_TRUE(online);

    ASSERT_TRUE(gateway->writeLine("crash"));
    ASSERT_TRUE(gateway->wait(kDeadline));
    ASSERT_TRUE(observer.inbox.waitFor("gw/state", "offline")) << broker.output();

    Observer late(broker, "late", "gw/state");
    const auto state = late.inbox.waitFor("gw/state");
    ASSERT_TRUE(state);
    EXPECT_EQ(state->payload, "offline");
    EXPECT_TRUE(state->retain);

    // Back again: "online" replaces the will's "offline".
    gateway = std::make_unique<BackgroundProcess>(testClientBinary(),
                                                  std::vector<std::string>{broker.host(), std::to_string(broker.port()), "gw", "gw/state"});
    ASSERT_TRUE(gateway->waitForLine([](const std::string& l) { return l == "connected"; }, kDeadline));
    ASSERT_TRUE(late.inbox.waitFor("gw/state", "online"));
    ASSERT_TRUE(gateway->writeLine("stop"));
    ASSERT_TRUE(gateway->waitForLine([](const std::string& l) { return l == "stopped"; }, kDeadline));
}

TEST(MqttClient, CleanStopPublishesOfflineRetained) {
    MosquittoBroker broker;
    Observer observer(broker, "observer", "gw/state");
    auto options = optionsFor(broker, "gw");
    options.willTopic = "gw/state";
    options.willPayload = "offline";
    options.onlineTopic = "gw/state";
    options.onlinePayload = "online";
    MqttClient gateway(options);
    gateway.start();
    ASSERT_TRUE(observer.inbox.waitFor("gw/state", "online"));
    gateway.stop();
    EXPECT_FALSE(gateway.connected());
    ASSERT_TRUE(observer.inbox.waitFor("gw/state", "offline"));

    Observer late(broker, "late", "gw/state");
    const auto state = late.inbox.waitFor("gw/state");
    ASSERT_TRUE(state);
    EXPECT_EQ(state->payload, "offline");
    EXPECT_TRUE(state->retain);

    gateway.start();  // a stopped client can start again
    ASSERT_TRUE(late.inbox.waitFor("gw/state", "online"));
}

TEST(MqttClient, SurvivesABrokerRestart) {
    MosquittoBroker broker;
    LogLines log;
    auto options = optionsFor(broker, "gw", &log);
    options.willTopic = "gw/state";
    options.willPayload = "offline";
    options.onlineTopic = "gw/state";
    options.onlinePayload = "online";
    Inbox inbox;
    std::mutex changesMutex;
    std::vector<std::pair<bool, std::string>> changes;
    MqttClient gateway(options);
    gateway.onMessage(inbox.handler());
    gateway.onConnectionChange([&](bool up, const std::string& reason) {
        const std::lock_guard lock(changesMutex);
        changes.emplace_back(up, reason);
    });
    gateway.start();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); }));
    subscribeAndWait(gateway, inbox, "gw/cmd/#");
    gateway.publish(MqttMessage{"gw/devices/1", "owned", true, 1});

    broker.kill();  // no persistence: every retained message and subscription is gone with it
    ASSERT_TRUE(eventually([&] { return !gateway.connected(); }));

    // While the broker is away: events wait in the queue, state is remembered.
    for (int i = 0; i < 50; ++i) gateway.publish(MqttMessage{"gw/cmd/" + std::to_string(i), "event", false, 1});
    gateway.publish(MqttMessage{"gw/devices/2", "provisioned", true, 1});
    gateway.publish(MqttMessage{"gw/devices/1", "removed", true, 1});

    broker.start();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); })) << log.all() << broker.output();
    EXPECT_EQ(gateway.stats().reconnects, 1u);

    // Re-subscribed before the queue was flushed: our own queued events come back, in order.
    ASSERT_TRUE(inbox.waitForCount("gw/cmd/", 50)) << "got " << inbox.count("gw/cmd/") << "\n" << log.all();
    waitForSubscriptions(gateway, inbox);  // nothing else is on its way
    std::vector<std::string> topics;
    for (const auto& m : inbox.withPrefix("gw/cmd/")) topics.push_back(m.topic);
    ASSERT_EQ(topics.size(), 50u);
    for (std::size_t i = 0; i < topics.size(); ++i) EXPECT_EQ(topics[i], "gw/cmd/" + std::to_string(i));

    // The restarted broker has the retained state again.
    Observer late(broker, "late", "gw/#");
    const auto one = late.inbox.waitFor("gw/devices/1");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->payload, "removed");
    ASSERT_TRUE(late.inbox.waitFor("gw/devices/2", "provisioned"));
    ASSERT_TRUE(late.inbox.waitFor("gw/state", "online"));

    {
        const std::lock_guard lock(changesMutex);
        ASSERT_EQ(changes.size(), 3u);
        EXPECT_TRUE(changes[0].first);
        EXPECT_FALSE(changes[1].first);
        EXPECT_FALSE(changes[1].second.empty());
        EXPECT_TRUE(changes[2].first);
    }
    EXPECT_EQ(log.count("connection to " + broker.uri() + " lost"), 1u) << log.all();
    EXPECT_EQ(log.count("reconnected to " + broker.uri()), 1u) << log.all();
    EXPECT_GE(log.count("cannot connect to " + broker.uri()), 1u) << log.all();
}

// Issue 19.3: a retained payload the broker already has from this connection is not sent again
// (unless asked to); after a reconnection every retained topic is still published again.
TEST(MqttClient, AnUnchangedRetainedPayloadIsSentOnceAndStillRepublishedAfterAReconnect) {
    MosquittoBroker broker;
    LogLines log;
    Observer observer(broker, "observer", "gw/#");
    MqttClient gateway(optionsFor(broker, "gw", &log));
    gateway.start();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); })) << log.all();
    // Everything the gateway sent before `marker` has reached the observer once the marker has (one
    // connection's packets are handled in order, and delivered in order at one QoS).
    int markers = 0;
    auto settle = [&] {
        const std::string marker = "gw/marker/" + std::to_string(++markers);
        gateway.publish(MqttMessage{marker, "m", false, 1});
        return observer.inbox.waitFor(marker).has_value();
    };
    auto payloads = [&](const std::string& topic) {
        std::vector<std::string> out;
        for (const auto& m : observer.inbox.withPrefix(topic)) {
            if (m.topic == topic) out.push_back(m.payload);
        }
        return out;
    };

    for (int i = 0; i < 5; ++i) gateway.publish(MqttMessage{"gw/devices/1", "owned", true, 1});
    gateway.publish(MqttMessage{"gw/devices/1", "owned", true, 1}, true);  // forced: sent again
    gateway.publish(MqttMessage{"gw/devices/1", "removed", true, 1});
    gateway.publish(MqttMessage{"gw/devices/1", "owned", true, 1});  // changed back: sent
    gateway.publish(MqttMessage{"gw/devices/1", "owned", true, 1});
    for (int i = 0; i < 3; ++i) gateway.publish(MqttMessage{"gw/event", "same", false, 1});  // not retained: every one
    gateway.publish(MqttMessage{"gw/devices/2", "x", true, 1});
    gateway.publish(MqttMessage{"gw/devices/2", "", true, 1});  // cleared, then the same value again: sent
    gateway.publish(MqttMessage{"gw/devices/2", "x", true, 1});
    ASSERT_TRUE(settle()) << log.all();
    EXPECT_EQ(payloads("gw/devices/1"), (std::vector<std::string>{"owned", "owned", "removed", "owned"}));
    EXPECT_EQ(payloads("gw/event").size(), 3u);
    EXPECT_EQ(payloads("gw/devices/2"), (std::vector<std::string>{"x", "", "x"}));
    EXPECT_EQ(gateway.stats().unchanged, 5u);

    // A broker without persistence restarted: the retained state is published again after the
    // reconnection, unchanged values included.
    broker.kill();
    ASSERT_TRUE(eventually([&] { return !gateway.connected(); }));
    gateway.publish(MqttMessage{"gw/devices/1", "owned", true, 1});  // remembered already: nothing new
    broker.start();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); })) << log.all() << broker.output();
    Observer late(broker, "late", "gw/devices/#");
    ASSERT_TRUE(late.inbox.waitFor("gw/devices/1", "owned")) << log.all();
    ASSERT_TRUE(late.inbox.waitFor("gw/devices/2", "x"));
    EXPECT_EQ(late.inbox.count("gw/devices/1"), 1u);

    // And once republished, the same value is not sent again on this connection.
    const auto before = gateway.stats();
    gateway.publish(MqttMessage{"gw/devices/1", "owned", true, 1});
    EXPECT_EQ(gateway.stats().published, before.published);
    EXPECT_EQ(gateway.stats().unchanged, before.unchanged + 1);
}

TEST(MqttClient, PublishNeverBlocksWhileTheBrokerIsDownAndTheQueueIsBounded) {
    MosquittoBroker broker;
    broker.stop();  // the port is known, nobody listens
    LogLines log;
    auto options = optionsFor(broker, "gw", &log);
    options.maxQueued = 100;
    Inbox inbox;
    MqttClient gateway(options);
    gateway.onMessage(inbox.handler());
    gateway.subscribe("burst/#", 1);

    auto begin = std::chrono::steady_clock::now();
    gateway.start();
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 500ms);
    ASSERT_TRUE(eventually([&] { return log.count("cannot connect") >= 2; })) << log.all();  // it keeps trying

    begin = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; ++i) {
        gateway.publish(MqttMessage{"burst/" + std::to_string(i), std::string(100, 'x'), false, i % 2});
    }
    const auto elapsed = std::chrono::steady_clock::now() - begin;
    EXPECT_LT(elapsed, 1s) << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
    EXPECT_EQ(gateway.stats().dropped, 900u);
    EXPECT_EQ(gateway.stats().published, 0u);
    EXPECT_FALSE(gateway.connected());

    broker.start();
    ASSERT_TRUE(inbox.waitForCount("burst/", 100)) << log.all();
    waitForSubscriptions(gateway, inbox);  // nothing else is on its way
    // The newest 100 survived. (QoS 0 and QoS 1 messages may overtake each other: libmosquitto
    // holds QoS 1 ones back while 20 are unacknowledged. Within one QoS the order is kept.)
    std::set<std::string> got;
    std::vector<std::string> qos1;
    for (const auto& m : inbox.withPrefix("burst/")) {
        got.insert(m.topic);
        if (m.qos == 1) qos1.push_back(m.topic);
    }
    std::set<std::string> expected;
    for (int i = 900; i < 1000; ++i) expected.insert("burst/" + std::to_string(i));
    EXPECT_EQ(got, expected);
    EXPECT_EQ(inbox.count("burst/"), 100u);
    ASSERT_EQ(qos1.size(), 50u);
    for (std::size_t i = 0; i < qos1.size(); ++i) EXPECT_EQ(qos1[i], "burst/" + std::to_string(901 + 2 * i));
    EXPECT_EQ(gateway.stats().reconnects, 0u);  // the first connection
}

TEST(MqttClient, StopIsPromptWhileTheBrokerIsDown) {
    MosquittoBroker broker;
    broker.stop();
    auto options = optionsFor(broker, "gw");
    options.reconnectMin = 5s;
    options.reconnectMax = 30s;
    MqttClient gateway(options);
    gateway.start();
    std::this_thread::yield();
    const auto begin = std::chrono::steady_clock::now();
    gateway.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s);
}

TEST(MqttClient, HandlerExceptionsDoNotKillTheClient) {
    MosquittoBroker broker;
    LogLines log;
    Inbox inbox;
    MqttClient client(optionsFor(broker, "gw", &log));
    const auto record = inbox.handler();
    client.onMessage([record](const MqttMessage& m) {
        if (m.topic == "x/boom") throw std::runtime_error("handler exploded");
        if (m.topic == "x/int") throw 42;
        record(m);
    });
    client.subscribe("y/+", 1, [](const MqttMessage&) { throw std::logic_error("filter handler exploded"); });
    client.onConnectionChange([](bool, const std::string&) { throw std::runtime_error("connection handler exploded"); });
    client.start();
    ASSERT_TRUE(eventually([&] { return client.connected(); }));
    subscribeAndWait(client, inbox, "x/#");

    client.publish(MqttMessage{"x/boom", "1", false, 1});
    client.publish(MqttMessage{"x/int", "2", false, 1});
    client.publish(MqttMessage{"y/filter", "3", false, 1});
    client.publish(MqttMessage{"x/after", "4", false, 1});
    ASSERT_TRUE(inbox.waitFor("x/after", "4"));
    ASSERT_TRUE(inbox.waitFor("y/filter", "3"));  // the onMessage handler still ran after the filter's threw
    EXPECT_TRUE(client.connected());
    EXPECT_EQ(log.count("handler exploded"), 3u) << log.all();
    EXPECT_EQ(log.count("unknown exception"), 1u) << log.all();
}

TEST(MqttClient, UsernameAndPassword) {
    MosquittoBroker broker(BrokerOptions{{{"gateway", "s3cret-pw"}}, {}});
    LogLines log;
    auto good = optionsFor(broker, "good", &log);
    good.username = "gateway";
    good.password = "s3cret-pw";
    MqttClient accepted(good);
    accepted.start();
    ASSERT_TRUE(eventually([&] { return accepted.connected(); })) << log.all() << broker.output();

    auto bad = optionsFor(broker, "bad", &log);
    bad.username = "gateway";
    bad.password = "wrong-pw";
    std::mutex m;
    std::vector<std::pair<bool, std::string>> changes;
    MqttClient refused(bad);
    refused.onConnectionChange([&](bool up, const std::string& reason) {
        const std::lock_guard lock(m);
        changes.emplace_back(up, reason);
    });
    refused.start();
    ASSERT_TRUE(eventually([&] {
        const std::lock_guard lock(m);
        return changes.size() >= 2;  // refused, and refused again after the back-off
    })) << log.all();
    {
        const std::lock_guard lock(m);
        for (const auto& [up, reason] : changes) {
            EXPECT_FALSE(up);
            EXPECT_NE(reason.find("not authorised"), std::string::npos) << reason;
        }
    }
    EXPECT_FALSE(refused.connected());

    auto anonymous = optionsFor(broker, "anonymous", &log);
    MqttClient nobody(anonymous);
    nobody.start();
    ASSERT_TRUE(eventually([&] { return log.count("refused the connection") >= 3; })) << log.all();
    EXPECT_FALSE(nobody.connected());

    EXPECT_EQ(log.all().find("s3cret-pw"), std::string::npos);
    EXPECT_EQ(log.all().find("wrong-pw"), std::string::npos);
}

TEST(MqttClient, KeepsRetryingAfterATlsFailure) {
    // libmosquitto's own threaded loop gives up for good after a failed TLS handshake; ours must not.
    const std::filesystem::path ca = "/etc/ssl/certs/ca-certificates.crt";
    if (!std::filesystem::exists(ca)) GTEST_SKIP() << "no CA bundle at " << ca;
    MosquittoBroker broker;  // plain MQTT: the TLS handshake fails
    LogLines log;
    auto options = optionsFor(broker, "gw", &log);
    options.tls = steward::bridge::MqttTls{ca.string(), "", "", false};
    MqttClient client(options);
    client.start();
    ASSERT_TRUE(eventually([&] { return log.count("cannot connect to " + broker.uri()) >= 3; })) << log.all();
    EXPECT_FALSE(client.connected());
}

namespace {

// A test PKI made with the openssl tool: a CA, a server certificate for 127.0.0.1 and a client
// certificate (CN "gateway"), all P-256.
struct TestPki {
    TempDir dir;
    std::string ca() const { return (dir / "ca.crt").string(); }
    std::string file(const std::string& name) const { return (dir / name).string(); }

    void run(const std::vector<std::string>& args) const {
        const auto result = steward::test::runProcess(steward::test::findOnPath("openssl"), args);
        if (result.exitCode != 0) throw std::runtime_error("openssl failed: " + result.err);
    }
    void issue(const std::string& name, const std::string& cn, const std::string& extensions) const {
        run({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", file(name + ".key"), "-out",
             file(name + ".csr"), "-subj", "/CN=" + cn});
        {
            std::ofstream ext(file(name + ".ext"));
            ext << extensions << "\n";
        }
        run({"x509", "-req", "-in", file(name + ".csr"), "-CA", ca(), "-CAkey", file("ca.key"), "-CAcreateserial", "-out",
             file(name + ".crt"), "-days", "1", "-extfile", file(name + ".ext")});
    }
    TestPki() {
        run({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", file("ca.key"), "-out", ca(),
             "-days", "1", "-subj", "/CN=steward-test-ca"});
        issue("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        issue("client", "gateway", "extendedKeyUsage=clientAuth");
    }
};

}  // namespace

TEST(MqttClient, TlsWithAClientCertificate) {
    if (steward::test::findOnPath("openssl").find('/') == std::string::npos) GTEST_SKIP() << "no openssl tool";
    const TestPki pki;
    MosquittoBroker broker(BrokerOptions{{},
                                         {"cafile " + pki.ca(), "certfile " + pki.file("server.crt"), "keyfile " + pki.file("server.key"),
                                          "require_certificate true", "use_identity_as_username true"}});
    LogLines log;
    auto options = optionsFor(broker, "gw", &log);
    options.tls = steward::bridge::MqttTls{pki.ca(), pki.file("client.crt"), pki.file("client.key"), false};
    Inbox inbox;
    MqttClient gateway(options);
    gateway.onMessage(inbox.handler());
    gateway.start();
    ASSERT_TRUE(eventually([&] { return gateway.connected(); })) << log.all() << broker.output();
    subscribeAndWait(gateway, inbox, "tls/#");
    gateway.publish(MqttMessage{"tls/x", "over TLS", false, 1});
    ASSERT_TRUE(inbox.waitFor("tls/x", "over TLS"));

    // Without a client certificate the broker refuses the handshake; the client keeps trying.
    LogLines refusedLog;
    auto noCert = optionsFor(broker, "nocert", &refusedLog);
    noCert.tls = steward::bridge::MqttTls{pki.ca(), "", "", false};
    MqttClient refused(noCert);
    refused.start();
    ASSERT_TRUE(eventually([&] { return refusedLog.count("cannot connect to " + broker.uri()) >= 2; })) << refusedLog.all();
    EXPECT_FALSE(refused.connected());
}

TEST(MqttClient, RejectsInvalidArguments) {
    MqttOptions o;
    o.port = 0;
    EXPECT_THROW(MqttClient{o}, std::invalid_argument);
    o = MqttOptions{};
    o.host.clear();
    EXPECT_THROW(MqttClient{o}, std::invalid_argument);
    o = MqttOptions{};
    o.willTopic = "a/#";
    EXPECT_THROW(MqttClient{o}, std::invalid_argument);
    o = MqttOptions{};
    o.tls = steward::bridge::MqttTls{"/nonexistent/ca.pem", "", "", false};
    EXPECT_THROW(MqttClient{o}, std::invalid_argument);
    o = MqttOptions{};
    o.tls = steward::bridge::MqttTls{"/etc/hostname", "/etc/hostname", "", false};  // certificate without key
    EXPECT_THROW(MqttClient{o}, std::invalid_argument);

    MqttClient client(MqttOptions{});  // not started: no network at all
    EXPECT_THROW(client.publish(MqttMessage{"a/+", "x", false, 0}), std::invalid_argument);
    EXPECT_THROW(client.publish(MqttMessage{"", "x", false, 0}), std::invalid_argument);
    EXPECT_THROW(client.publish(MqttMessage{"a", "x", false, 3}), std::invalid_argument);
    EXPECT_THROW(client.subscribe("a/#/b"), std::invalid_argument);
    EXPECT_THROW(client.subscribe("a/#", 5), std::invalid_argument);
    EXPECT_NO_THROW(client.publish(MqttMessage{"a/b", "x", false, 0}));
    EXPECT_FALSE(client.connected());
}
