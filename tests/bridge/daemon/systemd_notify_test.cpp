// The sd_notify protocol without libsystemd (systemd_notify.hpp): each message arrives byte for
// byte on a real AF_UNIX datagram socket, by path and by abstract name; nothing is sent and nothing
// logged without NOTIFY_SOCKET; an error is logged once. And stewardd's rules on top of it
// (Readiness): READY=1 once, when started and the broker answered in either order; a reload
// bracketed only after READY=1; nothing but STATUS after STOPPING=1.
#include "systemd_notify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/notify_socket.hpp"
#include "support/temp_dir.hpp"

namespace steward::bridge {
namespace {

using namespace std::chrono_literals;
using test::NotifySocket;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kWait = 2s;        // for a datagram that must come
constexpr auto kSilence = 200ms;  // for one that must not

unsigned long long monotonicMicroseconds() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<unsigned long long>(now.tv_sec) * 1000000ULL + static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
}

// The MONOTONIC_USEC of "RELOADING=1\nMONOTONIC_USEC=<digits>", exactly that; nullopt otherwise.
std::optional<unsigned long long> reloadingTime(const std::string& message) {
    const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
    if (message.compare(0, prefix.size(), prefix) != 0 || message.size() == prefix.size()) return std::nullopt;
    const auto digits = message.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoull(digits);
}

std::string abstractName() {
    static std::atomic<int> next{0};
    return "@steward-notify-test-" + std::to_string(::getpid()) + "-" + std::to_string(next++);
}

// NOTIFY_SOCKET as the test sets it, restored afterwards (a test run under systemd may have one).
class SystemdNotifierTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (const char* v = std::getenv("NOTIFY_SOCKET")) saved_ = v;
        ::unsetenv("NOTIFY_SOCKET");
    }
    void TearDown() override {
        if (saved_) {
            ::setenv("NOTIFY_SOCKET", saved_->c_str(), 1);
        } else {
            ::unsetenv("NOTIFY_SOCKET");
        }
    }
    static void point(const NotifySocket& socket) { ::setenv("NOTIFY_SOCKET", socket.name().c_str(), 1); }
    SystemdNotifier::Log recordLog() {
        return [this](const std::string& line) { logged.push_back(line); };
    }

    // Every message, received exactly as systemd would read it.
    void expectEveryMessage(NotifySocket& socket) {
        SystemdNotifier notifier(recordLog());
        EXPECT_TRUE(notifier.ready());
        EXPECT_EQ(socket.receive(kWait), "READY=1");
        EXPECT_TRUE(notifier.stopping());
        EXPECT_EQ(socket.receive(kWait), "STOPPING=1");
        EXPECT_TRUE(notifier.status("waiting for the MQTT broker at 127.0.0.1:1883"));
        EXPECT_EQ(socket.receive(kWait), "STATUS=waiting for the MQTT broker at 127.0.0.1:1883");

        const auto before = monotonicMicroseconds();
        EXPECT_TRUE(notifier.reloading());
        const auto after = monotonicMicroseconds();
        const auto reloading = socket.receive(kWait);
        ASSERT_TRUE(reloading);
        const auto usec = reloadingTime(*reloading);
        ASSERT_TRUE(usec) << *reloading;
        EXPECT_GE(*usec, before);
        EXPECT_LE(*usec, after);

        EXPECT_TRUE(notifier.send("READY=1\nSTATUS=both"));
        EXPECT_EQ(socket.receive(kWait), "READY=1\nSTATUS=both");
        EXPECT_EQ(socket.receive(kSilence), std::nullopt);
        EXPECT_TRUE(logged.empty()) << logged.front();
        // Read on every call, never unset: the daemon notifies all its life.
        ASSERT_NE(std::getenv("NOTIFY_SOCKET"), nullptr);
        EXPECT_EQ(std::string(std::getenv("NOTIFY_SOCKET")), socket.name());
    }

    test::TempDir dir;
    std::vector<std::string> logged;

private:
    std::optional<std::string> saved_;
};

TEST_F(SystemdNotifierTest, EachMessageArrivesByteForByteOnASocketPath) {
    NotifySocket socket((dir / "notify.sock").string());
    point(socket);
    expectEveryMessage(socket);
}

TEST_F(SystemdNotifierTest, EachMessageArrivesByteForByteOnAnAbstractSocket) {
    NotifySocket socket(abstractName());
    point(socket);
    expectEveryMessage(socket);
}

TEST_F(SystemdNotifierTest, WithoutNotifySocketNothingIsSentAndNothingLogged) {
    NotifySocket socket((dir / "notify.sock").string());  // there, but not named
    SystemdNotifier notifier(recordLog());
    EXPECT_FALSE(notifier.ready());
    EXPECT_FALSE(notifier.reloading());
    EXPECT_FALSE(notifier.stopping());
    EXPECT_FALSE(notifier.status("loading plugins"));
    EXPECT_EQ(socket.receive(kSilence), std::nullopt);
    EXPECT_TRUE(logged.empty());

    ::setenv("NOTIFY_SOCKET", "", 1);  // empty counts as unset
    EXPECT_FALSE(notifier.ready());
    EXPECT_EQ(socket.receive(kSilence), std::nullopt);
    EXPECT_TRUE(logged.empty());
}

