// Issue 19.3, "publish what changed": stewardd started with many owned devices in its PDM publishes
// each retained topic once, the device list (steward/bridge/devices) once, not once per device.
// Counted on a steward/# subscriber that is in place before the daemon starts (a fresh broker: no
// retained messages from earlier runs).
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "bridge/mqtt/broker_fixture.hpp"
#include "daemon_fixture.hpp"
#include "steward/pdm/sqlite_pdm.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

constexpr int kDevices = 250;

// kDevices owned devices (at addresses nothing answers on) written straight into the PDM.
std::set<std::string> seedOwnedDevices(const std::filesystem::path& pdmFile) {
    std::set<std::string> ids;
    auto pdm = core::openSqlitePdm(pdmFile);
    pdm->transaction([&] {
        for (int i = 0; i < kDevices; ++i) {
            core::DeviceRecord r;
            r.id = core::Uuid::random();
            r.name = "device " + std::to_string(i);
            r.otm = "oic.sec.doxm.jw";
            r.address = "127.0.0.1";
            r.port = 5683;
            r.securePort = static_cast<std::uint16_t>(20000 + i);
            r.deviceTypes = {"oic.d.light"};
            r.state = core::DeviceRecordState::Owned;
            pdm->putDevice(r);
            ids.insert(r.id.toString());
        }
    });
    return ids;
}

TEST(StewarddStartup, PublishesTheDeviceListOnceAndEachDeviceTopicOnce) {
    TempDir dir;
    MosquittoBroker broker;
    std::filesystem::create_directories(dir.path() / "state");
    std::filesystem::create_directories(dir.path() / "policies.d");
    const auto ids = seedOwnedDevices(dir.path() / "state" / "pdm.sqlite");

    Observer watch(broker.port());
    std::this_thread::sleep_for(500ms);  // the observer's subscription is in place before the daemon says anything
    const std::string yaml = "state_dir: " + (dir.path() / "state").string() + "\nplugin_dir: " + STEWARD_PLUGIN_DIR +
                             "\npolicy_dir: " + (dir.path() / "policies.d").string() + "\nmqtt: {port: " + std::to_string(broker.port()) +
                             ", homeassistant: true, device_list_interval_ms: 1000}\nlogging: {level: information}\n";
    auto daemon = startDaemon(dir.path(), yaml);
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    ASSERT_TRUE(watch.waitFor([](const bridge::MqttMessage& m) { return m.topic == "steward/bridge/devices"; }, 20s)) << daemon->output();
    // Longer than two list intervals: a trailing list, or a device published again, would be in.
    std::this_thread::sleep_for(3s);

    std::map<std::string, int> perTopic;
    std::string list;
    for (const auto& m : watch.messages()) {
        ++perTopic[m.topic];
        if (m.topic == "steward/bridge/devices") list = m.payload;
    }
    EXPECT_EQ(perTopic["steward/bridge/devices"], 1) << watch.dump();
    for (const auto& id : ids) EXPECT_EQ(perTopic["steward/devices/" + id], 1) << id;
    // Nothing else is published twice either (a device's availability, the bridge's own topics).
    for (const auto& [topic, count] : perTopic) {
        if (topic != "steward/bridge/state" && topic != "steward/bridge/event") {
            EXPECT_EQ(count, 1) << topic;
        }
    }

    // The one list carries every device, as before (uuid, name, state, otm).
    const auto parsed = Poco::JSON::Parser().parse(list).extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(parsed->size(), static_cast<std::size_t>(kDevices));
    std::set<std::string> listed;
    for (std::size_t i = 0; i < parsed->size(); ++i) {
        const auto o = parsed->getObject(static_cast<unsigned>(i));
        listed.insert(o->getValue<std::string>("uuid"));
        EXPECT_EQ(o->getValue<std::string>("state"), "owned");
        EXPECT_EQ(o->getValue<std::string>("otm"), "oic.sec.doxm.jw");
        EXPECT_TRUE(o->has("name"));
    }
    EXPECT_EQ(listed, ids);

    // A later change publishes that device's topic and, at a bounded rate, the list again.
    const auto first = *ids.begin();
    const auto renamed = watch.request("rename", "{\"device\":\"" + first + "\",\"name\":\"Renamed\"}");
    ASSERT_TRUE(renamed && renamed->optValue<std::string>("status", "") == "ok") << watch.dump();
    ASSERT_TRUE(watch.waitFor(
        [](const bridge::MqttMessage& m) {
            return m.topic == "steward/bridge/devices" && m.payload.find("\"Renamed\"") != std::string::npos;
        },
        5s))
        << daemon->output();
    daemon->stop();
}

}  // namespace
}  // namespace steward::test
