#include "mqtt/backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace std::chrono_literals;
using steward::bridge::Backoff;

TEST(Backoff, DoublesUpToTheMaximumAndResets) {
    Backoff b(500ms, 3000ms);
    EXPECT_EQ(b.next(), 500ms);
    EXPECT_EQ(b.next(), 1000ms);
    EXPECT_EQ(b.next(), 2000ms);
    EXPECT_EQ(b.next(), 3000ms);
    EXPECT_EQ(b.next(), 3000ms);
    b.reset();
    EXPECT_EQ(b.next(), 500ms);
}

TEST(Backoff, DegenerateBoundsStayUsable) {
    Backoff zero(0ms, 0ms);
    EXPECT_EQ(zero.next(), 1ms);  // never a busy loop
    EXPECT_EQ(zero.next(), 1ms);
    Backoff inverted(200ms, 100ms);
    EXPECT_EQ(inverted.next(), 200ms);
    EXPECT_EQ(inverted.next(), 200ms);
}

TEST(Backoff, JitterStaysBelowTheNominalDelayAndTheCap) {
    Backoff b(500ms, 5000ms, 0.2, /*seed=*/42);
    std::set<long long> seen;
    auto nominal = 500ms;
    for (int i = 0; i < 200; ++i) {
        const auto d = b.next();
        EXPECT_LE(d, nominal) << "attempt " << i;
        EXPECT_GE(d.count(), nominal.count() * 8 / 10) << "attempt " << i;
        EXPECT_LE(d, 5000ms);
        seen.insert(d.count());
        nominal = std::min(nominal * 2, std::chrono::milliseconds(5000));
    }
    EXPECT_GT(seen.size(), 20u);  // really jittered, not one fixed value
}

TEST(Backoff, ResetAfterASuccessStartsAgainFromTheMinimum) {
    Backoff b(500ms, 5000ms, 0.2, 7);
    for (int i = 0; i < 10; ++i) b.next();  // a long outage: at the cap
    EXPECT_GE(b.next(), 4000ms);
    b.reset();  // a connection was accepted
    const auto first = b.next();
    EXPECT_LE(first, 500ms);
    EXPECT_GE(first, 400ms);
}

TEST(Backoff, ABrokerBackAfterFortySecondsIsTriedWithinTheCap) {
    // The outage of issue 20: with a 30 s cap the next attempt came 21.5 s after the broker was
    // back. With 0.5 s doubling to 5 s there is an attempt in every 5 s window after the first few.
    Backoff b(500ms, 5000ms, 0.2, 3);
    std::chrono::milliseconds t{0};
    while (t < 40s) t += b.next();
    EXPECT_LE(t - 40s, 5000ms);
}
