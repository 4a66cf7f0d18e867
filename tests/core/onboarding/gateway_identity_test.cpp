// The gateway's own store: a stable, PSK-usable UUID and owner credentials that survive reopening.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "steward/onboarding/gateway_identity.hpp"
#include "support/temp_dir.hpp"

namespace steward::core {
namespace {

TEST(GatewayIdentity, KeepsItsUuidAndCredentialsAcrossReopening) {
    test::TempDir dir;
    const auto file = dir / "gateway.svrdb";
    const Uuid device = Uuid::randomPskUsable();
    Uuid id;
    {
        auto identity = GatewayIdentity::openOrCreate(file);
        id = identity.id();
        EXPECT_TRUE(id.isPskUsable());
        identity.storeOwnerCredential(device, std::vector<std::uint8_t>(16, 1));
        identity.storeOwnerCredential(device, std::vector<std::uint8_t>(16, 2));  // replaces
    }
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
    auto again = GatewayIdentity::openOrCreate(file);
    EXPECT_EQ(again.id(), id);
    const auto stored = again.ownerCredential(device);
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->equals(std::vector<std::uint8_t>(16, 2)));
    EXPECT_EQ(again.devicesWithCredentials().size(), 1U);
    EXPECT_TRUE(again.removeOwnerCredential(device));
    EXPECT_FALSE(again.removeOwnerCredential(device));
    EXPECT_FALSE(again.ownerCredential(device));
}

TEST(GatewayIdentity, ASecondWriterIsRefused) {
    test::TempDir dir;
    auto first = GatewayIdentity::openOrCreate(dir / "gateway.svrdb");
    EXPECT_THROW(GatewayIdentity::openOrCreate(dir / "gateway.svrdb"), SvrDbError);
}

}  // namespace
}  // namespace steward::core
