// Discovery of real steward-device processes over loopback unicast, in all three scopes.
#include <gtest/gtest.h>

#include <set>

#include "core/discovery/fake_device.hpp"
#include "device_fixture.hpp"
#include "steward/discovery/device_discovery.hpp"
#include "steward/model/doxm.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/onboarding/ownership_transfer.hpp"
#include "steward/provisioning/owned_discovery.hpp"
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
    // An owned device no longer answers anonymous doxm reads: without the gateway's records it is
    // not found at all.
    EXPECT_EQ(ids(core::discoverDevices(options)), (std::set<std::string>{jw[0].id.toString(), rdp[0].id.toString()}));

    // With them, it is found through its /oic/res doxm link, as an owned device to confirm.
    options.owner = gateway;
    options.ownedDevices = {jw[1].id};
    const auto all = core::discoverDevices(options);
    EXPECT_EQ(ids(all), (std::set<std::string>{jw[0].id.toString(), jw[1].id.toString(), rdp[0].id.toString()}));
    for (const auto& d : all.devices) {
        if (d.deviceId == rdp[0].id) {
            EXPECT_EQ(d.name, "Hall light");
            EXPECT_EQ(d.oxms, std::vector<int>{core::oxm::kRandomPin});
            EXPECT_EQ(d.securePort, rdp[0].securePort);
            EXPECT_EQ(d.deviceTypes, std::vector<std::string>{"oic.d.light"});
            EXPECT_TRUE(d.ownerConfirmed);
        }
        if (d.deviceId == jw[1].id) {
            EXPECT_TRUE(d.owned);
            EXPECT_EQ(d.owner, gateway);
            EXPECT_FALSE(d.ownerConfirmed);
            EXPECT_EQ(d.securePort, jw[1].securePort);  // found through the anon-clear ACE on /oic/res
            EXPECT_EQ(d.deviceTypes, std::vector<std::string>{"oic.d.light"});
        }
    }

    options.scope = core::DiscoveryScope::Unowned;
    EXPECT_EQ(ids(core::discoverDevices(options)), (std::set<std::string>{jw[0].id.toString(), rdp[0].id.toString()}));
    options.scope = core::DiscoveryScope::Owned;
    EXPECT_EQ(ids(core::discoverDevices(options)), (std::set<std::string>{jw[1].id.toString()}));
    options.ownedDevices.clear();
    EXPECT_TRUE(core::discoverDevices(options).devices.empty());
}

// An owned device found only by its /oic/res link is believed only once it answers over the
// owner credential: an impostor that names our device in its link (to draw our owner sessions to
// itself) is dropped, and the real device at its own address is confirmed.
TEST(DeviceProcessDiscovery, AnImpostorLinkForOurDeviceIsNotConfirmed) {
    TempDir dir;
    auto running = startDevices({"--svrdb", (dir / "d.dat").string()});
    auto identity = core::GatewayIdentity::openOrCreate(dir / "gateway.svrdb");
    core::EndpointOptions o;
    o.udpPort = std::nullopt;
    core::CoapEndpoint client(o);
    core::OwnershipRequest own;
    own.gatewayId = identity.id();
    own.securityDomain = identity.securityDomain();
    own.plain = running[0].plain();
    own.secure = running[0].secure();
    own.persistOwnerCredential = [&](const core::Uuid& id, const core::SecretBytes& psk) {
        identity.storeOwnerCredential(id, psk.bytes());
        return true;
    };
    ASSERT_TRUE(core::transferOwnership(client, own).ok);

    FakeBehaviour liar;
    liar.doxm.deviceuuid = running[0].id;
    liar.answerDoxm = false;
    liar.securePort = running[0].securePort;  // even our device's port number, on its own address
    FakeDevice impostor("127.0.0.2", liar);

    core::DiscoveryOptions options;
    options.scope = core::DiscoveryScope::Owned;
    options.timeout = 2s;
    options.owner = identity.id();
    options.ownedDevices = identity.devicesWithCredentials();
    options.unicastTargets = {impostor.address()};
    auto found = core::discoverDevices(options).devices;
    ASSERT_EQ(found.size(), 1U);
    EXPECT_FALSE(found[0].ownerConfirmed);
    std::vector<std::string> log;
    core::confirmOwnedDevices(client, identity, found, 2s, [&](const std::string& l) { log.push_back(l); });
    EXPECT_TRUE(found.empty());
    ASSERT_EQ(log.size(), 1U);
    EXPECT_NE(log[0].find("not confirmed as ours"), std::string::npos) << log[0];

    options.unicastTargets = {running[0].plain()};
    found = core::discoverDevices(options).devices;
    ASSERT_EQ(found.size(), 1U);
    EXPECT_FALSE(found[0].ownerConfirmed);  // a steward-device, too, keeps doxm to its owner once owned
    core::confirmOwnedDevices(client, identity, found, 3s, nullptr);
    ASSERT_EQ(found.size(), 1U);
    EXPECT_TRUE(found[0].ownerConfirmed);
    EXPECT_EQ(found[0].owner, identity.id());
    EXPECT_EQ(found[0].oxms, std::vector<int>{core::oxm::kJustWorks});
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
