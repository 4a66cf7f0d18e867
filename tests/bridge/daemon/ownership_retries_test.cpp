// Failed ownerships are tried again after a doubling wait, a bounded number of times, one at a time.
#include <gtest/gtest.h>

#include "ownership_retries.hpp"

namespace steward::bridge {
namespace {

using namespace std::chrono_literals;
using Clock = OwnershipRetries::Clock;

const core::Uuid kDevice = core::Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99").value();

TEST(OwnershipRetries, ADeviceThatNeverFailedIsNotARetry) {
    OwnershipRetries retries;
    EXPECT_FALSE(retries.due(kDevice, Clock::now()));
}

TEST(OwnershipRetries, TheWaitDoublesAndOnlyOneRetryRunsAtATime) {
    OwnershipRetries retries;
    auto now = Clock::time_point{} + 1h;
    retries.failed(kDevice, now);
    EXPECT_FALSE(retries.due(kDevice, now + 29s));
    EXPECT_TRUE(retries.due(kDevice, now + 30s));
    retries.started(kDevice);
    EXPECT_FALSE(retries.due(kDevice, now + 10min)) << "a retry is running";
    now += 31s;
    retries.failed(kDevice, now);
    EXPECT_EQ(retries.attempts(kDevice), 2);
    EXPECT_FALSE(retries.due(kDevice, now + 59s));
    EXPECT_TRUE(retries.due(kDevice, now + 60s));
}

TEST(OwnershipRetries, TheyStopAfterTheLastAttemptAndTheWaitIsCapped) {
    OwnershipRetries retries({30s, 120s, 4});
    auto now = Clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i) {
        retries.failed(kDevice, now);
        now += 1h;
    }
    // Third failure: 30 s * 4 = 120 s, the cap.
    retries.failed(kDevice, now - 1h);
    EXPECT_FALSE(retries.due(kDevice, now)) << "four failures: no tries left";
    OwnershipRetries capped({30s, 120s, 10});
    for (int i = 0; i < 5; ++i) capped.failed(kDevice, now);
    EXPECT_FALSE(capped.due(kDevice, now + 119s));
    EXPECT_TRUE(capped.due(kDevice, now + 120s));
}

TEST(OwnershipRetries, SuccessOrRefusalForgetsTheDevice) {
    OwnershipRetries retries;
    const auto now = Clock::now();
    retries.failed(kDevice, now);
    retries.forget(kDevice);
    EXPECT_FALSE(retries.due(kDevice, now + 1h));
    EXPECT_EQ(retries.attempts(kDevice), 0);
}

}  // namespace
}  // namespace steward::bridge
