// The device's credential store (core/idprov/device_credentials.cpp): files and modes, atomic
// replacement, what load() makes of missing or mismatched files, and the pending key.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "steward/crypto/certificate_authority.hpp"
#include "steward/idprov/device_credentials.hpp"
#include "support/temp_dir.hpp"

namespace steward::idprov {
namespace {

namespace fs = std::filesystem;
using core::CertificateAuthority;
using core::CertificateProfile;
using core::CryptoError;
using core::PrivateKey;

unsigned modeOf(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0xFFFF;
    return st.st_mode & 07777;
}

std::set<std::string> filesIn(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

class DeviceCredentialStoreTest : public ::testing::Test {
protected:
    DeviceCredentialStoreTest() : ca(CertificateAuthority::openOrCreate(caDir / "ca")) {}

    DeviceCredentials issue(const std::string& deviceId) {
        CertificateProfile profile;
        profile.commonName = deviceId;
        profile.organizationalUnit = "iotdevice";
        profile.usage = core::CertificateUsage::Client;
        const auto identity = ca.issueWithNewKey(profile);
        return DeviceCredentials{identity.key, identity.certificate, ca.chainPem()};
    }

    test::TempDir caDir;
    test::TempDir dir;
    CertificateAuthority ca;
};

TEST_F(DeviceCredentialStoreTest, PathsAreInTheDirectory) {
    const DeviceCredentialStore store(dir / "creds");
    EXPECT_EQ(store.directory(), dir / "creds");
    EXPECT_EQ(store.keyFile(), dir / "creds" / "key.pem");
    EXPECT_EQ(store.certificateFile(), dir / "creds" / "cert.pem");
    EXPECT_EQ(store.caFile(), dir / "creds" / "ca.pem");
    EXPECT_EQ(store.pendingKeyFile(), dir / "creds" / "pending-key.pem");
}

TEST_F(DeviceCredentialStoreTest, NothingStoredLoadsAsNothing) {
    const DeviceCredentialStore store(dir / "missing" / "creds");
    EXPECT_FALSE(store.load());
    EXPECT_FALSE(store.loadCaPem());
    EXPECT_FALSE(fs::exists(dir / "missing"));  // looking creates nothing
    EXPECT_NO_THROW(store.clearPendingKey());
}

TEST_F(DeviceCredentialStoreTest, SaveCreatesPrivateDirectoryAndFiles) {
    const DeviceCredentialStore store(dir / "nested" / "creds");
    const DeviceCredentials creds = issue("sensor-01");
    store.save(creds);
    EXPECT_EQ(modeOf(store.directory()), 0700u);
    EXPECT_EQ(modeOf(store.keyFile()), 0600u);
    EXPECT_EQ(modeOf(store.certificateFile()), 0600u);
    EXPECT_EQ(modeOf(store.caFile()), 0600u);
    EXPECT_EQ(filesIn(store.directory()), (std::set<std::string>{"key.pem", "cert.pem", "ca.pem"}));

    const auto loaded = store.load();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->certificate.der(), creds.certificate.der());
    EXPECT_EQ(loaded->key.der(), creds.key.der());
    EXPECT_EQ(loaded->caPem, creds.caPem);
    EXPECT_EQ(store.loadCaPem(), creds.caPem);
}

TEST_F(DeviceCredentialStoreTest, ExistingDirectoryKeepsItsMode) {
    fs::create_directories(dir / "shared");
    fs::permissions(dir / "shared", fs::perms(0755), fs::perm_options::replace);
    const DeviceCredentialStore store(dir / "shared");
    store.save(issue("sensor-01"));
    EXPECT_EQ(modeOf(dir / "shared"), 0755u);
    EXPECT_EQ(modeOf(store.keyFile()), 0600u);
}

TEST_F(DeviceCredentialStoreTest, SavingAgainReplacesEverythingAtomically) {
    const DeviceCredentialStore store(dir / "creds");
    store.save(issue("sensor-01"));
    const DeviceCredentials renewed = issue("sensor-01");
    store.save(renewed);
    const auto loaded = store.load();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->certificate.der(), renewed.certificate.der());
    EXPECT_EQ(loaded->key.der(), renewed.key.der());
    // No temporary files are left behind.
    EXPECT_EQ(filesIn(store.directory()), (std::set<std::string>{"key.pem", "cert.pem", "ca.pem"}));
}

// A renewal interrupted before its commit point (the key not yet renamed) keeps the old set.
TEST_F(DeviceCredentialStoreTest, ACrashBeforeTheCommitKeepsTheOldCredentials) {
    const DeviceCredentialStore store(dir / "creds");
    const DeviceCredentials old = issue("sensor-01");
    store.save(old);
    const DeviceCredentials renewed = issue("sensor-01");
    // What a crash after staging two of the three files leaves.
    std::ofstream(store.keyFile().string() + ".next") << renewed.key.pem();
    std::ofstream(store.caFile().string() + ".next") << renewed.caPem;
    const auto loaded = store.load();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->certificate.der(), old.certificate.der());
    EXPECT_EQ(loaded->key.der(), old.key.der());
    EXPECT_EQ(filesIn(store.directory()), (std::set<std::string>{"key.pem", "cert.pem", "ca.pem"}));
}

