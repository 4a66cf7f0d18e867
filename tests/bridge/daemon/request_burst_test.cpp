// No request lost under a burst: the real stewardd against a real mosquitto with its default limits
// (max_queued_messages 1000, max_inflight_messages 20). Every request of a burst of read-only
// `info` requests gets exactly one response (ok, or "busy" when the request window is full), with
// its transaction, delivered at QoS 1 to a QoS 1 subscriber (so published with QoS 1).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "bridge/mqtt/broker_fixture.hpp"
#include "daemon_fixture.hpp"
#include "request_burst.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

class RequestBurstTest : public ::testing::Test {
protected:
    std::unique_ptr<BackgroundProcess> start(const std::string& mqttExtra) {
        std::filesystem::create_directories(dir / "policies");
        const auto config = "state_dir: " + (dir / "state").string() + "\nplugin_dir: " + STEWARD_PLUGIN_DIR +
                            "\npolicy_dir: " + (dir / "policies").string() + "\nmqtt: {port: " + std::to_string(broker.port()) + mqttExtra +
                            "}\nlogging: {level: information}\n";
        auto daemon = startDaemon(dir.path(), config);
        Observer watch(broker.port());
        if (!watch.waitOnline()) throw std::runtime_error("stewardd never said online:\n" + daemon->output());
        return daemon;
    }
    static std::string describe(const BurstResult& r) {
        std::string s = "sent " + std::to_string(r.sent) + ", ok " + std::to_string(r.ok) + ", busy " + std::to_string(r.busy) +
                        ", error " + std::to_string(r.error) + ", missing " + std::to_string(r.missing) + ", duplicates " +
                        std::to_string(r.duplicates) + ", below QoS 1 " + std::to_string(r.belowQos1) + ", last after " +
                        std::to_string(r.lastResponseMs) + " ms";
        for (const auto& p : r.samples) s += "\n  " + p;
        return s;
    }

    TempDir dir;
    MosquittoBroker broker;  // stock limits: nothing but the listener and persistence set
};

TEST_F(RequestBurstTest, EveryRequestOfABurstGetsExactlyOneResponseWithItsTransaction) {
    auto daemon = start("");
    RequestBurst burst(broker.port(), "steward/bridge/request/info", "steward/bridge/response/info", "burst-test");
    const auto r = burst.run(2000, "b", 15s);
    EXPECT_EQ(r.missing, 0u) << describe(r) << "\n" << daemon->output();
    EXPECT_EQ(r.duplicates, 0u) << describe(r);
    EXPECT_EQ(r.error, 0u) << describe(r);
    EXPECT_EQ(r.ok + r.busy, 2000u) << describe(r);
    EXPECT_EQ(r.belowQos1, 0u) << describe(r);  // the responses are published with QoS 1
    EXPECT_EQ(daemon->stop(), 0) << daemon->output();
}

// A window of one: most of the burst finds it full and is answered "busy" at once from the network
// thread, still with its own transaction, and still exactly once.
TEST_F(RequestBurstTest, AFullWindowAnswersBusyWithTheTransaction) {
    auto daemon = start(", max_pending_requests: 1");
    RequestBurst burst(broker.port(), "steward/bridge/request/info", "steward/bridge/response/info", "burst-window");
    const auto r = burst.run(1000, "w", 15s);
    EXPECT_EQ(r.missing, 0u) << describe(r) << "\n" << daemon->output();
    EXPECT_EQ(r.duplicates, 0u) << describe(r);
    EXPECT_EQ(r.error, 0u) << describe(r);
    EXPECT_EQ(r.ok + r.busy, 1000u) << describe(r);
    EXPECT_GT(r.ok, 0u) << describe(r);
    EXPECT_EQ(daemon->stop(), 0) << daemon->output();
}

}  // namespace
}  // namespace steward::test
