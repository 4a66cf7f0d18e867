// RequestDispatcher on its own: arrival order kept on one thread, a full window refused at once
// ("busy", with how many wait), stop() answering what waits, and a throwing handler survived.
#include "request_dispatcher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace steward::bridge {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Refusal {
    std::string action, payload, error;
};

// What the dispatcher handed on and refused, and a latch that holds the handler until opened.
class Recorder {
public:
    RequestDispatcher::Handler handler() {
        return [this](const std::string& action, const std::string& payload) {
            std::unique_lock lock(mutex_);
            ++entered_;
            changed_.notify_all();
            changed_.wait(lock, [this] { return open_; });
            handled_.push_back(action + " " + payload);
            threads_.insert(std::this_thread::get_id());
            changed_.notify_all();
        };
    }
    RequestDispatcher::Refuse refuse() {
        return [this](const std::string& action, const std::string& payload, const std::string& error) {
            const std::lock_guard lock(mutex_);
            refused_.push_back({action, payload, error});
            changed_.notify_all();
        };
    }
    void hold() {
        const std::lock_guard lock(mutex_);
        open_ = false;
    }
    void release() {
        const std::lock_guard lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }
    bool waitEntered(int n) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 5s, [&] { return entered_ >= n; });
    }
    bool waitHandled(std::size_t n) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 5s, [&] { return handled_.size() >= n; });
    }
    std::vector<std::string> handled() const {
        const std::lock_guard lock(mutex_);
        return handled_;
    }
    std::vector<Refusal> refused() const {
        const std::lock_guard lock(mutex_);
        return refused_;
    }
    std::size_t threads() const {
        const std::lock_guard lock(mutex_);
        return threads_.size();
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool open_ = true;
    int entered_ = 0;
    std::vector<std::string> handled_;
    std::vector<Refusal> refused_;
    std::set<std::thread::id> threads_;
};

TEST(RequestDispatcher, HandsRequestsOnInArrivalOrderOnOneThreadOtherThanTheCallers) {
    Recorder r;
    RequestDispatcher d(10000, r.handler(), r.refuse(), {});
    for (int i = 0; i < 5000; ++i) d.submit(i % 2 ? "own" : "info", std::to_string(i));
    ASSERT_TRUE(r.waitHandled(5000));
    const auto handled = r.handled();
    for (int i = 0; i < 5000; ++i) ASSERT_EQ(handled[static_cast<std::size_t>(i)], (i % 2 ? "own " : "info ") + std::to_string(i));
    EXPECT_EQ(r.threads(), 1u);
    EXPECT_TRUE(r.refused().empty());
}

TEST(RequestDispatcher, SubmitReturnsWhileTheHandlerIsBusy) {
    Recorder r;
    r.hold();
    RequestDispatcher d(100, r.handler(), r.refuse(), {});
    d.submit("info", "{}");
    ASSERT_TRUE(r.waitEntered(1));
    // The handler is stuck; the submitting (network) thread is not.
    auto submitted = std::async(std::launch::async, [&] {
        for (int i = 0; i < 50; ++i) d.submit("info", "{}");
    });
    EXPECT_EQ(submitted.wait_for(2s), std::future_status::ready);
    EXPECT_EQ(d.waiting(), 50u);
    r.release();
    EXPECT_TRUE(r.waitHandled(51));
}

