// The PIN broker: an answer reaches the transfer waiting for it; nothing else does.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "pin_broker.hpp"

namespace steward::bridge {
namespace {

using namespace std::chrono_literals;

TEST(PinBroker, AnAnswerReachesTheWaitingTransferOnly) {
    PinBroker pins;
    const auto device = core::Uuid::random();
    EXPECT_FALSE(pins.answer(device, core::SecretBytes::fromText("12345678")));  // nobody waits yet: dropped
    std::optional<core::SecretBytes> got;
    std::thread waiter([&] { got = pins.wait(device, 10s); });
    while (!pins.waiting(device)) std::this_thread::yield();
    EXPECT_FALSE(pins.answer(core::Uuid::random(), core::SecretBytes::fromText("00000000")));
    EXPECT_TRUE(pins.answer(device, core::SecretBytes::fromText("87654321")));
    waiter.join();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->text(), "87654321");
    EXPECT_FALSE(pins.waiting(device));
}

// The announcement runs once the wait is open: a PIN answered as fast as the announcement (Home
// Assistant scripts, the e2e test) reaches the wait instead of being dropped.
TEST(PinBroker, AnAnswerGivenDuringTheAnnouncementIsNotLost) {
    PinBroker pins;
    const auto device = core::Uuid::random();
    PinRequest request{device, 1, 3, std::chrono::system_clock::now() + 10s};
    bool openWhileAnnouncing = false;
    const auto start = std::chrono::steady_clock::now();
    const auto got = pins.wait(request, 10s, [&] {
        openWhileAnnouncing = pins.open(device).has_value();
        EXPECT_TRUE(pins.answer(device, core::SecretBytes::fromText("13572468")));
    });
    EXPECT_TRUE(openWhileAnnouncing);
    EXPECT_EQ(got.ended, PinBroker::Ended::Answered);
    ASSERT_TRUE(got.pin);
    EXPECT_EQ(got.pin->text(), "13572468");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_FALSE(pins.waiting(device));
}

TEST(PinBroker, AnAnnouncementThatThrowsClosesTheRequest) {
    PinBroker pins;
    const auto device = core::Uuid::random();
    PinRequest request{device, 1, 3, std::chrono::system_clock::now() + 10s};
    EXPECT_THROW(pins.wait(request, 10s, [] { throw std::runtime_error("broker gone"); }), std::runtime_error);
    EXPECT_FALSE(pins.waiting(device));
    EXPECT_EQ(pins.openCount(), 0u);
}

TEST(PinBroker, NoAnswerInTimeIsNullopt) {
    PinBroker pins;
    EXPECT_FALSE(pins.wait(core::Uuid::random(), 50ms).has_value());
}

TEST(PinBroker, CancelAllEndsEveryWaitAtOnce) {
    PinBroker pins;
    std::optional<core::SecretBytes> got = core::SecretBytes::fromText("unset");
    std::thread waiter([&] { got = pins.wait(core::Uuid::random(), 60s); });
    std::this_thread::sleep_for(20ms);
    const auto start = std::chrono::steady_clock::now();
    pins.cancelAll();
    waiter.join();
    EXPECT_FALSE(got.has_value());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_FALSE(pins.wait(core::Uuid::random(), 10s).has_value());  // later waits too
}

TEST(PinBroker, SeveralDevicesWaitAtOnceAndEachOpenRequestIsKnown) {
    PinBroker pins;
    PinRequest a{core::Uuid::random(), 2, 3, std::chrono::system_clock::now() + 60s};
    PinRequest b{core::Uuid::random(), 1, 3, std::chrono::system_clock::now() + 60s};
    PinBroker::Outcome gotA;
    PinBroker::Outcome gotB;
    std::thread waitA([&] { gotA = pins.wait(a, 10s); });
    std::thread waitB([&] { gotB = pins.wait(b, 10s); });
    while (pins.openCount() < 2) std::this_thread::yield();
    const auto openA = pins.open(a.device);
    ASSERT_TRUE(openA);
    EXPECT_EQ(openA->attempt, 2);  // what was announced, to announce it again
    EXPECT_TRUE(pins.answer(b.device, core::SecretBytes::fromText("22222222")));
    EXPECT_FALSE(pins.answer(b.device, core::SecretBytes::fromText("33333333")));  // answered already
    waitB.join();
    EXPECT_EQ(gotB.ended, PinBroker::Ended::Answered);
    EXPECT_EQ(gotB.pin->text(), "22222222");
    EXPECT_TRUE(pins.waiting(a.device));  // the other request is still open
    pins.cancelAll();
    waitA.join();
    EXPECT_EQ(gotA.ended, PinBroker::Ended::Cancelled);
    EXPECT_FALSE(pins.open(a.device));
}

TEST(PinBroker, ATimeoutIsToldApartFromACancel) {
    PinBroker pins;
    PinRequest r{core::Uuid::random(), 1, 1, std::chrono::system_clock::now()};
    EXPECT_EQ(pins.wait(r, 20ms).ended, PinBroker::Ended::TimedOut);
}

TEST(PinBroker, OnlyEightDigitsAreAPin) {
    EXPECT_TRUE(isWellFormedPin("01234567"));
    EXPECT_FALSE(isWellFormedPin("1234567"));
    EXPECT_FALSE(isWellFormedPin("123456789"));
    EXPECT_FALSE(isWellFormedPin("1234567a"));
    EXPECT_FALSE(isWellFormedPin(""));
}

}  // namespace
}  // namespace steward::bridge
