// Nothing a user sees is lost on restart (issue 16): stewardd, with devices owned (Just-Works and
// Random PIN, one after a failed attempt), a policy applied to one (provisioned), two linked, one
// renamed and one removed (blocked), is stopped with SIGTERM and then killed with SIGKILL; each
// time it is started again, and every retained message (under the base topic and the Home
// Assistant prefix) must be what it was before. The retained messages are cleared on the broker
// before each start, so that what the comparison finds is what the new daemon published.
//
// Ignored in the comparison, and only this: "last_seen" in steward/devices/<uuid>, the time of the
// device's latest discovery answer; it moves with every discovery round (every second here),
// restart or not. Everything else, "blocked.since" included (the time of the removal, which the
// PDM keeps), must be equal.
//
// Also checked: the first message the new daemon publishes for each device and for the metrics,
// before any discovery round or policy application could have fixed anything, already carries what
// the PDM keeps (state, name, policies, links, OTM, endpoint, types; the block; every figure).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "bridge/mqtt/broker_fixture.hpp"
#include "daemon_fixture.hpp"
#include "device_fixture.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kBase = "steward";
constexpr const char* kHomeAssistant = "homeassistant";

// Topic -> payload of every retained message a fresh subscriber gets.
using Snapshot = std::map<std::string, std::string>;

// The fields of a device's retained state that come from discovery alone (the PDM does not keep
// them): what the first publication after a start may lack.
const std::set<std::string> kDiscoveryFields{"last_seen", "methods"};
const std::set<std::string> kBlockedDiscoveryFields{"last_seen", "methods", "name", "device_types", "endpoint"};

bool isDeviceTopic(const std::string& topic) { return topic.rfind(std::string(kBase) + "/devices/", 0) == 0; }

// The payload as compared: JSON parsed again (keys sorted) without `drop`; other text as it is.
std::string normalized(const std::string& payload, const std::set<std::string>& drop = {}) {
    try {
        auto value = Poco::JSON::Parser().parse(payload);
        if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
            auto object = value.extract<Poco::JSON::Object::Ptr>();
            for (const auto& key : drop) object->remove(key);
        }
        std::ostringstream out;
        Poco::JSON::Stringifier::stringify(value, out);
        return out.str();
    } catch (const Poco::Exception&) {
        return payload;
    }
}

Snapshot comparable(const Snapshot& s) {
    Snapshot out;
    for (const auto& [topic, payload] : s) out[topic] = isDeviceTopic(topic) ? normalized(payload, {"last_seen"}) : normalized(payload);
    return out;
}

std::string differences(const Snapshot& before, const Snapshot& after) {
    std::string out;
    for (const auto& [topic, payload] : before) {
        const auto it = after.find(topic);
        if (it == after.end()) {
            out += "missing after: " + topic + " " + payload + "\n";
        } else if (it->second != payload) {
            out += "differs: " + topic + "\n  before: " + payload + "\n  after:  " + it->second + "\n";
        }
    }
    for (const auto& [topic, payload] : after) {
        if (!before.contains(topic)) out += "new after: " + topic + " " + payload + "\n";
    }
    return out;
}

// A fresh subscriber: every retained message under the base topic and the Home Assistant prefix,
// as the broker hands them to a new subscription (retain flag set); live ones are left out.
Snapshot retainedNow(int port) {
    std::mutex mutex;
    Snapshot got;
    auto last = std::chrono::steady_clock::now();
    bridge::MqttOptions o;
    o.port = port;
    o.clientId = "restart-snapshot-" + std::to_string(::getpid());
    o.reconnectMin = 100ms;
    o.reconnectMax = 500ms;
    bridge::MqttClient client(o);
    client.onMessage([&](const bridge::MqttMessage& m) {
        if (!m.retain || m.payload.empty()) return;
        const std::lock_guard lock(mutex);
        got[m.topic] = m.payload;
        last = std::chrono::steady_clock::now();
    });
    client.subscribe(std::string(kBase) + "/#", 1);
    client.subscribe(std::string(kHomeAssistant) + "/#", 1);
    client.start();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!client.connected() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    if (!client.connected()) throw std::runtime_error("the snapshot client could not connect to the broker");
    // The broker sends the retained messages right after the subscription: done once it goes quiet.
    const auto connectedAt = std::chrono::steady_clock::now();
    for (;;) {
        std::this_thread::sleep_for(100ms);
        const std::lock_guard lock(mutex);
        const auto now = std::chrono::steady_clock::now();
        if (now - connectedAt > 1s && now - last > 500ms) break;
    }
    client.stop();
    const std::lock_guard lock(mutex);
    return got;
}

