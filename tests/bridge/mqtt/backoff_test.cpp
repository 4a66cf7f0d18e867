#include "mqtt/backoff.hpp"

#include <gtest/gtest.h>

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
