// Which half-open DTLS handshakes a listener drops (issue 20.3), on a clock the test moves.
#include <gtest/gtest.h>

#include <algorithm>

#include "transport/handshake_guard.hpp"

namespace steward::core::detail {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const Clock::time_point t0 = Clock::time_point{} + 1h;

std::vector<SessionId> ids(const std::vector<HandshakeEviction>& evictions, EvictionReason reason) {
    std::vector<SessionId> out;
    for (const auto& e : evictions)
        if (e.reason == reason) out.push_back(e.id);
    std::sort(out.begin(), out.end());
    return out;
}

TEST(HandshakeGuard, NothingIsDroppedWithinTheBounds) {
    ServerHandshakeLimits limits;
    std::vector<HandshakeInProgress> hs;
    for (SessionId i = 1; i <= 4; ++i) hs.push_back({i, "10.0.0.2", t0 + std::chrono::milliseconds(i)});
    EXPECT_TRUE(handshakesToEvict(hs, limits, t0 + 1s).empty());
}

TEST(HandshakeGuard, AHandshakePastItsTimeoutIsDropped) {
    ServerHandshakeLimits limits;
    limits.timeout = 5s;
    const std::vector<HandshakeInProgress> hs{{1, "10.0.0.2", t0}, {2, "10.0.0.3", t0 + 1s}};
    const auto evict = handshakesToEvict(hs, limits, t0 + 5s);
    EXPECT_EQ(ids(evict, EvictionReason::TimedOut), std::vector<SessionId>{1});
    EXPECT_EQ(evict.size(), 1U);
}

TEST(HandshakeGuard, AnAddressOverItsBoundLosesItsOldestOnly) {
    ServerHandshakeLimits limits;
    limits.perAddress = 2;
    std::vector<HandshakeInProgress> hs{{100, "10.0.0.1", t0}};  // the owner's, older than the flood
    for (SessionId i = 1; i <= 5; ++i) hs.push_back({i, "10.0.0.66", t0 + std::chrono::milliseconds(10 * i)});
    const auto evict = handshakesToEvict(hs, limits, t0 + 1s);
    EXPECT_EQ(ids(evict, EvictionReason::PerAddress), (std::vector<SessionId>{1, 2, 3}));
    EXPECT_EQ(evict.size(), 3U);
}

TEST(HandshakeGuard, OverTheListenerBoundTheHeaviestAddressLosesFirst) {
    ServerHandshakeLimits limits;
    limits.perAddress = 4;
    limits.total = 6;
    std::vector<HandshakeInProgress> hs{{100, "10.0.0.1", t0}};  // the owner's, the oldest of all
    for (SessionId i = 1; i <= 4; ++i) hs.push_back({i, "10.0.0.66", t0 + std::chrono::milliseconds(10 * i)});
    for (SessionId i = 11; i <= 13; ++i) hs.push_back({i, "10.0.0.67", t0 + std::chrono::milliseconds(10 * i)});
    // 8 in progress, 2 too many: both from the address holding 4 (then 3 each, the tie goes to
    // the one whose oldest is older: .66 again).
    const auto evict = handshakesToEvict(hs, limits, t0 + 1s);
    EXPECT_EQ(ids(evict, EvictionReason::Total), (std::vector<SessionId>{1, 2}));
}

TEST(HandshakeGuard, WithOneHandshakePerAddressTheOldestGoes) {
    ServerHandshakeLimits limits;
    limits.total = 3;
    std::vector<HandshakeInProgress> hs;
    for (SessionId i = 1; i <= 5; ++i) hs.push_back({i, "10.0.1." + std::to_string(i), t0 + std::chrono::milliseconds(10 * i)});
    const auto evict = handshakesToEvict(hs, limits, t0 + 1s);
    EXPECT_EQ(ids(evict, EvictionReason::Total), (std::vector<SessionId>{1, 2}));
}

}  // namespace
}  // namespace steward::core::detail
