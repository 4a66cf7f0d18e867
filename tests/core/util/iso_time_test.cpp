// ISO-8601 times as users and peers write them: UTC, offsets, fractions and dates are read; other
// orders and junk are refused rather than guessed at.
#include "steward/util/iso_time.hpp"

#include <gtest/gtest.h>

namespace steward::core {
namespace {

using std::chrono::system_clock;

system_clock::time_point at(std::int64_t seconds) { return system_clock::time_point(std::chrono::seconds(seconds)); }

TEST(IsoTime, ReadsUtcOffsetsFractionsAndDates) {
    EXPECT_EQ(parseIsoTime("2026-12-01T12:00:00Z"), at(1796126400));
    EXPECT_EQ(parseIsoTime("2026-12-01T13:00:00+01:00"), at(1796126400));
    EXPECT_EQ(parseIsoTime("2026-12-01T12:00:00.500Z"), at(1796126400) + std::chrono::milliseconds(500));
    EXPECT_EQ(parseIsoTime("2026-12-01"), at(1796083200));
    EXPECT_EQ(isoTime(*parseIsoTime("2026-12-01T12:00:00Z")), "2026-12-01T12:00:00Z");
}

TEST(IsoTime, RefusesWhatItWouldHaveToGuess) {
    for (const char* bad : {"", "12/01/2026", "2026-12-01 12:00:00", "2026-12-01T12:00:00", "2026-13-01", "2026-12-01Tjunk", "yesterday",
                            "2026-12-01T12:00:00Zjunk"}) {
        EXPECT_FALSE(parseIsoTime(bad)) << bad;
    }
}

}  // namespace
}  // namespace steward::core