TEST(RequestDispatcher, AFullWindowIsAnsweredBusyAtOnceWithHowManyWait) {
    Recorder r;
    r.hold();
    RequestDispatcher d(3, r.handler(), r.refuse(), {});
    d.submit("info", R"({"transaction":0})");
    ASSERT_TRUE(r.waitEntered(1));  // taken: no longer waiting
    for (int i = 1; i <= 3; ++i) d.submit("info", "{\"transaction\":" + std::to_string(i) + "}");
    d.submit("own", R"({"transaction":"t-4"})");
    d.submit("own", R"({"transaction":"t-5"})");
    const auto refused = r.refused();
    ASSERT_EQ(refused.size(), 2u);
    EXPECT_EQ(refused[0].action, "own");
    EXPECT_EQ(refused[0].payload, R"({"transaction":"t-4"})");  // the caller reads the transaction from it
    EXPECT_THAT(refused[0].error, StartsWith("busy"));
    EXPECT_THAT(refused[0].error, HasSubstr("3 requests are waiting"));
    EXPECT_EQ(refused[1].payload, R"({"transaction":"t-5"})");
    r.release();
    ASSERT_TRUE(r.waitHandled(4));
    // The window has room again.
    d.submit("info", R"({"transaction":6})");
    EXPECT_TRUE(r.waitHandled(5));
    EXPECT_EQ(r.refused().size(), 2u);
}

TEST(RequestDispatcher, StopAnswersWhatWaitsAsCancelledAndEveryLaterRequestToo) {
    Recorder r;
    r.hold();
    RequestDispatcher d(100, r.handler(), r.refuse(), {});
    d.submit("own", "1");
    ASSERT_TRUE(r.waitEntered(1));
    d.submit("own", "2");
    d.submit("pin", "3");
    auto stopped = std::async(std::launch::async, [&] { d.stop("the gateway is shutting down"); });
    // The waiting ones are answered before the request in progress ends.
    for (int i = 0; i < 500 && r.refused().size() < 2; ++i) std::this_thread::sleep_for(10ms);
    auto refused = r.refused();
    ASSERT_EQ(refused.size(), 2u);
    EXPECT_EQ(refused[0].payload, "2");
    EXPECT_EQ(refused[1].payload, "3");
    EXPECT_EQ(refused[0].error, "cancelled: the gateway is shutting down");
    EXPECT_EQ(stopped.wait_for(100ms), std::future_status::timeout);  // waits for the one in progress
    r.release();
    EXPECT_EQ(stopped.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(r.handled(), std::vector<std::string>{"own 1"});

    d.submit("info", "4");
    refused = r.refused();
    ASSERT_EQ(refused.size(), 3u);
    EXPECT_EQ(refused[2].error, "cancelled: the gateway is shutting down");
    d.stop("again");  // idempotent
}

TEST(RequestDispatcher, TheDestructorStopsWithoutHanging) {
    Recorder r;
    auto d = std::make_unique<RequestDispatcher>(10, r.handler(), r.refuse(), std::function<void(const std::string&)>{});
    d->submit("info", "{}");
    EXPECT_TRUE(r.waitHandled(1));
    d.reset();
}

TEST(RequestDispatcher, AThrowingHandlerGetsTheRequestAnAnswerAndTheThreadGoesOn) {
    std::vector<std::string> logged;
    std::mutex m;
    std::atomic<int> handled{0};
    std::vector<Refusal> refused;
    RequestDispatcher d(
        10,
        [&](const std::string& action, const std::string&) {
            if (action == "bad") throw std::runtime_error("boom");
            if (action == "worse") throw 42;
            ++handled;
        },
        [&](const std::string& action, const std::string& payload, const std::string& error) {
            const std::lock_guard lock(m);
            refused.push_back({action, payload, error});
        },
        [&](const std::string& line) {
            const std::lock_guard lock(m);
            logged.push_back(line);
        });
    d.submit("bad", "1");
    d.submit("worse", "2");
    d.submit("info", "3");
    for (int i = 0; i < 500 && handled < 1; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(handled, 1);
    const std::lock_guard lock(m);
    ASSERT_EQ(refused.size(), 2u);
    EXPECT_EQ(refused[0].error, "internal error: boom");
    EXPECT_EQ(refused[1].error, "internal error");
    ASSERT_EQ(logged.size(), 2u);
    EXPECT_THAT(logged[0], HasSubstr("request bad failed: boom"));
}

}  // namespace
}  // namespace steward::bridge
