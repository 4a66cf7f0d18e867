// The lifecycle on its own, with stand-in subsystems: start-up order, unwinding after a failure at
// any step (the one that failed included), the stop deadline; and the request gate between MQTT and
// the router.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/Util/Application.h>

#include <chrono>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon_config.hpp"
#include "lifecycle/lifecycle.hpp"
#include "lifecycle/request_gate.hpp"

namespace steward::bridge {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Journal {
public:
    void add(const std::string& line) {
        const std::lock_guard lock(mutex_);
        lines_.push_back(line);
    }
    std::vector<std::string> lines() const {
        const std::lock_guard lock(mutex_);
        return lines_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

// Records initialize/uninitialize; may throw halfway through its set-up, or take long to stop.
class Part : public DaemonSubsystem {
public:
    Part(std::string name, Journal& journal) : name_(std::move(name)), journal_(journal) {}
    const char* name() const override { return name_.c_str(); }

    std::function<void()> failAtStart;  // called halfway through initialize()
    bool failAtStop = false;
    std::chrono::milliseconds stopTakes{0};

protected:
    void initialize(Poco::Util::Application&) override {
        journal_.add("init " + name_);
        halfDone_ = true;
        if (failAtStart) failAtStart();
        done_ = true;
    }
    void uninitialize() override {
        journal_.add(std::string("uninit ") + name_ + (done_ ? "" : halfDone_ ? " (half)" : " (never)"));
        if (stopTakes.count() > 0) {
            setActivity("waiting for " + name_ + "'s slow job");
            std::this_thread::sleep_for(stopTakes);
        }
        halfDone_ = done_ = false;
        if (failAtStop) throw std::runtime_error(name_ + " would not stop");
    }

private:
    std::string name_;
    Journal& journal_;
    bool halfDone_ = false;
    bool done_ = false;
};

class App : public Poco::Util::Application {};

struct Fixture {
    Journal journal;
    Journal reports;
    Lifecycle lifecycle{[this](Poco::Message::Priority, const std::string& line) { reports.add(line); }, 5s};
    App app;
    Part* add(const std::string& name) {
        auto* p = new Part(name, journal);
        lifecycle.add(p);
        return p;
    }
};

TEST(Lifecycle, StartsInRegistrationOrderAndStopsInReverseOnce) {
    Fixture f;
    for (const char* n : {"a", "b", "c"}) f.add(n);
    EXPECT_THAT(f.lifecycle.names(), ElementsAre("a", "b", "c"));
    EXPECT_FALSE(f.lifecycle.start(f.app));
    f.lifecycle.stop();
    f.lifecycle.stop();  // idempotent
    EXPECT_THAT(f.journal.lines(), ElementsAre("init a", "init b", "init c", "uninit c", "uninit b", "uninit a"));
}

TEST(Lifecycle, AFailureAtAnyStepUnwindsThatStepAndEveryOneBeforeItInReverse) {
    for (std::size_t failing = 0; failing < 3; ++failing) {
        SCOPED_TRACE("failing at step " + std::to_string(failing));
        Fixture f;
        std::vector<Part*> parts;
        for (const char* n : {"a", "b", "c"}) parts.push_back(f.add(n));
        parts[failing]->failAtStart = [] { throw std::runtime_error("disk on fire"); };
        const auto failure = f.lifecycle.start(f.app);
        ASSERT_TRUE(failure);
        EXPECT_EQ(failure->step, parts[failing]->name());
        EXPECT_EQ(failure->reason, "disk on fire");
        EXPECT_EQ(failure->exitCode, Poco::Util::Application::EXIT_SOFTWARE);
        std::vector<std::string> expected;
        for (std::size_t i = 0; i <= failing; ++i) expected.push_back(std::string("init ") + parts[i]->name());
        expected.push_back(std::string("uninit ") + parts[failing]->name() + " (half)");
        for (std::size_t i = failing; i-- > 0;) expected.push_back(std::string("uninit ") + parts[i]->name());
        EXPECT_EQ(f.journal.lines(), expected);
        const auto reports = f.reports.lines();
        EXPECT_NE(std::find(reports.begin(), reports.end(),
                            "start-up failed at " + std::string(parts[failing]->name()) +
                                ": disk on fire; stopping what was started, in reverse order"),
                  reports.end());
        f.lifecycle.stop();  // nothing is up any more
        EXPECT_EQ(f.journal.lines().size(), expected.size());
    }
}

TEST(Lifecycle, AConfigurationErrorIsExitConfigAndReportedAsItIs) {
    Fixture f;
    f.add("configuration")->failAtStart = [] { throw ConfigError("steward.yaml:3:3: mqtt.hots: unknown key"); };
    f.add("storage");
    const auto failure = f.lifecycle.start(f.app);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->exitCode, Poco::Util::Application::EXIT_CONFIG);
    EXPECT_THAT(f.reports.lines(), ::testing::Contains("steward.yaml:3:3: mqtt.hots: unknown key"));
    EXPECT_THAT(f.journal.lines(), ElementsAre("init configuration", "uninit configuration (half)"));
}

TEST(Lifecycle, APartThatFailsToStopDoesNotKeepTheOthersUp) {
    Fixture f;
    f.add("a");
    f.add("b")->failAtStop = true;
    f.add("c");
    ASSERT_FALSE(f.lifecycle.start(f.app));
    f.lifecycle.stop();
    EXPECT_THAT(f.journal.lines(), ElementsAre("init a", "init b", "init c", "uninit c", "uninit b", "uninit a"));
    EXPECT_THAT(f.reports.lines(), ::testing::Contains("stopping b failed: b would not stop"));
}

TEST(Lifecycle, TheDestructorStopsWhatIsStillUp) {
    Journal journal;
    {
        Lifecycle lifecycle([](Poco::Message::Priority, const std::string&) {}, 5s);
        lifecycle.add(new Part("a", journal));
        lifecycle.add(new Part("b", journal));
        App app;
        ASSERT_FALSE(lifecycle.start(app));
    }
    EXPECT_THAT(journal.lines(), ElementsAre("init a", "init b", "uninit b", "uninit a"));
}

// Past the deadline the process ends, naming what is still running.
TEST(LifecycleDeathTest, AStopPastItsDeadlineEndsTheProcessNamingWhatStillRuns) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            Journal journal;
            Lifecycle lifecycle([](Poco::Message::Priority, const std::string& line) { std::cerr << line << std::endl; }, 300ms);
            lifecycle.add(new Part("storage", journal));
            auto* slow = new Part("provisioning", journal);
            slow->stopTakes = 10s;
            lifecycle.add(slow);
            App app;
            if (lifecycle.start(app)) std::exit(1);
            lifecycle.stop();
            std::exit(0);
        },
        ::testing::ExitedWithCode(Lifecycle::kDeadlineExitCode),
        "stop deadline \\(300 ms\\) passed; still running: provisioning \\(stopping: waiting for provisioning's slow job\\), storage");
}

