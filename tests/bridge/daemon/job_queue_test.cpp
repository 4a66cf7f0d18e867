// The provisioning worker: per-device order, jobs that touch everything run alone, a parked job
// lets the queue go on, and stop() answers what was queued.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "job_queue.hpp"

namespace steward::bridge {
namespace {

using namespace std::chrono_literals;

// A gate a job waits at until the test opens it.
class Gate {
public:
    void open() {
        {
            const std::lock_guard lock(mutex_);
            open_ = true;
        }
        cv_.notify_all();
    }
    bool wait(std::chrono::milliseconds timeout = 10s) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] { return open_; });
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool open_ = false;
};

// What ran, in order.
class Trace {
public:
    void add(const std::string& step) {
        {
            const std::lock_guard lock(mutex_);
            steps_.push_back(step);
        }
        cv_.notify_all();
    }
    bool waitFor(const std::string& step, std::chrono::milliseconds timeout = 10s) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] { return std::find(steps_.begin(), steps_.end(), step) != steps_.end(); });
    }
    std::vector<std::string> steps() {
        const std::lock_guard lock(mutex_);
        return steps_;
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::string> steps_;
};

JobQueue::Job job(const std::string& name, std::function<void()> run, std::vector<core::Uuid> devices) {
    return {name, std::move(run), {}, std::move(devices)};
}

TEST(JobQueue, JobsOfOneDeviceRunInTheOrderPosted) {
    JobQueue queue([](const std::string&) {}, 2);
    const auto device = core::Uuid::random();
    Trace trace;
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(queue.post(job("j" + std::to_string(i), [&trace, i] { trace.add(std::to_string(i)); }, {device})));
    }
    ASSERT_TRUE(trace.waitFor("19"));
    std::vector<std::string> expected;
    for (int i = 0; i < 20; ++i) expected.push_back(std::to_string(i));
    EXPECT_EQ(trace.steps(), expected);
}

TEST(JobQueue, AParkedJobLetsOtherDevicesGoOnWhileItsOwnDeviceWaits) {
    JobQueue queue([](const std::string&) {}, 1);
    const auto x = core::Uuid::random();
    const auto y = core::Uuid::random();
    Gate pin;
    Trace trace;
    queue.post(job("own x",
                   [&] {
                       trace.add("x parks");
                       queue.park([&] { pin.wait(); });
                       trace.add("x resumes");
                   },
                   {x}));
    ASSERT_TRUE(trace.waitFor("x parks"));
    queue.post(job("acl x", [&] { trace.add("second job on x"); }, {x}));
    queue.post(job("acl y", [&] { trace.add("job on y"); }, {y}));
    queue.post(job("sync", [&] { trace.add("job on everything"); }, {}));
    // With one worker and x parked, y's job and the job that touches everything run; x's second
    // job waits for x.
    ASSERT_TRUE(trace.waitFor("job on y"));
    ASSERT_TRUE(trace.waitFor("job on everything"));
    EXPECT_EQ(queue.parked(), 1u);
    auto steps = trace.steps();
    EXPECT_EQ(std::count(steps.begin(), steps.end(), "second job on x"), 0);
    pin.open();
    ASSERT_TRUE(trace.waitFor("second job on x"));
    steps = trace.steps();
    const auto resumed = std::find(steps.begin(), steps.end(), "x resumes");
    const auto second = std::find(steps.begin(), steps.end(), "second job on x");
    EXPECT_LT(resumed, second);  // x's jobs keep their order across the wait
    EXPECT_EQ(queue.parked(), 0u);
}

TEST(JobQueue, AJobThatTouchesEverythingRunsAlone) {
    JobQueue queue([](const std::string&) {}, 2);
    Gate release;
    Trace trace;
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    const auto track = [&](const std::string& name) {
        return [&, name] {
            const int now = ++running;
            most = std::max(most.load(), now);
            trace.add(name + " started");
            if (name == "a") release.wait();
            --running;
            trace.add(name + " ended");
        };
    };
    queue.post(job("a", track("a"), {core::Uuid::random()}));
    ASSERT_TRUE(trace.waitFor("a started"));
    queue.post(job("all", track("all"), {}));
    queue.post(job("b", track("b"), {core::Uuid::random()}));  // posted after: does not pass it
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(trace.steps(), std::vector<std::string>{"a started"});
    release.open();
    ASSERT_TRUE(trace.waitFor("b ended"));
    const auto steps = trace.steps();
    EXPECT_EQ(steps, (std::vector<std::string>{"a started", "a ended", "all started", "all ended", "b started", "b ended"}));
    EXPECT_EQ(most.load(), 1);
}

TEST(JobQueue, TwoWorkersRunJobsOfDifferentDevicesAtOnce) {
    JobQueue queue([](const std::string&) {}, 2);
    std::promise<void> bothIn;
    std::atomic<int> in{0};
    Gate release;
    const auto meet = [&] {
        if (++in == 2) bothIn.set_value();
        release.wait();
    };
    queue.post(job("a", meet, {core::Uuid::random()}));
    queue.post(job("b", meet, {core::Uuid::random()}));
    EXPECT_EQ(bothIn.get_future().wait_for(10s), std::future_status::ready);
    release.open();
}

TEST(JobQueue, StopAnswersQueuedJobsAsCancelledAndWaitsForTheParkedOne) {
    auto queue = std::make_unique<JobQueue>([](const std::string&) {}, 1);
    const auto x = core::Uuid::random();
    Gate pin;
    Trace trace;
    queue->post(job("own x",
                    [&] {
                        trace.add("parked");
                        queue->park([&] { pin.wait(); });
                        trace.add("ended");
                    },
                    {x}));
    ASSERT_TRUE(trace.waitFor("parked"));
    std::atomic<int> cancelled{0};
    queue->post({"later on x", [&] { trace.add("must not run"); }, [&] { ++cancelled; }, {x}});
    std::thread stopper([&] { queue->stop(); });
    std::this_thread::sleep_for(50ms);
    pin.open();  // shutdown ends PIN waits (PinBroker::cancelAll)
    stopper.join();
    EXPECT_EQ(cancelled.load(), 1);
    EXPECT_TRUE(trace.waitFor("ended", 1s));
    const auto steps = trace.steps();
    EXPECT_EQ(std::count(steps.begin(), steps.end(), "must not run"), 0);
    EXPECT_FALSE(queue->post(job("after stop", [] {}, {})));
}

}  // namespace
}  // namespace steward::bridge
