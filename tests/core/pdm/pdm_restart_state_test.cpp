// What the daemon needs to show the same after a restart (issue 16): the policies applied to each
// device and whether it is provisioned, and the metrics (counters, the latest samples of a series).
#include <functional>
#include <thread>

#include "pdm_test_support.hpp"

namespace steward::test {
namespace {

using core::AppliedPolicies;
using core::MetricCounter;
using core::PdmError;
using ::testing::HasSubstr;

class PdmAppliedPolicies : public PdmFixture {};
class PdmMetrics : public PdmFixture {};

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const PdmError& e) {
        return e.what();
    }
    return "no error";
}

TEST_F(PdmAppliedPolicies, RecordsReplacesAndSurvivesAReopen) {
    db_->putDevice(sampleDevice(1));
    db_->putDevice(sampleDevice(2));
    EXPECT_FALSE(db_->appliedPolicies(uuidNo(1)).has_value());

    const auto before = toStoredPrecision(std::chrono::system_clock::now());
    db_->setAppliedPolicies({uuidNo(1), {"lights-managed", "kitchen-linked", "a \"quoted\" name"}, true, "", {}});
    db_->setAppliedPolicies({uuidNo(2), {}, false, "policy application failed", {}});
    auto one = db_->appliedPolicies(uuidNo(1));
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(one->device, uuidNo(1));
    // The order applied is kept (not sorted).
    EXPECT_EQ(one->policies, (std::vector<std::string>{"lights-managed", "kitchen-linked", "a \"quoted\" name"}));
    EXPECT_TRUE(one->provisioned);
    EXPECT_EQ(one->error, "");
    EXPECT_GE(one->appliedAt, before);
    EXPECT_LE(one->appliedAt, std::chrono::system_clock::now());
    const auto two = db_->appliedPolicies(uuidNo(2));
    ASSERT_TRUE(two.has_value());
    EXPECT_TRUE(two->policies.empty());
    EXPECT_FALSE(two->provisioned);
    EXPECT_EQ(two->error, "policy application failed");

    // A later application replaces the record; a failed one may leave the device provisioned.
    db_->setAppliedPolicies({uuidNo(1), {"lights-managed"}, true, "policy application failed", {}});
    db_.reset();
    auto again = reopen();
    one = again->appliedPolicies(uuidNo(1));
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(one->policies, std::vector<std::string>{"lights-managed"});
    EXPECT_TRUE(one->provisioned);
    EXPECT_EQ(one->error, "policy application failed");
}

TEST_F(PdmAppliedPolicies, NeedTheDeviceAndGoWithIt) {
    const auto error = errorOf([&] { db_->setAppliedPolicies({uuidNo(1), {"p"}, true, "", {}}); });
    EXPECT_THAT(error, HasSubstr("setAppliedPolicies(" + uuidNo(1).toString() + ")"));
    EXPECT_THAT(error, HasSubstr("no such device"));
    EXPECT_FALSE(db_->appliedPolicies(uuidNo(1)).has_value());

    db_->putDevice(sampleDevice(1));
    db_->setAppliedPolicies({uuidNo(1), {"p"}, true, "", {}});
    // Ownership confirmed or the record rewritten (a new address): the policies stay.
    db_->setDeviceState(uuidNo(1), core::DeviceRecordState::Owned);
    auto moved = *db_->device(uuidNo(1));
    moved.address = "10.0.0.9";
    db_->putDevice(moved);
    EXPECT_TRUE(db_->appliedPolicies(uuidNo(1)).has_value());
    // Removed: its record goes too, and a device owned again under the same UUID starts bare.
    EXPECT_TRUE(db_->removeDevice(uuidNo(1)));
    EXPECT_FALSE(db_->appliedPolicies(uuidNo(1)).has_value());
    db_->putDevice(sampleDevice(1));
    EXPECT_FALSE(db_->appliedPolicies(uuidNo(1)).has_value());
}

TEST_F(PdmAppliedPolicies, AFailedTransactionLeavesTheFormerRecord) {
    db_->putDevice(sampleDevice(1));
    db_->setAppliedPolicies({uuidNo(1), {"first"}, true, "", {}});
    EXPECT_THROW(db_->transaction([&] {
        db_->setAppliedPolicies({uuidNo(1), {"second"}, false, "x", {}});
        throw std::runtime_error("abandoned");
    }),
                 std::runtime_error);
    EXPECT_EQ(db_->appliedPolicies(uuidNo(1))->policies, std::vector<std::string>{"first"});
}

TEST_F(PdmAppliedPolicies, ACorruptRowIsAPdmErrorNamingTheCall) {
    db_->putDevice(sampleDevice(1));
    db_->setAppliedPolicies({uuidNo(1), {"p"}, true, "", {}});
    {
        RawSqlite raw(file_);
        raw.exec("UPDATE applied_policies SET policies = '{\"not\": \"a list\"}'");
    }
    const auto error = errorOf([&] { (void)db_->appliedPolicies(uuidNo(1)); });
    EXPECT_THAT(error, HasSubstr("appliedPolicies(" + uuidNo(1).toString() + ")"));
    EXPECT_THAT(error, HasSubstr("applied policies are not a JSON array of strings"));
}