struct Refusal {
    std::string action, payload, error;
};

TEST(RequestGate, HoldsRequestsUntilOpenThenHandsThemOnInOrder) {
    std::vector<std::string> handled;
    std::vector<Refusal> refused;
    RequestGate gate([&](const std::string& a, const std::string& p, const std::string& e) { refused.push_back({a, p, e}); });
    gate.handle("info", "1");
    gate.handle("own", "2");
    EXPECT_TRUE(handled.empty());
    gate.open([&](const std::string& a, const std::string& p) { handled.push_back(a + " " + p); });
    gate.handle("devices", "3");
    EXPECT_THAT(handled, ElementsAre("info 1", "own 2", "devices 3"));
    EXPECT_TRUE(refused.empty());
}

TEST(RequestGate, OnceClosedEveryRequestIsRefusedWithTheReasonHeldOnesToo) {
    std::vector<std::string> handled;
    std::vector<Refusal> refused;
    RequestGate gate([&](const std::string& a, const std::string& p, const std::string& e) { refused.push_back({a, p, e}); });
    gate.handle("own", "held");
    gate.close("the gateway is shutting down");
    gate.handle("info", "late");
    gate.open([&](const std::string& a, const std::string& p) { handled.push_back(a + " " + p); });  // too late: stays closed
    gate.handle("pin", "later");
    EXPECT_TRUE(handled.empty());
    ASSERT_EQ(refused.size(), 3u);
    EXPECT_EQ(refused[0].action, "own");
    EXPECT_EQ(refused[0].payload, "held");
    EXPECT_EQ(refused[1].action, "info");
    EXPECT_EQ(refused[2].action, "pin");
    for (const auto& r : refused) EXPECT_EQ(r.error, "the gateway is shutting down");
}

TEST(RequestGate, CloseWaitsForTheRequestBeingHandled) {
    std::vector<Refusal> refused;
    RequestGate gate([&](const std::string& a, const std::string& p, const std::string& e) { refused.push_back({a, p, e}); });
    std::atomic<bool> inside{false};
    std::atomic<bool> finished{false};
    gate.open([&](const std::string&, const std::string&) {
        inside = true;
        std::this_thread::sleep_for(300ms);
        finished = true;
    });
    std::thread mqtt([&] { gate.handle("sync", "{}"); });
    while (!inside) std::this_thread::yield();
    gate.close("the gateway is shutting down");
    EXPECT_TRUE(finished);  // the router may be destroyed now
    mqtt.join();
}

}  // namespace
}  // namespace steward::bridge
