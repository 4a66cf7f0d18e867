// The daemon's state that must survive a restart (issue 16), on a real SQLite PDM: the onboarding
// metrics written through and read back, and the device directory's owned devices with the
// policies applied to them and the names the PDM records.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "device_directory.hpp"
#include "onboarding_metrics.hpp"
#include "steward/pdm/sqlite_pdm.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using bridge::DeviceDirectory;
using bridge::DeviceStatus;
using bridge::OnboardingMetrics;
using ::testing::HasSubstr;

std::string text(const Poco::JSON::Object::Ptr& o) {
    std::ostringstream s;
    Poco::JSON::Stringifier::stringify(o, s);
    return s.str();
}

core::Uuid uuidNo(std::uint8_t n) {
    core::Uuid::Bytes b{};
    b.fill(0x3c);
    b[0] = n;
    return core::Uuid(b);
}

core::DeviceRecord ownedRecord(std::uint8_t n, const std::string& name) {
    core::DeviceRecord d;
    d.id = uuidNo(n);
    d.name = name;
    d.otm = "oic.sec.doxm.jw";
    d.address = "127.0.0.1";
    d.port = 5683;
    d.securePort = static_cast<std::uint16_t>(40000 + n);
    d.deviceTypes = {"oic.d.light"};
    d.state = core::DeviceRecordState::Owned;
    return d;
}

class RestartState : public ::testing::Test {
protected:
    std::unique_ptr<core::ProvisioningDatabase> open() { return core::openSqlitePdm(file); }
    OnboardingMetrics::Log logInto() {
        return [this](const std::string& line) { logged.push_back(line); };
    }

    TempDir dir;
    std::filesystem::path file = dir / "pdm.sqlite";
    std::vector<std::string> logged;
};

TEST_F(RestartState, MetricsWithoutAPdmCountInMemory) {
    OnboardingMetrics m;
    EXPECT_FALSE(m.attached());
    m.owned(std::chrono::milliseconds(40));
    m.failed("PIN");
    m.retried();
    EXPECT_EQ(text(m.json()),
              R"({"devices_owned":1,"failures_total":1,"failures":{"PIN":1},"retries":1,"time_to_own_ms":{"p50":40,"p99":40}})");
}

TEST_F(RestartState, MetricsComeBackAfterARestart) {
    std::string before;
    {
        auto pdm = open();
        OnboardingMetrics m(*pdm, logInto());
        EXPECT_TRUE(m.attached());
        EXPECT_EQ(text(m.json()), R"({"devices_owned":0,"failures_total":0,"failures":{},"retries":0,"time_to_own_ms":{"p50":0,"p99":0}})");
        for (int ms : {120, 80, 300, 95}) m.owned(std::chrono::milliseconds(ms));
        m.failed("DTLS handshake");
        m.failed("wrong PIN");
        m.failed("wrong PIN");
        m.retried();
        m.retried();
        before = text(m.json());
    }
    EXPECT_EQ(before, R"({"devices_owned":4,"failures_total":3,"failures":{"DTLS handshake":1,"wrong PIN":2},"retries":2,)"
                      R"("time_to_own_ms":{"p50":120,"p99":300}})");
    auto pdm = open();
    OnboardingMetrics again;
    again.attach(*pdm, logInto());
    EXPECT_EQ(text(again.json()), before);
    EXPECT_TRUE(logged.empty()) << logged.front();
    // And counts on from there.
    again.owned(std::chrono::milliseconds(10));
    OnboardingMetrics third(*pdm, logInto());
    EXPECT_EQ(third.json()->getValue<int>("devices_owned"), 5);
}

TEST_F(RestartState, TheTimeToOwnWindowIsTheLastThousandAfterARestartToo) {
    std::string before;
    {
        auto pdm = open();
        OnboardingMetrics m(*pdm, logInto());
        // 1,200 durations: the first 200 (all slow) fall out of the window.
        for (int i = 0; i < 1200; ++i) m.owned(std::chrono::milliseconds(i < 200 ? 100000 : 1000 + (i * 7919) % 1000));
        before = text(m.json());
        EXPECT_EQ(pdm->samples(OnboardingMetrics::kTimeToOwnSeries).size(), OnboardingMetrics::kWindow);
    }
    auto pdm = open();
    OnboardingMetrics again(*pdm, logInto());
    EXPECT_EQ(text(again.json()), before);
    EXPECT_LT(again.json()->getObject("time_to_own_ms")->getValue<int>("p99"), 100000);
}

TEST_F(RestartState, APdmWithOwnedDevicesButNoFiguresStartsDevicesOwnedAtTheirNumberOnce) {
    {
        auto pdm = open();
        pdm->putDevice(ownedRecord(1, "a"));
        pdm->putDevice(ownedRecord(2, "b"));
        auto pending = ownedRecord(3, "c");
        pending.state = core::DeviceRecordState::Pending;
        pdm->putDevice(pending);
        OnboardingMetrics m(*pdm, logInto());
        EXPECT_EQ(m.json()->getValue<int>("devices_owned"), 2);
        ASSERT_EQ(logged.size(), 1u);
        EXPECT_THAT(logged[0], HasSubstr("devices_owned starts at the 2 owned devices"));
    }
    auto pdm = open();
    OnboardingMetrics again(*pdm, logInto());
    EXPECT_EQ(again.json()->getValue<int>("devices_owned"), 2);  // read back, not added again
}