// Publishes an empty retained payload to every topic: the broker forgets them.
void clearRetained(int port, const Snapshot& topics) {
    bridge::MqttOptions o;
    o.port = port;
    o.clientId = "restart-clear-" + std::to_string(::getpid());
    bridge::MqttClient client(o);
    client.start();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!client.connected() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    if (!client.connected()) throw std::runtime_error("the clearing client could not connect to the broker");
    for (const auto& [topic, payload] : topics) client.publish({topic, "", true, 1});
    std::this_thread::sleep_for(500ms);  // QoS 1 handed over before the clean disconnect
    client.stop();
}

class StewarddRestart : public ::testing::Test {
protected:
    void SetUp() override {
        std::filesystem::create_directories(dir / "policies.d");
        // One policy, for the kitchen light only: the gateway may do anything on it.
        std::ofstream(dir / "policies.d" / "10-kitchen.yaml") << R"(policies:
  - name: kitchen-managed-by-gateway
    match: {name: "Kitchen*"}
    aces:
      - subject: gateway
        resources: ["*"]
        permission: CRUDN
)";
    }

    std::string config(const std::vector<const RunningDevices*>& devices) const {
        std::string unicast;
        for (const auto* d : devices)
            unicast += std::string(unicast.empty() ? "" : ", ") + "\"127.0.0.1:" + std::to_string((*d)[0].port) + "\"";
        return "state_dir: " + (dir / "state").string() + "\nplugin_dir: " + STEWARD_PLUGIN_DIR +
               "\npolicy_dir: " + (dir / "policies.d").string() + "\nmqtt: {port: " + std::to_string(broker.port()) +
               ", homeassistant: true}\ndiscovery: {unicast: [" + unicast +
               "], interval: 1, timeout_ms: 500}\nownership: {mode: manual, allow_justworks: true, pin_timeout: 60}"
               "\nlogging: {level: debug}\n";
    }

    static bool ok(const Poco::JSON::Object::Ptr& response) { return response && response->optValue<std::string>("status", "") == "ok"; }
    static std::string deviceBody(const RunningDevices& d) { return "{\"device\":\"" + d[0].id.toString() + "\"}"; }

    // Events of `type` about `device`, in order.
    static std::vector<Poco::JSON::Object::Ptr> eventsFor(const Observer& watch, const std::string& type, const RunningDevices& d) {
        std::vector<Poco::JSON::Object::Ptr> out;
        for (const auto& m : watch.messages()) {
            const auto o = m.topic == std::string(kBase) + "/bridge/event" ? parseJsonObject(m.payload) : nullptr;
            if (o && o->optValue<std::string>("type", "") == type &&
                o->getObject("data")->optValue<std::string>("device", "") == d[0].id.toString())
                out.push_back(o->getObject("data"));
        }
        return out;
    }
    static Poco::JSON::Object::Ptr responseTo(const Observer& watch, const std::string& action, const std::string& transaction) {
        for (const auto& m : watch.messages()) {
            if (m.topic != std::string(kBase) + "/bridge/response/" + action) continue;
            const auto o = parseJsonObject(m.payload);
            if (o && o->has("transaction") && o->get("transaction").toString() == transaction) return o;
        }
        return nullptr;
    }
    static bool waitForState(const Observer& watch, const RunningDevices& d, const std::string& state, std::chrono::seconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto o = watch.latest(std::string(kBase) + "/devices/" + d[0].id.toString());
            if (o && o->optValue<std::string>("state", "") == state) return true;
            if (std::chrono::steady_clock::now() >= deadline) return false;
            std::this_thread::sleep_for(100ms);
        }
    }

    // Owns a Random PIN device: first with a wrong PIN to every pairing request until the request
    // fails (a failure in the metrics, and retries if the daemon gives more than one attempt),
    // then with the PIN the device shows.
    void ownRandomPinAfterAFailure(Observer& watch, RunningDevices& d, BackgroundProcess& daemon) {
        std::size_t from = 0;
        std::size_t answered = 0;
        watch.publishRaw("own", "{\"device\":\"" + d[0].id.toString() + "\",\"transaction\":\"wrong\"}");
        const auto deadline = std::chrono::steady_clock::now() + 120s;
        while (!responseTo(watch, "own", "wrong")) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << watch.dump() << daemon.output();
            if (eventsFor(watch, "pairing_request", d).size() > answered) {
                const auto shown = waitForPin(*d.process, from, 10s);
                ASSERT_TRUE(shown) << d.process->output();
                const std::string wrong = *shown == "00000000" ? "11111111" : "00000000";
                ASSERT_TRUE(ok(watch.request("pin", "{\"device\":\"" + d[0].id.toString() + "\",\"pin\":\"" + wrong + "\"}")));
                ++answered;
            }
            std::this_thread::sleep_for(100ms);
        }
        EXPECT_EQ(responseTo(watch, "own", "wrong")->optValue<std::string>("status", ""), "error");
        ASSERT_TRUE(waitForState(watch, d, "failed", 10s)) << watch.dump();

        // After three wrong PINs from one address a device refuses PIN handshakes for 5 s.
        if (answered >= 3) std::this_thread::sleep_for(6s);
        const auto requestsBefore = eventsFor(watch, "pairing_request", d).size();
        watch.publishRaw("own", "{\"device\":\"" + d[0].id.toString() + "\",\"transaction\":\"right\"}");
        const auto until = std::chrono::steady_clock::now() + 30s;
        while (eventsFor(watch, "pairing_request", d).size() <= requestsBefore) {
            ASSERT_LT(std::chrono::steady_clock::now(), until) << watch.dump() << daemon.output();
            std::this_thread::sleep_for(100ms);
        }
        const auto shown = waitForPin(*d.process, from, 10s);
        ASSERT_TRUE(shown) << d.process->output();
        ASSERT_TRUE(ok(watch.request("pin", "{\"device\":\"" + d[0].id.toString() + "\",\"pin\":\"" + *shown + "\"}")));
        const auto done = std::chrono::steady_clock::now() + 30s;
        while (!responseTo(watch, "own", "right")) {
            ASSERT_LT(std::chrono::steady_clock::now(), done) << watch.dump() << daemon.output();
            std::this_thread::sleep_for(100ms);
        }
        ASSERT_TRUE(ok(responseTo(watch, "own", "right"))) << watch.dump() << daemon.output();
    }

    // The retained set once it no longer changes: two snapshots in a row, seconds apart (several
    // discovery rounds), equal but for the ignored fields.
    Snapshot settled(std::chrono::seconds timeout = 40s) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        auto previous = retainedNow(broker.port());
        for (;;) {
            std::this_thread::sleep_for(2s);
            auto next = retainedNow(broker.port());
            if (comparable(next) == comparable(previous)) return next;
            if (std::chrono::steady_clock::now() >= deadline) {
                ADD_FAILURE() << "the retained messages do not settle:\n" << differences(comparable(previous), comparable(next));
                return next;
            }
            previous = std::move(next);
        }
    }

    // After the restart: waits until the retained set equals `before` (the new daemon republished
    // everything and discovery has been round), then checks that it stays so.
    void expectTheSameRetainedMessages(const Snapshot& before, BackgroundProcess& daemon) const {
        const auto expected = comparable(before);
        const auto deadline = std::chrono::steady_clock::now() + 40s;
        Snapshot now;
        for (;;) {
            now = comparable(retainedNow(broker.port()));
            if (now == expected) break;
            if (std::chrono::steady_clock::now() >= deadline) {
                FAIL() << "the retained messages after the restart differ:\n" << differences(expected, now) << daemon.output();
            }
            std::this_thread::sleep_for(1s);
        }
        std::this_thread::sleep_for(3s);  // three discovery rounds more: nothing moves
        now = comparable(retainedNow(broker.port()));
        EXPECT_EQ(now, expected) << differences(expected, now);
    }

    // The first message the restarted daemon published (from message `from` of `watch` on) on
    // each device topic and on the metrics: what the PDM keeps is there from the start.
    static void expectTheFirstPublicationsFromThePdm(const Snapshot& before, const Observer& watch, std::size_t from,
                                                     const std::set<std::string>& blockedTopics) {
        std::map<std::string, std::string> first;
        const auto all = watch.messages();
        for (std::size_t i = from; i < all.size(); ++i) first.try_emplace(all[i].topic, all[i].payload);
        for (const auto& [topic, payload] : before) {
            const bool device = isDeviceTopic(topic);
            if (!device && topic != std::string(kBase) + "/bridge/metrics") continue;
            const auto it = first.find(topic);
            ASSERT_NE(it, first.end()) << "nothing published on " << topic;
            const auto& drop = blockedTopics.contains(topic) ? kBlockedDiscoveryFields : kDiscoveryFields;
            EXPECT_EQ(normalized(it->second, device ? drop : std::set<std::string>{}),
                      normalized(payload, device ? drop : std::set<std::string>{}))
                << "the first publication on " << topic << " after the start";
        }
    }

    TempDir dir;
    MosquittoBroker broker;
};

