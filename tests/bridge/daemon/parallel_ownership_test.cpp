// stewardd owns several devices at once (ownership.workers, issue 19.1), each one still owned and
// then provisioned by the policies, in order per device; with one worker, one at a time.
#include <gtest/gtest.h>

#include <map>

#include "daemon_fixture.hpp"
#include "device_fixture.hpp"
#include "stewardd_fixture.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kDevices = 6;

// Whether some device's ownership session opened while another device's was still open, from the
// fleet's own log (one stream, in the order the devices wrote it).
bool transfersOverlapped(const std::vector<std::string>& fleetLines) {
    std::map<int, bool> open;
    for (const auto& line : fleetLines) {
        const auto event = parseEventLine(line);
        if (!event || !event->has("device")) continue;
        const auto message = event->optValue<std::string>("message", "");
        const int device = event->getValue<int>("device");
        if (message.find("ownership session opened") != std::string::npos) {
            for (const auto& [other, isOpen] : open) {
                if (other != device && isOpen) return true;
            }
            open[device] = true;
        } else if (message.find("ownership transfer complete") != std::string::npos) {
            open[device] = false;
        }
    }
    return false;
}

class ParallelOwnership : public Stewardd {
protected:
    // Starts kDevices Just-Works devices and a daemon owning them automatically with `workers`;
    // waits until every one is provisioned. Returns whether their transfers overlapped.
    bool ownAll(int workers) {
        auto fleet = startDevices({"--svrdb-dir", (dir / "fleet").string(), "--count", std::to_string(kDevices)}, kDevices);
        std::vector<std::string> targets;
        for (const auto& d : fleet.devices) targets.push_back("127.0.0.1:" + std::to_string(d.port));
        Observer watch(broker.port());
        auto daemon = startDaemon(
            dir.path(),
            config("{mode: automatic, allow_justworks: true, justworks_per_window: 10, workers: " + std::to_string(workers) + "}",
                   targets));
        EXPECT_TRUE(watch.waitOnline()) << daemon->output();
        for (const auto& d : fleet.devices) {
            const auto provisioned = watch.waitForEvent(
                "device_provisioned",
                [&](const Poco::JSON::Object::Ptr& e) { return e->optValue<std::string>("device", "") == d.id.toString(); }, 30s);
            EXPECT_TRUE(provisioned) << watch.dump() << daemon->output();
            if (!provisioned) return false;
            EXPECT_GE(provisioned->getArray("policies")->size(), 1u);
            const auto state = watch.latest("steward/devices/" + d.id.toString());
            EXPECT_TRUE(state && state->getValue<std::string>("state") == "provisioned");
        }
        return transfersOverlapped(fleet.process->lines());
    }
};

TEST_F(ParallelOwnership, TwoWorkersOwnDevicesSideBySideAndProvisionEachOne) { EXPECT_TRUE(ownAll(2)); }

TEST_F(ParallelOwnership, OneWorkerOwnsOneDeviceAtATime) { EXPECT_FALSE(ownAll(1)); }

}  // namespace
}  // namespace steward::test
