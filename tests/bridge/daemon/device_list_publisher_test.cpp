// DeviceListPublisher: the device list published at a bounded rate (issue 19.3).
#include "device_list_publisher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace steward::bridge {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Records when each publish happened.
class Sink {
public:
    std::function<void()> publish() {
        return [this] {
            {
                const std::lock_guard lock(mutex_);
                times_.push_back(Clock::now());
            }
            cv_.notify_all();
        };
    }
    std::size_t count() const {
        const std::lock_guard lock(mutex_);
        return times_.size();
    }
    bool waitFor(std::size_t n, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] { return times_.size() >= n; });
    }
    std::vector<Clock::time_point> times() const {
        const std::lock_guard lock(mutex_);
        return times_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<Clock::time_point> times_;
};

TEST(DeviceListPublisher, ABurstOfChangesGivesALeadingAndATrailingPublish) {
    Sink sink;
    DeviceListPublisher list(500ms, sink.publish());
    const auto start = Clock::now();
    list.changed();
    // The first change goes out at once (leading edge).
    ASSERT_TRUE(sink.waitFor(1, 2s));
    EXPECT_LT(sink.times()[0] - start, 400ms);
    // The other 999, spread over the interval, in one trailing publish at its end.
    for (int i = 0; i < 999; ++i) {
        list.changed();
        if (i % 100 == 0) std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(sink.count(), 1u);
    ASSERT_TRUE(sink.waitFor(2, 3s));
    std::this_thread::sleep_for(700ms);  // and nothing more
    const auto times = sink.times();
    ASSERT_EQ(times.size(), 2u);
    EXPECT_GE(times[1] - times[0], 500ms);
}

TEST(DeviceListPublisher, AThousandChangesWithinTheIntervalPublishAtMostTwice) {
    Sink sink;
    DeviceListPublisher list(10s, sink.publish());
    for (int i = 0; i < 1000; ++i) list.changed();
    ASSERT_TRUE(sink.waitFor(1, 2s));
    std::this_thread::sleep_for(200ms);
    for (int i = 0; i < 1000; ++i) list.changed();
    std::this_thread::sleep_for(200ms);
    EXPECT_LE(sink.count(), 2u);
    EXPECT_EQ(sink.count(), 1u);  // the trailing one waits for the end of the 10 s interval
}

TEST(DeviceListPublisher, AChangeAfterAQuietIntervalGoesOutAtOnce) {
    Sink sink;
    DeviceListPublisher list(100ms, sink.publish());
    list.changed();
    ASSERT_TRUE(sink.waitFor(1, 2s));
    std::this_thread::sleep_for(300ms);
    const auto before = Clock::now();
    list.changed();
    ASSERT_TRUE(sink.waitFor(2, 2s));
    EXPECT_LT(sink.times()[1] - before, 90ms);
}

TEST(DeviceListPublisher, FlushPublishesAtOnceAndTakesThePendingChangeAlong) {
    Sink sink;
    DeviceListPublisher list(500ms, sink.publish());
    list.flush();  // nothing changed: published anyway (the first list at start-up)
    EXPECT_EQ(sink.count(), 1u);
    list.changed();  // within the interval: waits for its end
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(sink.count(), 1u);
    list.flush();  // at once, on this thread
    EXPECT_EQ(sink.count(), 2u);
    std::this_thread::sleep_for(900ms);
    EXPECT_EQ(sink.count(), 2u) << "the pending change went out with the flush";
    EXPECT_EQ(list.published(), 2u);
}

TEST(DeviceListPublisher, StopPublishesAPendingChangeThenNothingMore) {
    Sink sink;
    DeviceListPublisher list(10s, sink.publish());
    list.changed();
    ASSERT_TRUE(sink.waitFor(1, 2s));
    list.changed();  // pending until the end of the 10 s interval
    const auto before = Clock::now();
    list.stop();
    EXPECT_LT(Clock::now() - before, 1s);
    EXPECT_EQ(sink.count(), 2u);
    list.changed();
    list.flush();
    list.stop();
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(sink.count(), 2u);
}

TEST(DeviceListPublisher, StopWithNothingPendingPublishesNothing) {
    Sink sink;
    {
        DeviceListPublisher list(10s, sink.publish());
        list.changed();
        ASSERT_TRUE(sink.waitFor(1, 2s));
    }  // the destructor stops it
    EXPECT_EQ(sink.count(), 1u);
}

TEST(DeviceListPublisher, AThrowingPublishIsLoggedAndTheThreadGoesOn) {
    std::atomic<int> calls{0};
    std::mutex m;
    std::vector<std::string> lines;
    DeviceListPublisher list(
        0ms,
        [&] {
            if (calls++ == 0) throw std::runtime_error("broken");
        },
        [&](const std::string& line) {
            const std::lock_guard lock(m);
            lines.push_back(line);
        });
    list.changed();
    for (int i = 0; i < 100 && calls.load() < 1; ++i) std::this_thread::sleep_for(10ms);
    list.changed();
    for (int i = 0; i < 100 && calls.load() < 2; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(calls.load(), 2);
    const std::lock_guard lock(m);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("broken"), std::string::npos);
}

}  // namespace
}  // namespace steward::bridge