TEST_F(StewarddRestart, EveryRetainedMessageIsTheSameAfterSigtermAndAfterKill9) {
    auto kitchen = startDevices({"--svrdb", (dir / "kitchen.dat").string(), "--name", "Kitchen light"});
    auto hall = startDevices({"--svrdb", (dir / "hall.dat").string(), "--name", "Hall light"});
    auto porch = startDevices({"--svrdb", (dir / "porch.dat").string(), "--name", "Porch light"});
    auto door = startDevices({"--svrdb", (dir / "door.dat").string(), "--name", "Door light", "--otm", "randompin"});
    const auto yaml = config({&kitchen, &hall, &porch, &door});
    const auto topicOf = [](const RunningDevices& d) { return std::string(kBase) + "/devices/" + d[0].id.toString(); };

    Observer watch(broker.port());
    auto daemon = startDaemon(dir.path(), yaml);
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    for (const auto* d : {&kitchen, &hall, &porch, &door}) {
        ASSERT_TRUE(waitForState(watch, *d, "unowned", 15s)) << watch.dump() << daemon->output();
    }

    // Owned: three Just-Works devices by explicit requests; the kitchen light gets its policy.
    for (const auto* d : {&kitchen, &hall, &porch}) {
        const auto owned = watch.request("own", deviceBody(*d), 30s);
        ASSERT_TRUE(ok(owned)) << watch.dump() << daemon->output();
    }
    ASSERT_TRUE(waitForState(watch, kitchen, "provisioned", 20s)) << watch.dump() << daemon->output();
    // The Random PIN device after a failed attempt: failures (and retries) in the metrics.
    ownRandomPinAfterAFailure(watch, door, *daemon);
    if (HasFatalFailure()) return;

    // Linked, renamed, removed (and blocked once it comes back reset).
    ASSERT_TRUE(ok(watch.request("link",
                                 "{\"a\":\"" + kitchen[0].id.toString() + "\",\"b\":\"" + hall[0].id.toString() +
                                     "\",\"resources\":[\"/a/light\"],\"permission\":\"RU\"}",
                                 30s)))
        << watch.dump() << daemon->output();
    ASSERT_TRUE(ok(watch.request("rename", "{\"device\":\"" + hall[0].id.toString() + "\",\"name\":\"Hallway lamp\"}")));
    ASSERT_TRUE(ok(watch.request("remove", deviceBody(porch), 30s))) << watch.dump() << daemon->output();
    ASSERT_TRUE(waitForState(watch, porch, "blocked", 20s)) << watch.dump() << daemon->output();

    const auto before = settled();
    // What the scenario set up is in the retained state (so the comparisons below mean something).
    {
        const auto k = parseJsonObject(before.at(topicOf(kitchen)));
        ASSERT_TRUE(k);
        EXPECT_EQ(k->getValue<std::string>("state"), "provisioned");
        ASSERT_EQ(k->getArray("policies")->size(), 1u);
        EXPECT_EQ(k->getArray("policies")->getElement<std::string>(0), "kitchen-managed-by-gateway");
        ASSERT_EQ(k->getArray("links")->size(), 1u);
        EXPECT_EQ(k->getArray("links")->getElement<std::string>(0), hall[0].id.toString());
        const auto h = parseJsonObject(before.at(topicOf(hall)));
        EXPECT_EQ(h->getValue<std::string>("state"), "owned");
        EXPECT_EQ(h->getValue<std::string>("name"), "Hallway lamp");
        const auto p = parseJsonObject(before.at(topicOf(porch)));
        EXPECT_EQ(p->getValue<std::string>("state"), "blocked");
        EXPECT_EQ(p->getObject("blocked")->getValue<std::string>("reason"), "removed");
        const auto dr = parseJsonObject(before.at(topicOf(door)));
        EXPECT_EQ(dr->getValue<std::string>("state"), "owned");
        EXPECT_EQ(dr->getValue<std::string>("otm"), "oic.sec.doxm.rdp");
        const auto m = parseJsonObject(before.at(std::string(kBase) + "/bridge/metrics"));
        ASSERT_TRUE(m);
        EXPECT_EQ(m->getValue<int>("devices_owned"), 4);
        EXPECT_GE(m->getValue<int>("failures_total"), 1);
        EXPECT_GT(m->getObject("time_to_own_ms")->getValue<int>("p50"), 0);
        EXPECT_GT(m->getObject("time_to_own_ms")->getValue<int>("p99"), 0);
        // Home Assistant knows the new name too: every config of the hall light's entities names
        // the device so.
        std::size_t hallConfigs = 0;
        for (const auto& [topic, payload] : before) {
            if (topic.rfind(std::string(kHomeAssistant) + "/", 0) != 0 ||
                topic.find("steward_" + hall[0].id.toString() + "/") == std::string::npos)
                continue;
            ++hallConfigs;
            const auto config = parseJsonObject(payload);
            ASSERT_TRUE(config && config->getObject("device")) << topic << " " << payload;
            EXPECT_EQ(config->getObject("device")->getValue<std::string>("name"), "Hallway lamp") << topic;
        }
        EXPECT_GT(hallConfigs, 0u);
        EXPECT_TRUE(before.contains(std::string(kBase) + "/bridge/info"));
        EXPECT_TRUE(before.contains(std::string(kBase) + "/bridge/devices"));
    }
    std::string topics;
    for (const auto& [topic, payload] : before) topics += topic + " ";
    RecordProperty("retained_topics", topics);  // what is compared (in the XML report)
    const std::set<std::string> blockedTopics{topicOf(porch)};

    for (const int signal : {SIGTERM, SIGKILL}) {
        SCOPED_TRACE(signal == SIGTERM ? "restarted after SIGTERM" : "restarted after kill -9");
        if (signal == SIGTERM) {
            ASSERT_EQ(daemon->stop(15s), 0) << daemon->output();
        } else {
            ASSERT_EQ(::kill(daemon->pid(), SIGKILL), 0);
            ASSERT_EQ(daemon->wait(10s), 256 + SIGKILL) << daemon->output();
        }
        daemon.reset();
        // The broker still holds the old daemon's retained messages (and, after kill -9, its last
        // will): cleared, so that whatever is retained after the start was published by the new one.
        clearRetained(broker.port(), retainedNow(broker.port()));
        ASSERT_TRUE(retainedNow(broker.port()).empty());

        const auto from = watch.messages().size();
        daemon = startDaemon(dir.path(), yaml);
        expectTheSameRetainedMessages(before, *daemon);
        expectTheFirstPublicationsFromThePdm(before, watch, from, blockedTopics);
        if (HasFatalFailure()) return;
    }
}

}  // namespace
}  // namespace steward::test