// A newline would start another assignment: a status text cannot say READY=1.
TEST_F(SystemdNotifierTest, AStatusTextStaysOneAssignment) {
    NotifySocket socket(abstractName());
    point(socket);
    SystemdNotifier notifier(recordLog());
    EXPECT_TRUE(notifier.status("device \"x\nREADY=1\r\"" + std::string(1, '\0') + "!"));
    EXPECT_EQ(socket.receive(kWait), "STATUS=device \"x READY=1 \" !");
}

TEST_F(SystemdNotifierTest, AFailureIsLoggedOnceAndNothingThrows) {
    ::setenv("NOTIFY_SOCKET", (dir / "nobody-listens.sock").c_str(), 1);
    SystemdNotifier notifier(recordLog());
    EXPECT_FALSE(notifier.ready());
    EXPECT_FALSE(notifier.status("still nobody"));
    EXPECT_FALSE(notifier.stopping());
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_THAT(logged[0], HasSubstr("nobody-listens.sock"));

    // Neither a path nor an abstract name; a name too long for sun_path. Still only the one line.
    ::setenv("NOTIFY_SOCKET", "relative/notify.sock", 1);
    EXPECT_FALSE(notifier.ready());
    ::setenv("NOTIFY_SOCKET", ("/" + std::string(200, 'x')).c_str(), 1);
    EXPECT_FALSE(notifier.ready());
    EXPECT_EQ(logged.size(), 1u);

    SystemdNotifier fresh([](const std::string&) { throw std::runtime_error("a log that throws"); });
    EXPECT_FALSE(fresh.ready());
}

// --- Readiness: stewardd's rules ---

class ReadinessTest : public SystemdNotifierTest {
protected:
    void SetUp() override {
        SystemdNotifierTest::SetUp();
        point(socket);
    }
    NotifySocket socket{abstractName()};
    SystemdNotifier notifier{recordLog()};
    Readiness readiness{notifier, [] { return std::string("ready: 2 owned devices"); }};
};

TEST_F(ReadinessTest, ReadyOnceTheBrokerAnswersAfterTheStart) {
    readiness.startedUp("waiting for the MQTT broker at 127.0.0.1:1883");
    EXPECT_EQ(socket.receive(kWait), "STATUS=waiting for the MQTT broker at 127.0.0.1:1883");
    EXPECT_EQ(socket.receive(kSilence), std::nullopt);
    EXPECT_FALSE(readiness.readySent());

    readiness.brokerAnswered();  // what the MQTT thread does: the datagrams come from another thread
    EXPECT_EQ(socket.receive(kWait), "STATUS=ready: 2 owned devices");
    EXPECT_EQ(socket.receive(kWait), "READY=1");
    EXPECT_TRUE(readiness.readySent());

    readiness.brokerAnswered();  // a reconnection
    EXPECT_EQ(socket.receive(kSilence), std::nullopt);
}

TEST_F(ReadinessTest, ReadyAtOnceWhenTheBrokerAnsweredDuringTheStart) {
    readiness.brokerAnswered();
    EXPECT_EQ(socket.receive(kSilence), std::nullopt);  // not started yet
    readiness.startedUp("waiting for the MQTT broker at 127.0.0.1:1883");
    EXPECT_TRUE(readiness.readySent());
    EXPECT_EQ(socket.receive(kWait), "STATUS=ready: 2 owned devices");
    EXPECT_EQ(socket.receive(kWait), "READY=1");
    readiness.startedUp("again");
    readiness.brokerAnswered();
    EXPECT_EQ(socket.receive(kSilence), std::nullopt);
}

TEST_F(ReadinessTest, AReloadIsBracketedOnlyOnceReady) {
    readiness.startedUp("waiting");
    ASSERT_EQ(socket.receive(kWait), "STATUS=waiting");
    // systemd is still starting the service: a READY=1 now would end the start too early.
    readiness.reloading();
    readiness.reloaded();
    EXPECT_EQ(socket.receive(kSilence), std::nullopt);

    readiness.brokerAnswered();
    ASSERT_EQ(socket.waitFor("READY=1", kWait), "READY=1");
    readiness.reloading();
    const auto reloading = socket.receive(kWait);
    ASSERT_TRUE(reloading);
    EXPECT_TRUE(reloadingTime(*reloading)) << *reloading;
    readiness.reloaded();
    EXPECT_EQ(socket.receive(kWait), "STATUS=ready: 2 owned devices");
    EXPECT_EQ(socket.receive(kWait), "READY=1");
}

TEST_F(ReadinessTest, NothingButStatusAfterStopping) {
    readiness.startedUp("waiting");
    readiness.stopping();
    readiness.brokerAnswered();
    readiness.reloading();
    readiness.reloaded();
    readiness.stopping();
    readiness.status("stopping: finishing the operation in progress");
    socket.waitFor("STATUS=stopping: finishing the operation in progress", kWait);
    EXPECT_THAT(socket.received(), ElementsAre("STATUS=waiting", "STOPPING=1", "STATUS=stopping: finishing the operation in progress"));
    EXPECT_FALSE(readiness.readySent());
}

}  // namespace
}  // namespace steward::bridge
