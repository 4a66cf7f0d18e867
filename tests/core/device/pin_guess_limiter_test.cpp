// The PIN guessing bounds, on a clock the test moves: one guess at a time, a back-off per address
// that refusals never re-arm, a global ceiling for attackers with many addresses.
#include <gtest/gtest.h>

#include "steward/device/pin_guess_limiter.hpp"

namespace steward::core {
namespace {

using namespace std::chrono_literals;
using Clock = PinGuessLimiter::Clock;

class PinGuessLimiterTest : public ::testing::Test {
protected:
    // Spends one wrong guess from `address` (admitted, then failed); false if it was refused.
    bool wrongGuess(const std::string& address) {
        const auto id = ++nextAttempt;
        if (limiter.admit(id, address, now)) return false;
        now += 5s;  // the handshake stalls until the device gives up on it
        EXPECT_TRUE(limiter.failed(id, now).has_value());
        return true;
    }
    bool rightGuess(const std::string& address) {
        const auto id = ++nextAttempt;
        if (limiter.admit(id, address, now)) return false;
        limiter.succeeded(id);
        return true;
    }

    PinGuessLimiter limiter;
    Clock::time_point now = Clock::time_point{} + 1h;
    PinGuessLimiter::AttemptId nextAttempt = 0;
};

TEST_F(PinGuessLimiterTest, OnlyOneHandshakeHoldsThePinKeyAtATime) {
    EXPECT_FALSE(limiter.admit(1, "10.0.0.9", now));
    const auto refusal = limiter.admit(2, "10.0.0.9", now);
    ASSERT_TRUE(refusal);
    EXPECT_NE(refusal->find("in progress"), std::string::npos) << *refusal;
    EXPECT_TRUE(limiter.admit(3, "10.0.0.2", now)) << "another address waits too";
    EXPECT_FALSE(limiter.admit(1, "10.0.0.9", now)) << "the same handshake asking again keeps its slot";
    // The refused ones never got the key: their failures spend nothing.
    EXPECT_FALSE(limiter.failed(2, now));
    EXPECT_FALSE(limiter.failed(3, now));
    EXPECT_EQ(limiter.failuresCharged(), 0);
    EXPECT_TRUE(limiter.failed(1, now));
    EXPECT_EQ(limiter.failuresCharged(), 1);
    EXPECT_FALSE(limiter.admit(4, "10.0.0.2", now)) << "the slot is free again";
}

TEST_F(PinGuessLimiterTest, AHandshakeNeverReportedEndedCountsAsAFailureAfterTheTimeout) {
    EXPECT_FALSE(limiter.admit(1, "10.0.0.9", now));
    now += 14s;
    EXPECT_TRUE(limiter.admit(2, "10.0.0.9", now)) << "its own address never preempts it";
    now += 1s;
    EXPECT_FALSE(limiter.admit(2, "10.0.0.9", now));
    EXPECT_EQ(limiter.failuresCharged(), 1);
}

// Issue 20.4: holding the PIN key half-open must not keep the owner out.
TEST_F(PinGuessLimiterTest, AHandshakeHoldingTheKeyTooLongGivesWayToAnotherAddressAndIsCharged) {
    EXPECT_FALSE(limiter.admit(1, "10.0.0.66", now));
    now += 500ms;
    EXPECT_TRUE(limiter.admit(2, "10.0.0.1", now)) << "a handshake on a LAN may still be finishing";
    EXPECT_FALSE(limiter.takePreempted());
    now += 500ms;
    EXPECT_FALSE(limiter.admit(3, "10.0.0.1", now)) << "held 1 s: it gives way";
    const auto line = limiter.takePreempted();
    ASSERT_TRUE(line);
    EXPECT_NE(line->find("1 wrong PIN from 10.0.0.66"), std::string::npos) << *line;
    EXPECT_EQ(limiter.failuresCharged(), 1);
    EXPECT_FALSE(limiter.failed(1, now)) << "its late end is not charged twice";
    EXPECT_TRUE(limiter.succeeded(3)) << "the owner's handshake is the one in flight";
    EXPECT_EQ(limiter.failuresCharged(), 1);
}

TEST_F(PinGuessLimiterTest, AnAddressThatMayNotGuessCannotPreempt) {
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(wrongGuess("10.0.0.66"));  // locked out now
    EXPECT_FALSE(limiter.admit(10, "10.0.0.1", now));
    now += 2s;
    EXPECT_TRUE(limiter.admit(11, "10.0.0.66", now)) << "backing off: it does not get to preempt";
    EXPECT_FALSE(limiter.takePreempted());
    EXPECT_TRUE(limiter.succeeded(10));
}

TEST_F(PinGuessLimiterTest, AnAddressBacksOffAfterItsFreeFailuresAndOnlyFailuresReArmIt) {
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(wrongGuess("10.0.0.9")) << i;
    const auto refusal = limiter.admit(100, "10.0.0.9", now);
    ASSERT_TRUE(refusal);
    EXPECT_NE(refusal->find("backing off after 3 wrong PINs"), std::string::npos) << *refusal;
    // Knocking while locked does not extend the lock: 5 s after the third failure it is open.
    for (PinGuessLimiter::AttemptId i = 0; i < 20; ++i) {
        now += 200ms;
        EXPECT_TRUE(limiter.admit(200 + i, "10.0.0.9", now));
    }
    now += 1s;
    EXPECT_TRUE(wrongGuess("10.0.0.9"));
    // The next lock doubles: 10 s.
    now += 9s;
    EXPECT_TRUE(limiter.admit(300, "10.0.0.9", now));
    now += 1s;
    EXPECT_FALSE(limiter.admit(301, "10.0.0.9", now));
}

TEST_F(PinGuessLimiterTest, ALockedOutAttackerDoesNotLockOutTheOwner) {
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(wrongGuess("10.0.0.66"));
    EXPECT_TRUE(limiter.admit(50, "10.0.0.66", now));
    EXPECT_TRUE(rightGuess("10.0.0.1"));
}

TEST_F(PinGuessLimiterTest, TheBackOffStopsGrowingAtItsMaximum) {
    for (int i = 0; i < 12; ++i) {
        ASSERT_TRUE(wrongGuess("10.0.0.9")) << i;
        now += 121s;  // beyond any lock; the global bucket refills meanwhile
    }
    ASSERT_TRUE(wrongGuess("10.0.0.9"));
    now += 119s;
    EXPECT_TRUE(limiter.admit(500, "10.0.0.9", now));
    now += 1s;
    EXPECT_FALSE(limiter.admit(501, "10.0.0.9", now));
}

TEST_F(PinGuessLimiterTest, ManyAddressesMeetTheGlobalCeiling) {
    int spent = 0;
    for (int i = 0; i < 10; ++i) spent += wrongGuess("10.0.1." + std::to_string(i)) ? 1 : 0;
    EXPECT_EQ(spent, 10) << "the burst";
    const auto refusal = limiter.admit(900, "10.0.2.1", now);
    ASSERT_TRUE(refusal);
    EXPECT_NE(refusal->find("from all addresses"), std::string::npos) << *refusal;
    // One more guess per minute from then on, however many addresses ask.
    now += 5s;  // 55 s of failing handshakes have refilled 11/12 of a token
    EXPECT_TRUE(limiter.admit(901, "10.0.2.2", now));
    now += 10s;
    EXPECT_TRUE(wrongGuess("10.0.2.3"));
    EXPECT_FALSE(wrongGuess("10.0.2.4"));
    now += 60s;
    EXPECT_TRUE(wrongGuess("10.0.2.5"));
}

TEST_F(PinGuessLimiterTest, ARightPinGivesItsTokenBackAndClearsItsAddress) {
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(wrongGuess("10.0.0.1"));
    EXPECT_TRUE(rightGuess("10.0.0.1"));
    // Two more typos do not lock it: the count started again.
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(wrongGuess("10.0.0.1"));
    EXPECT_FALSE(limiter.admit(700, "10.0.0.1", now));
}

TEST_F(PinGuessLimiterTest, ANewPinEndsTheAttemptInFlightAsASpentGuess) {
    EXPECT_FALSE(limiter.admit(1, "10.0.0.9", now));
    limiter.abandonInFlight(now);
    EXPECT_EQ(limiter.failuresCharged(), 1);
    EXPECT_FALSE(limiter.admit(2, "10.0.0.2", now));
    EXPECT_FALSE(limiter.failed(1, now)) << "its late failure is not charged twice";
}

TEST_F(PinGuessLimiterTest, MemoryStaysBoundedWithEndlessAddresses) {
    PinGuessLimits limits;
    limits.addressesTracked = 4;
    limits.globalBurst = 1000;
    limiter = PinGuessLimiter(limits);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(wrongGuess("10.0.3." + std::to_string(i)));
    // The most recent addresses are still remembered (a third failure locks it).
    ASSERT_TRUE(wrongGuess("10.0.3.49"));
    ASSERT_TRUE(wrongGuess("10.0.3.49"));
    EXPECT_TRUE(limiter.admit(999, "10.0.3.49", now));
}

TEST_F(PinGuessLimiterTest, APinIsSpentAfterItsFailuresFromAnyAddressAndANewOneStartsAfresh) {
    // 5 by default, counted across addresses: rotation is about the PIN, not about who guessed.
    for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(wrongGuess("10.0.4." + std::to_string(i % 2)));
        EXPECT_FALSE(limiter.pinSpent()) << i;
    }
    ASSERT_TRUE(wrongGuess("10.0.4.7"));
    EXPECT_TRUE(limiter.pinSpent());
    limiter.newPinShown();
    EXPECT_FALSE(limiter.pinSpent());
    // The new PIN changes nothing else: the global ceiling still holds 5 of its 10 spent.
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(wrongGuess("10.0.5." + std::to_string(i)));
    EXPECT_TRUE(limiter.pinSpent());
    limiter.newPinShown();
    EXPECT_TRUE(limiter.admit(800, "10.0.6.1", now)) << "the ceiling is empty, new PIN or not";
    // Refused handshakes spend nothing, so they never rotate the PIN.
    EXPECT_FALSE(limiter.failed(800, now));
    EXPECT_FALSE(limiter.pinSpent());
}

TEST_F(PinGuessLimiterTest, RotationCanBeSwitchedOff) {
    PinGuessLimits limits;
    limits.rotatePinAfterFailures = 0;
    limiter = PinGuessLimiter(limits);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(wrongGuess("10.0.7." + std::to_string(i)));
    EXPECT_FALSE(limiter.pinSpent());
}

}  // namespace
}  // namespace steward::core
