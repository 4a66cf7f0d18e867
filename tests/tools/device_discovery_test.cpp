// Discovery of real steward-device processes over loopback unicast, in all three scopes.
#include <gtest/gtest.h>

#include <set>

#include "device_fixture.hpp"
#include "steward/discovery/device_discovery.hpp"
#include "steward/model/doxm.hpp"
#include "steward/onboarding/ownership_transfer.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

std::set<std::string> ids(const core::DiscoveryResult& r) {
    std::set<std::string> out;
    for (const auto& d : r.devices) out.insert(d.deviceId.toString());
    return out;
}

TEST(DeviceProcessDiscovery, FindsAllUnownedAndOwnedDevicesByUnicast) {
    TempDir dir;
    auto jw = startDevices({"--count", "2", "--svrdb-dir", (dir / "jw").string()}, 2);
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin", "--name", "Hall light"});

    core::EndpointOptions o;
    o.udpPort = std::nullopt;
    core::CoapEndpoint client(o);
    const auto gateway = core::Uuid::randomPskUsable();
    core::OwnershipRequest own;
    own.gatewayId = gateway;
    own.plain = jw[1].plain();
    own.secure = jw[1].secure();
    ASSERT_TRUE(core::transferOwnership(client, own).ok);

    core::DiscoveryOptions options;
    options.timeout = 3s;
    for (const auto* set : {&jw, &rdp}) {
        for (const auto& d : set->devices) options.unicastTargets.push_back(d.plain());
    }
    const auto all = core::discoverDevices(options);
    EXPECT_EQ(ids(all), (std::set<std::string>{jw[0].id.toString(), jw[1].id.toString(), rdp[0].id.toString()}));
    for (const auto& d : all.devices) {
        if (d.deviceId == rdp[0].id) {
            EXPECT_EQ(d.name, "Hall light");
            EXPECT_EQ(d.oxms, std::vector<int>{core::oxm::kRandomPin});
            EXPECT_EQ(d.securePort, rdp[0].securePort);
            EXPECT_EQ(d.deviceTypes, std::vector<std::string>{"oic.d.light"});
        }
        if (d.deviceId == jw[1].id) {
            EXPECT_TRUE(d.owned);
            EXPECT_EQ(d.owner, gateway);
            EXPECT_EQ(d.securePort, jw[1].securePort);  // found through the anon-clear ACE on /oic/res
        }
    }

    options.scope = core::DiscoveryScope::Unowned;
    EXPECT_EQ(ids(core::discoverDevices(options)), (std::set<std::string>{jw[0].id.toString(), rdp[0].id.toString()}));
    options.scope = core::DiscoveryScope::Owned;
    EXPECT_EQ(ids(core::discoverDevices(options)), (std::set<std::string>{jw[1].id.toString()}));
    options.owner = core::Uuid::randomPskUsable();  // owned by someone else: not ours
    EXPECT_TRUE(core::discoverDevices(options).devices.empty());
}

TEST(DeviceProcessDiscovery, ASilentAddressDoesNotHideTheOthers) {
    TempDir dir;
    auto running = startDevices({"--svrdb", (dir / "d.dat").string()});
    core::DiscoveryOptions options;
    options.timeout = 1500ms;
    options.unicastTargets = {running[0].plain(), {"127.0.0.1", 9}};  // discard port: nobody answers
    const auto started = std::chrono::steady_clock::now();
    const auto result = core::discoverDevices(options);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    ASSERT_EQ(result.devices.size(), 1U);
    EXPECT_EQ(result.devices[0].deviceId, running[0].id);
}

}  // namespace
}  // namespace steward::test