// Interrupted after the commit point (the new key in place, the certificate still staged): the
// commit is finished, so key and certificate belong together.
TEST_F(DeviceCredentialStoreTest, ACrashAfterTheCommitPointIsRolledForward) {
    const DeviceCredentialStore store(dir / "creds");
    store.save(issue("sensor-01"));
    const DeviceCredentials renewed = issue("sensor-01");
    std::ofstream(store.keyFile()) << renewed.key.pem();
    std::ofstream(store.caFile().string() + ".next") << renewed.caPem;
    std::ofstream(store.certificateFile().string() + ".next") << renewed.certificate.pem();
    const auto loaded = store.load();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->certificate.der(), renewed.certificate.der());
    EXPECT_TRUE(loaded->key.matches(loaded->certificate));
    EXPECT_EQ(filesIn(store.directory()), (std::set<std::string>{"key.pem", "cert.pem", "ca.pem"}));
}

TEST_F(DeviceCredentialStoreTest, SaveRefusesAKeyThatDoesNotMatch) {
    const DeviceCredentialStore store(dir / "creds");
    DeviceCredentials creds = issue("sensor-01");
    creds.key = PrivateKey::generateEcKey();
    EXPECT_THROW(store.save(creds), CryptoError);
    EXPECT_FALSE(fs::exists(store.certificateFile()));
    DeviceCredentials badCa = issue("sensor-01");
    badCa.caPem = "not a certificate";
    EXPECT_THROW(store.save(badCa), CryptoError);
    EXPECT_FALSE(fs::exists(store.certificateFile()));
}

TEST_F(DeviceCredentialStoreTest, MismatchedKeyOnDiskIsACryptoError) {
    const DeviceCredentialStore store(dir / "creds");
    store.save(issue("sensor-01"));
    const std::string other = PrivateKey::generateEcKey().pem();
    std::ofstream(store.keyFile(), std::ios::trunc) << other;
    EXPECT_THROW(store.load(), CryptoError);
}

TEST_F(DeviceCredentialStoreTest, IncompleteOrDamagedSetsAreErrors) {
    const DeviceCredentialStore store(dir / "creds");
    store.save(issue("sensor-01"));
    fs::remove(store.keyFile());
    EXPECT_THROW(store.load(), CryptoError);

    store.save(issue("sensor-01"));
    fs::remove(store.caFile());
    EXPECT_THROW(store.load(), CryptoError);

    store.save(issue("sensor-01"));
    std::ofstream(store.certificateFile(), std::ios::trunc) << "garbage";
    EXPECT_THROW(store.load(), CryptoError);

    store.save(issue("sensor-01"));
    std::ofstream(store.caFile(), std::ios::trunc) << "garbage";
    EXPECT_THROW(store.load(), CryptoError);

    // Key and CA without the certificate: a save that did not finish; nothing is stored.
    store.save(issue("sensor-01"));
    fs::remove(store.certificateFile());
    EXPECT_FALSE(store.load());
}

TEST_F(DeviceCredentialStoreTest, PendingKeyPersistsAcrossInstances) {
    const PrivateKey first = DeviceCredentialStore(dir / "creds").pendingKey();
    EXPECT_EQ(modeOf(dir / "creds"), 0700u);
    EXPECT_EQ(modeOf(dir / "creds" / "pending-key.pem"), 0600u);
    const PrivateKey again = DeviceCredentialStore(dir / "creds").pendingKey();
    EXPECT_EQ(first.der(), again.der());
    EXPECT_EQ(first.typeName(), "EC P-256");

    DeviceCredentialStore(dir / "creds").clearPendingKey();
    EXPECT_FALSE(fs::exists(dir / "creds" / "pending-key.pem"));
    const PrivateKey fresh = DeviceCredentialStore(dir / "creds").pendingKey();
    EXPECT_NE(fresh.der(), first.der());
}

TEST_F(DeviceCredentialStoreTest, PendingKeyDoesNotCountAsCredentials) {
    const DeviceCredentialStore store(dir / "creds");
    (void)store.pendingKey();
    EXPECT_FALSE(store.load());
    EXPECT_FALSE(store.loadCaPem());
}

TEST_F(DeviceCredentialStoreTest, DamagedPendingKeyIsACryptoError) {
    const DeviceCredentialStore store(dir / "creds");
    (void)store.pendingKey();
    std::ofstream(store.pendingKeyFile(), std::ios::trunc) << "garbage";
    EXPECT_THROW(store.pendingKey(), CryptoError);
}

}  // namespace
}  // namespace steward::idprov