TEST_F(PdmMetrics, CountersStartAtZeroAddUpAndSurviveAReopen) {
    EXPECT_TRUE(db_->counters().empty());
    db_->addToCounter("devices_owned", "", 1);
    db_->addToCounter("failures", "DTLS handshake", 1);
    db_->addToCounter("failures", "PIN", 2);
    db_->addToCounter("devices_owned", "", 1);
    db_->addToCounter("failures", "DTLS handshake", 3);
    db_->addToCounter("retries", "", 0);  // stored, at 0
    const std::vector<MetricCounter> expected{
        {"devices_owned", "", 2}, {"failures", "DTLS handshake", 4}, {"failures", "PIN", 2}, {"retries", "", 0}};
    EXPECT_EQ(db_->counters(), expected);  // by name, then label
    db_.reset();
    EXPECT_EQ(reopen()->counters(), expected);
}

TEST_F(PdmMetrics, CountersRefuseAnEmptyName) {
    EXPECT_THAT(errorOf([&] { db_->addToCounter("", "x", 1); }), HasSubstr("a counter needs a name"));
    EXPECT_TRUE(db_->counters().empty());
}

TEST_F(PdmMetrics, SamplesKeepTheNewestInOrder) {
    EXPECT_TRUE(db_->samples("time_to_own_ms").empty());
    for (std::int64_t v = 1; v <= 7; ++v) db_->addSample("time_to_own_ms", v * 10, 5);
    db_->addSample("other", -3, 5);
    EXPECT_EQ(db_->samples("time_to_own_ms"), (std::vector<std::int64_t>{30, 40, 50, 60, 70}));
    EXPECT_EQ(db_->samples("other"), std::vector<std::int64_t>{-3});
    // A smaller window trims at once; a larger one keeps what is there.
    db_->addSample("time_to_own_ms", 80, 2);
    EXPECT_EQ(db_->samples("time_to_own_ms"), (std::vector<std::int64_t>{70, 80}));
    db_->addSample("time_to_own_ms", 90, 1000);
    db_.reset();
    auto again = reopen();
    EXPECT_EQ(again->samples("time_to_own_ms"), (std::vector<std::int64_t>{70, 80, 90}));
    EXPECT_EQ(again->samples("other"), std::vector<std::int64_t>{-3});
}

TEST_F(PdmMetrics, AThousandSampleWindowStaysAThousand) {
    db_->transaction([&] {
        for (std::int64_t v = 0; v < 1100; ++v) db_->addSample("time_to_own_ms", v, 1000);
    });
    const auto values = db_->samples("time_to_own_ms");
    ASSERT_EQ(values.size(), 1000u);
    EXPECT_EQ(values.front(), 100);
    EXPECT_EQ(values.back(), 1099);
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM metric_samples"), "1000");
}

TEST_F(PdmMetrics, SamplesRefuseAnEmptySeriesAndAZeroWindow) {
    EXPECT_THAT(errorOf([&] { db_->addSample("", 1, 10); }), HasSubstr("a series needs a name"));
    EXPECT_THAT(errorOf([&] { db_->addSample("s", 1, 0); }), HasSubstr("keep out of range"));
    EXPECT_TRUE(db_->samples("s").empty());
}

TEST_F(PdmMetrics, ACounterAndASampleInOneTransactionAreAllOrNothing) {
    EXPECT_THROW(db_->transaction([&] {
        db_->addToCounter("devices_owned", "", 1);
        db_->addSample("time_to_own_ms", 5, 1000);
        throw std::runtime_error("abandoned");
    }),
                 std::runtime_error);
    EXPECT_TRUE(db_->counters().empty());
    EXPECT_TRUE(db_->samples("time_to_own_ms").empty());
    db_->transaction([&] {
        db_->addToCounter("devices_owned", "", 1);
        db_->addSample("time_to_own_ms", 5, 1000);
    });
    EXPECT_EQ(db_->counters(), (std::vector<MetricCounter>{{"devices_owned", "", 1}}));
    EXPECT_EQ(db_->samples("time_to_own_ms"), std::vector<std::int64_t>{5});
}

TEST_F(PdmMetrics, ConcurrentIncrementsFromTwoConnectionsAreAllCounted) {
    auto second = reopen();
    constexpr int kEach = 50;
    std::thread other([&] {
        for (int i = 0; i < kEach; ++i) second->addToCounter("devices_owned", "", 1);
    });
    for (int i = 0; i < kEach; ++i) db_->addToCounter("devices_owned", "", 1);
    other.join();
    EXPECT_EQ(db_->counters(), (std::vector<MetricCounter>{{"devices_owned", "", 2 * kEach}}));
}

}  // namespace
}  // namespace steward::test
