// The Direct Pairing provider as the host loads it (the real plugin from the build tree), on
// requests that fail before a device answers: nothing changes, the error says why, and the PIN is
// in no line. What a real device does with pconf is in tests/tools (steward-device).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steward/gateway/gateway_state.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace steward::core;
using ::testing::HasSubstr;
using ::testing::Not;

Uuid uuidNo(std::uint8_t n) {
    Uuid::Bytes b{};
    b.fill(0x6b);
    b[0] = n;
    return Uuid(b);
}

class DirectPairingProvider : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(gateway.registry.pairingProvider()) << "directpairing.so is not in " STEWARD_PLUGIN_DIR;
        DeviceRecord d;
        d.id = uuidNo(1);
        d.name = "light";
        d.address = "127.0.0.1";
        d.port = 9;
        d.securePort = 9;  // nothing listens, and the gateway holds no owner credential for it
        d.state = DeviceRecordState::Owned;
        gateway.pdm->putDevice(d);
        d.id = uuidNo(2);
        d.state = DeviceRecordState::Pending;
        gateway.pdm->putDevice(d);
    }

    DirectPairingConfig config() const {
        DirectPairingConfig c;
        c.methods = {pairing_method::kPreconfiguredPin};
        c.pin = SecretBytes::fromText("86420135");
        AceResource light;
        light.href = "/a/light";
        c.pdacl = {PdAce{{light}, permission::kRead | permission::kUpdate, {}, {}}};
        return c;
    }

    void expectNoPin(const ProvisioningOutcome& o) {
        EXPECT_THAT(o.error, Not(HasSubstr("86420135")));
        for (const auto& l : o.done) EXPECT_THAT(l, Not(HasSubstr("86420135")));
        for (const auto& l : o.deferred) EXPECT_THAT(l, Not(HasSubstr("86420135")));
        for (const auto& l : progress) EXPECT_THAT(l, Not(HasSubstr("86420135")));
    }

    TempDir dir;
    GatewayState gateway{dir / "state", STEWARD_PLUGIN_DIR};
    std::vector<std::string> progress;
    ProvisioningContext ctx = gateway.provisioning([this](const std::string& l) { progress.push_back(l); });
};

TEST_F(DirectPairingProvider, RefusesABadConfigurationBeforeLookingForTheDevice) {
    auto c = config();
    AceResource cred;
    cred.href = "/oic/sec/cred";
    c.pdacl[0].resources.push_back(cred);
    const auto o = gateway.pairing()->configure(ctx, uuidNo(1), c);
    EXPECT_FALSE(o.ok);
    EXPECT_THAT(o.error, HasSubstr("/oic/sec/cred is a security resource"));
    EXPECT_TRUE(progress.empty());  // no session was opened
    expectNoPin(o);
}

TEST_F(DirectPairingProvider, NeedsAnOwnedDeviceOfThePdm) {
    auto o = gateway.pairing()->configure(ctx, uuidNo(7), config());
    EXPECT_FALSE(o.ok);
    EXPECT_THAT(o.error, HasSubstr("unknown device " + uuidNo(7).toString()));
    o = gateway.pairing()->configure(ctx, uuidNo(2), config());
    EXPECT_FALSE(o.ok);
    EXPECT_THAT(o.error, HasSubstr("is not owned yet"));
    o = gateway.pairing()->disable(ctx, uuidNo(7));
    EXPECT_FALSE(o.ok);
    EXPECT_THAT(o.error, HasSubstr("unknown device"));
    EXPECT_TRUE(progress.empty());
}

TEST_F(DirectPairingProvider, ADeviceItCannotReachFailsCleanlyWithoutThePin) {
    const auto o = gateway.pairing()->configure(ctx, uuidNo(1), config());
    EXPECT_FALSE(o.ok);
    EXPECT_THAT(o.error, HasSubstr(uuidNo(1).toString()));
    expectNoPin(o);
}

TEST_F(DirectPairingProvider, SyncKeepsTheRecordsOfADeviceItCannotAsk) {
    gateway.pdm->putDirectLink(uuidNo(1), uuidNo(9));
    const auto o = gateway.pairing()->syncPairings(ctx);
    EXPECT_TRUE(o.ok) << o.error;
    ASSERT_EQ(o.deferred.size(), 1u);  // the pending device is not asked
    EXPECT_THAT(o.deferred[0], HasSubstr(uuidNo(1).toString()));
    EXPECT_TRUE(o.done.empty());
    const auto l = gateway.pdm->link(uuidNo(1), uuidNo(9));
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->direct);
}

}  // namespace
}  // namespace steward::test
