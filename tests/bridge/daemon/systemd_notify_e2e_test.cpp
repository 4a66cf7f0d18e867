// stewardd under systemd's readiness protocol, as a real process with NOTIFY_SOCKET pointing at a
// socket the test owns: READY=1 only once the broker has answered (not when the daemon's parts are
// up with the broker still away), RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1 on
// SIGTERM.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "daemon_fixture.hpp"
#include "stewardd_fixture.hpp"
#include "support/notify_socket.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::Not;

class SystemdNotifyDaemon : public Stewardd {};

// "RELOADING=1\nMONOTONIC_USEC=<digits>", exactly.
bool isReloading(const std::string& m) {
    const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
    return m.size() > prefix.size() && m.compare(0, prefix.size(), prefix) == 0 &&
           m.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
}

TEST_F(SystemdNotifyDaemon, ReadyOnlyOnceTheBrokerAnswersThenReloadingReadyAndStopping) {
    NotifySocket notify((dir / "notify.sock").string());
    broker.stop();  // its port stays reserved for it: nothing listens there until start()
    auto daemon = startDaemon(dir.path(), config("{mode: manual}", {}), {"NOTIFY_SOCKET=" + notify.name()});

    // Every part is up ("stewardd ready" in the log), the broker is not: no READY=1.
    const auto waiting = "STATUS=waiting for the MQTT broker at 127.0.0.1:" + std::to_string(broker.port());
    EXPECT_TRUE(notify.waitFor(waiting, 5s)) << notify.dump() << daemon->output();
    EXPECT_FALSE(notify.waitFor("READY=1", 1500ms)) << notify.dump() << daemon->output();
    ASSERT_THAT(notify.received(), Not(Contains("READY=1"))) << notify.dump();

    broker.start();
    const auto ready = notify.waitFor("READY=1", 10s);
    ASSERT_TRUE(ready) << notify.dump() << daemon->output();
    const auto& before = notify.received();
    ASSERT_GE(before.size(), 2u);
    EXPECT_EQ(before[before.size() - 2],
              "STATUS=ready: 0 owned devices, ownership mode manual, broker 127.0.0.1:" + std::to_string(broker.port()))
        << notify.dump();
    EXPECT_EQ(std::count(before.begin(), before.end(), "READY=1"), 1) << notify.dump();
    EXPECT_THAT(before, Contains("STATUS=opening the state and loading plugins")) << notify.dump();

    // SIGHUP: RELOADING=1 (with the monotonic time systemd 253 matches), then READY=1 again.
    ASSERT_EQ(::kill(daemon->pid(), SIGHUP), 0);
    EXPECT_TRUE(notify.waitFor(isReloading, 10s)) << notify.dump() << daemon->output();
    EXPECT_TRUE(notify.waitFor("READY=1", 10s)) << notify.dump() << daemon->output();

    // SIGTERM: STOPPING=1, and no READY=1 after it.
    EXPECT_EQ(daemon->stop(15s), 0) << daemon->output();
    EXPECT_TRUE(notify.waitFor("STOPPING=1", 2s)) << notify.dump() << daemon->output();
    while (notify.receive(200ms)) {
    }
    const auto& all = notify.received();
    const auto stopping = std::find(all.begin(), all.end(), "STOPPING=1");
    EXPECT_THAT(std::vector<std::string>(stopping, all.end()), Not(Contains("READY=1"))) << notify.dump();
    EXPECT_THAT(daemon->output(), Not(testing::HasSubstr("systemd notification failed")));
}

}  // namespace
}  // namespace steward::test