TEST_F(RestartState, AFailedWriteIsLoggedAndNeverThrown) {
    auto pdm = open();
    OnboardingMetrics m(*pdm, logInto());
    {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(raw, "DROP TABLE metric_counters; DROP TABLE metric_samples", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(raw);
    }
    EXPECT_NO_THROW(m.owned(std::chrono::milliseconds(7)));
    EXPECT_NO_THROW(m.failed("PIN"));
    EXPECT_NO_THROW(m.retried());
    EXPECT_EQ(m.json()->getValue<int>("devices_owned"), 1);
    EXPECT_EQ(m.json()->getValue<int>("failures_total"), 1);
    ASSERT_EQ(logged.size(), 3u);
    EXPECT_THAT(logged[0], HasSubstr("metrics: a device owned not recorded in the PDM"));
    EXPECT_THAT(logged[1], HasSubstr("metrics: a failure (PIN) not recorded in the PDM"));
    // A PDM that cannot be read: logged, the figures start from memory.
    OnboardingMetrics other;
    other.owned(std::chrono::milliseconds(3));
    EXPECT_NO_THROW(other.attach(*pdm, logInto()));
    EXPECT_THAT(logged.back(), HasSubstr("metrics: cannot load them from the PDM"));
    EXPECT_EQ(other.json()->getValue<int>("devices_owned"), 1);
}

TEST_F(RestartState, OwnedDevicesComeBackProvisionedWithTheirPoliciesAndTheirPdmNames) {
    auto pdm = open();
    pdm->putDevice(ownedRecord(1, "Kitchen light"));
    pdm->putDevice(ownedRecord(2, "Hall light"));
    pdm->putDevice(ownedRecord(3, "Porch light"));
    pdm->renameDevice(uuidNo(2), "Hallway lamp");
    pdm->setAppliedPolicies({uuidNo(1), {"lights-managed", "kitchen-linked"}, true, "", {}});
    pdm->setAppliedPolicies({uuidNo(3), {"lights-managed"}, false, "policy application failed", {}});

    DeviceDirectory directory;
    directory.loadOwned(*pdm);
    const auto kitchen = directory.get(uuidNo(1));
    ASSERT_TRUE(kitchen);
    EXPECT_EQ(kitchen->status, DeviceStatus::Provisioned);
    EXPECT_EQ(kitchen->policies, (std::vector<std::string>{"lights-managed", "kitchen-linked"}));
    EXPECT_EQ(kitchen->error, "");
    const auto hall = directory.get(uuidNo(2));
    ASSERT_TRUE(hall);
    EXPECT_EQ(hall->status, DeviceStatus::Owned);
    EXPECT_TRUE(hall->policies.empty());
    EXPECT_EQ(hall->name, "Hallway lamp");
    const auto porch = directory.get(uuidNo(3));
    ASSERT_TRUE(porch);
    EXPECT_EQ(porch->status, DeviceStatus::Owned);
    EXPECT_EQ(porch->policies, std::vector<std::string>{"lights-managed"});
    EXPECT_EQ(porch->error, "policy application failed");

    // Discovery: the device still calls itself "Hall light"; the user's name stands.
    core::DiscoveredDevice answer;
    answer.deviceId = uuidNo(2);
    answer.oxms = {0};
    answer.owned = true;
    answer.address = "127.0.0.1";
    answer.port = 5683;
    answer.securePort = 40002;
    answer.deviceTypes = {"oic.d.light"};
    answer.name = "Hall light";
    const auto seen = directory.seen(answer);
    EXPECT_EQ(seen.view.name, "Hallway lamp");
    EXPECT_EQ(seen.view.status, DeviceStatus::Owned);
    EXPECT_EQ(seen.view.otm, "oic.sec.doxm.jw");
    // Reset behind the gateway's back (answers unowned): its own name, no policies, no OTM.
    answer.owned = false;
    const auto reset = directory.seen(answer);
    EXPECT_EQ(reset.view.status, DeviceStatus::Unowned);
    EXPECT_EQ(reset.view.name, "Hall light");
    EXPECT_EQ(reset.view.otm, "");
    // A device that is not owned takes the name it answers with.
    answer.name = "Hall light 2";
    EXPECT_EQ(directory.seen(answer).view.name, "Hall light 2");
}

TEST_F(RestartState, AppliedPoliciesRoundTripThroughTheView) {
    bridge::DeviceView v;
    v.id = uuidNo(1);
    v.status = DeviceStatus::Provisioned;
    v.policies = {"a", "b"};
    v.error = "policy application failed";
    const auto applied = bridge::appliedOf(v);
    EXPECT_EQ(applied.device, uuidNo(1));
    EXPECT_TRUE(applied.provisioned);
    EXPECT_EQ(applied.policies, v.policies);
    EXPECT_EQ(applied.error, v.error);
    bridge::DeviceView loaded;
    loaded.id = uuidNo(1);
    loaded.status = DeviceStatus::Owned;
    bridge::restoreApplied(loaded, applied);
    EXPECT_EQ(loaded.status, DeviceStatus::Provisioned);
    EXPECT_EQ(loaded.policies, v.policies);
    EXPECT_EQ(loaded.error, v.error);
    // Only an owned view becomes provisioned.
    bridge::DeviceView blocked;
    blocked.status = DeviceStatus::Blocked;
    bridge::restoreApplied(blocked, applied);
    EXPECT_EQ(blocked.status, DeviceStatus::Blocked);
}

}  // namespace
}  // namespace steward::test
