// The gateway's own store: a stable, PSK-usable UUID and owner credentials that survive reopening,
// kept in the owner-key log beside the store, moved there from where an older version kept them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "owner_key_log_support.hpp"
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

std::vector<std::uint8_t> key(std::uint8_t fill) { return std::vector<std::uint8_t>(16, fill); }

Cred pskCred(int credid, const CredSubject& subject, std::vector<std::uint8_t> psk) {
    Cred c;
    c.credid = credid;
    c.credtype = credtype::kSymmetricPairwise;
    c.subjectuuid = subject;
    c.privatedata = EncodedData{std::move(psk), encoding::kRaw};
    return c;
}

bool anyCredFor(const std::filesystem::path& store, const Uuid& device) {
    const auto db = SvrDatabase::open(store, SvrAccess::ReadOnly);
    const auto& creds = db.resources().cred.creds;
    return std::any_of(creds.begin(), creds.end(), [&](const Cred& c) { return !c.subjectuuid.wildcard && c.subjectuuid.uuid == device; });
}

TEST(GatewayIdentity, KeepsOwnerKeysInThePrivateLogNotInTheStore) {
    test::TempDir dir;
    const auto file = dir / "gateway.svrdb";
    const Uuid device = Uuid::randomPskUsable();
    {
        auto identity = GatewayIdentity::openOrCreate(file);
        identity.storeOwnerCredential(device, key(7));
    }
    EXPECT_FALSE(anyCredFor(file, device));
    const auto log = OwnerKeyLog::read(dir / "gateway.svrdb.keys");
    ASSERT_NE(log.find(device), nullptr);
    EXPECT_TRUE(log.find(device)->equals(key(7)));
    struct stat st {};
    ASSERT_EQ(::stat((dir / "gateway.svrdb.keys").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
}

// A store as an older version left it: the gateway's identity and its owner PSKs in one file.
struct OldStore {
    Uuid a = Uuid::randomPskUsable(), b = Uuid::randomPskUsable(), c = Uuid::randomPskUsable();
    static constexpr int kWildcardCredid = 4;

    explicit OldStore(const std::filesystem::path& file) {
        auto db = SvrDatabase::create(file, factoryResources(Uuid::randomPskUsable(), DeviceProfile{}));
        db.modify([&](SecurityResources& r) {
            r.cred.creds.push_back(pskCred(1, {a, false}, key(0xA)));
            r.cred.creds.push_back(pskCred(2, {b, false}, key(0xB)));
            r.cred.creds.push_back(pskCred(3, {c, false}, key(0xC)));
            r.cred.creds.push_back(pskCred(kWildcardCredid, {Uuid(), true}, key(0xF)));  // not an owner credential
        });
    }
    // The store holds no owner credential any more, and still everything else.
    static void expectMoved(const std::filesystem::path& file) {
        const auto db = SvrDatabase::open(file, SvrAccess::ReadOnly);
        ASSERT_EQ(db.resources().cred.creds.size(), 1U);
        EXPECT_EQ(db.resources().cred.creds[0].credid, kWildcardCredid);
    }
    void expectKeys(const GatewayIdentity& identity) const {
        EXPECT_EQ(identity.devicesWithCredentials().size(), 3U);
        for (const auto& [device, fill] : {std::pair{a, 0xA}, std::pair{b, 0xB}, std::pair{c, 0xC}}) {
            const auto psk = identity.ownerCredential(device);
            ASSERT_TRUE(psk) << device.toString();
            EXPECT_TRUE(psk->equals(key(static_cast<std::uint8_t>(fill)))) << device.toString();
        }
    }
};

TEST(GatewayIdentity, MovesOwnerCredentialsFromAnOlderStoreIntoTheLog) {
    test::TempDir dir;
    const auto file = dir / "gateway.svrdb";
    const OldStore old(file);
    const Uuid id = SvrDatabase::open(file, SvrAccess::ReadOnly).resources().doxm.deviceuuid;
    {
        const auto identity = GatewayIdentity::openOrCreate(file);
        EXPECT_EQ(identity.id(), id);
        old.expectKeys(identity);
    }
    OldStore::expectMoved(file);
    EXPECT_EQ(OwnerKeyLog::read(dir / "gateway.svrdb.keys").records(), 3U);
    const auto again = GatewayIdentity::openOrCreate(file);  // nothing left to move
    old.expectKeys(again);
    EXPECT_EQ(OwnerKeyLog::read(dir / "gateway.svrdb.keys").records(), 3U);
}

// The move's append is done, its store rewrite is not: the next open finishes it, with the same
// keys, and appends none twice.
TEST(GatewayIdentity, ACrashBetweenTheMovesAppendAndTheStoreRewriteIsHarmless) {
    test::TempDir dir;
    const auto file = dir / "gateway.svrdb";
    const OldStore old(file);
    {
        auto log = OwnerKeyLog::open(dir / "gateway.svrdb.keys");
        log.putAll({{old.a, key(0xA)}, {old.b, key(0xB)}, {old.c, key(0xC)}});
    }
    EXPECT_TRUE(anyCredFor(file, old.a));
    {
        const auto identity = GatewayIdentity::openOrCreate(file);
        old.expectKeys(identity);
    }
    OldStore::expectMoved(file);
    EXPECT_EQ(OwnerKeyLog::read(dir / "gateway.svrdb.keys").records(), 3U);
}

// A key in the store newer than the log's (written by a downgraded version) wins.
TEST(GatewayIdentity, TheStoresKeyWinsOverAnOlderOneInTheLog) {
    test::TempDir dir;
    const auto file = dir / "gateway.svrdb";
    const OldStore old(file);
    { OwnerKeyLog::open(dir / "gateway.svrdb.keys").put(old.a, key(0x55)); }
    const auto identity = GatewayIdentity::openOrCreate(file);
    old.expectKeys(identity);
}

TEST(GatewayIdentity, AFailedStoreOrRemovalChangesNothing) {
    test::TempDir dir;
    const auto file = dir / "gateway.svrdb";
    const auto keys = dir / "gateway.svrdb.keys";
    const Uuid kept = Uuid::randomPskUsable();
    const Uuid added = Uuid::randomPskUsable();
    auto identity = GatewayIdentity::openOrCreate(file);
    identity.storeOwnerCredential(kept, key(1));
    const auto storeBefore = test::bytesOf(file);
    const auto keysBefore = test::bytesOf(keys);
    {
        test::FileSizeLimit limit(keysBefore.size() + 3);
        EXPECT_THROW(identity.storeOwnerCredential(added, key(2)), SvrDbError);
        EXPECT_THROW(identity.storeOwnerCredential(kept, key(3)), SvrDbError);
        EXPECT_THROW(identity.removeOwnerCredential(kept), SvrDbError);
    }
    EXPECT_FALSE(identity.ownerCredential(added));
    ASSERT_TRUE(identity.ownerCredential(kept));
    EXPECT_TRUE(identity.ownerCredential(kept)->equals(key(1)));
    EXPECT_EQ(identity.devicesWithCredentials(), std::vector<Uuid>{kept});
    EXPECT_EQ(test::bytesOf(file), storeBefore);
    EXPECT_EQ(test::bytesOf(keys), keysBefore);
}

TEST(GatewayIdentity, RefusesALogWhoseStoreIsGone) {
    test::TempDir dir;
    const auto file = dir / "gateway.svrdb";
    { GatewayIdentity::openOrCreate(file).storeOwnerCredential(Uuid::randomPskUsable(), key(1)); }
    std::filesystem::remove(file);
    const auto keys = test::bytesOf(dir / "gateway.svrdb.keys");
    EXPECT_THROW(GatewayIdentity::openOrCreate(file), SvrDbError);
    EXPECT_FALSE(std::filesystem::exists(file));
    EXPECT_EQ(test::bytesOf(dir / "gateway.svrdb.keys"), keys);
}

TEST(GatewayIdentity, StoresFromManyThreadsAllLand) {
    test::TempDir dir;
    const auto file = dir / "gateway.svrdb";
    std::vector<Uuid> devices(200);
    for (auto& d : devices) d = Uuid::randomPskUsable();
    {
        auto identity = GatewayIdentity::openOrCreate(file);
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (std::size_t i = t; i < devices.size(); i += 4)
                    identity.storeOwnerCredential(devices[i], key(static_cast<std::uint8_t>(i)));
            });
        }
        for (auto& th : threads) th.join();
    }
    const auto identity = GatewayIdentity::openOrCreate(file);
    EXPECT_EQ(identity.devicesWithCredentials().size(), devices.size());
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const auto psk = identity.ownerCredential(devices[i]);
        ASSERT_TRUE(psk);
        EXPECT_TRUE(psk->equals(key(static_cast<std::uint8_t>(i))));
    }
}

}  // namespace
}  // namespace steward::core
