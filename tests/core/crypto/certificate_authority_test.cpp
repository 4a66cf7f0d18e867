// CertificateAuthority: creating the CA on first start (files, modes, extensions), reopening it,
// issuing (fields, extensions, validity, serials, from several threads), verification against
// the CA and against the real `openssl verify`, and the refusals (a key others can read, a
// corrupt or non-CA certificate, a key that does not match); plus the PublicKey/PrivateKey
// additions the CA relies on. Each test works in a fresh temp dir.
#include "steward/crypto/certificate_authority.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <thread>

#include "steward/model/uuid.hpp"
#include "steward/util/atomic_file.hpp"
#include "support/temp_dir.hpp"

namespace steward::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
namespace fs = std::filesystem;

std::vector<std::uint8_t> readBytes(const fs::path& file) { return readWholeFile(file, 1u << 20); }

std::span<const std::uint8_t> asBytes(const std::string& text) { return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}; }

void writeText(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
}

unsigned modeOf(const fs::path& file) {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return static_cast<unsigned>(st.st_mode & 07777);
}

std::string expectCryptoError(const std::function<void()>& call) {
    try {
        call();
    } catch (const CryptoError& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected CryptoError";
    return {};
}

// Seconds from `from` to `to`.
long long secondsBetween(const ASN1_TIME* from, const ASN1_TIME* to) {
    int days = 0;
    int secs = 0;
    EXPECT_EQ(ASN1_TIME_diff(&days, &secs, from, to), 1);
    return static_cast<long long>(days) * 86400 + secs;
}

long long secondsFromNow(const ASN1_TIME* t) { return secondsBetween(nullptr, t); }

bool extensionCritical(const Certificate& cert, int nid) {
    const int index = X509_get_ext_by_NID(cert.native(), nid, -1);
    EXPECT_GE(index, 0) << OBJ_nid2sn(nid) << " missing";
    if (index < 0) return false;
    return X509_EXTENSION_get_critical(X509_get_ext(cert.native(), index)) == 1;
}

std::string asnHex(const ASN1_OCTET_STRING* s) {
    if (s == nullptr) return {};
    std::string out;
    char buf[3];
    for (int i = 0; i < ASN1_STRING_length(s); ++i) {
        std::snprintf(buf, sizeof buf, "%02x", ASN1_STRING_get0_data(s)[i]);
        out += buf;
    }
    return out;
}

CertificateProfile deviceProfile(const std::string& cn = "device-1234") {
    CertificateProfile p;
    p.commonName = cn;
    p.organizationalUnit = "iotdevice";
    p.validity = std::chrono::hours(24 * 30);
    p.usage = CertificateUsage::Client;
    return p;
}

struct CommandResult {
    int exitCode = -1;
    std::string output;
};

// Runs a shell command line (arguments here are temp paths without shell metacharacters).
CommandResult runCommand(const std::string& commandLine) {
    CommandResult result;
    FILE* pipe = ::popen((commandLine + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return result;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr) result.output += buf;
    const int status = ::pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

class CertificateAuthorityTest : public ::testing::Test {
protected:
    test::TempDir tmp;
    fs::path dir = tmp / "ca";
    fs::path keyFile = dir / "ca.key";
    fs::path certFile = dir / "ca.crt";
};

// ---- creating and reopening ----

TEST_F(CertificateAuthorityTest, CreatesCaOnFirstStartWithPrivateKeyFile) {
    const CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    EXPECT_EQ(modeOf(dir), 0700u);
    EXPECT_EQ(modeOf(keyFile), 0600u);
    EXPECT_EQ(modeOf(certFile), 0600u);  // everything in the state directory is 0600 (issue 20)

    const Certificate cert = ca.certificate();
    const CertificateSummary s = cert.summary();
    EXPECT_EQ(s.subject, "CN=Steward Gateway CA");
    EXPECT_EQ(s.issuer, s.subject);
    EXPECT_EQ(s.keyType, "EC P-256");
    EXPECT_TRUE(s.isCa);
    EXPECT_EQ(ca.chainPem(), cert.pem());
    EXPECT_EQ(Certificate::load(certFile).summary().sha256Fingerprint, s.sha256Fingerprint);

    // The key on disk is the certificate's, as PKCS#8 PEM.
    const std::vector<std::uint8_t> keyBytes = readBytes(keyFile);
    EXPECT_THAT(std::string(keyBytes.begin(), keyBytes.end()), StartsWith("-----BEGIN PRIVATE KEY-----\n"));
    EXPECT_TRUE(PrivateKey::load(keyFile).matches(cert));
}

TEST_F(CertificateAuthorityTest, CaCertificateHasCaExtensionsValidityAndRandomSerial) {
    const Certificate cert = CertificateAuthority::openOrCreate(dir, "Home CA").certificate();
    X509* x = cert.native();
    EXPECT_EQ(cert.summary().subject, "CN=Home CA");
    EXPECT_EQ(X509_get_version(x), X509_VERSION_3);

    EXPECT_TRUE(extensionCritical(cert, NID_basic_constraints));
    EXPECT_NE(X509_get_extension_flags(x) & EXFLAG_CA, 0u);
    EXPECT_EQ(X509_get_pathlen(x), 0);
    EXPECT_TRUE(extensionCritical(cert, NID_key_usage));
    EXPECT_EQ(X509_get_key_usage(x), static_cast<std::uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
    ASSERT_NE(X509_get0_subject_key_id(x), nullptr);
    EXPECT_EQ(asnHex(X509_get0_authority_key_id(x)), asnHex(X509_get0_subject_key_id(x)));
    EXPECT_EQ(X509_check_issued(x, x), X509_V_OK);  // self-signed, and the signature checks out

    // Ten years (and a little backdating), starting now.
    EXPECT_LE(secondsFromNow(X509_get0_notBefore(x)), 0);
    EXPECT_GT(secondsFromNow(X509_get0_notBefore(x)), -3600);
    const long long span = secondsBetween(X509_get0_notBefore(x), X509_get0_notAfter(x));
    EXPECT_GE(span, 3650LL * 86400);
    EXPECT_LE(span, 3654LL * 86400);

    // 128-bit, positive serial.
    const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
    EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);  // V_ASN1_NEG_INTEGER if negative
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(ASN1_INTEGER_to_BN(serial, nullptr), &BN_free);
    EXPECT_LE(BN_num_bits(bn.get()), 128);
    EXPECT_GT(BN_num_bits(bn.get()), 64);  // fails with probability 2^-64
}

TEST_F(CertificateAuthorityTest, ReopeningGivesTheSameCaAndRewritesNothing) {
    const std::string fingerprint = CertificateAuthority::openOrCreate(dir).certificate().summary().sha256Fingerprint;
    const auto keyBefore = readBytes(keyFile);
    const auto certBefore = readBytes(certFile);

    const CertificateAuthority again = CertificateAuthority::openOrCreate(dir, "Another Name");
    EXPECT_EQ(again.certificate().summary().sha256Fingerprint, fingerprint);
    EXPECT_EQ(again.certificate().summary().subject, "CN=Steward Gateway CA");  // the name is only for creation
    EXPECT_EQ(readBytes(keyFile), keyBefore);
    EXPECT_EQ(readBytes(certFile), certBefore);

    // A leaf issued before the restart still verifies after it.
    CertificateAuthority first = CertificateAuthority::openOrCreate(dir);
    const Certificate leaf = first.issueWithNewKey(deviceProfile()).certificate;
    EXPECT_TRUE(again.verifies(leaf));
}

TEST_F(CertificateAuthorityTest, AcceptsReadOnlyKeyFile) {
    CertificateAuthority::openOrCreate(dir);
    fs::permissions(keyFile, fs::perms::owner_read, fs::perm_options::replace);
    EXPECT_NO_THROW(CertificateAuthority::openOrCreate(dir));
}

TEST_F(CertificateAuthorityTest, MissingCertificateIsMadeAgainForTheExistingKey) {
    CertificateAuthority::openOrCreate(dir);
    const auto keyBefore = readBytes(keyFile);
    fs::remove(certFile);

    const CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    EXPECT_EQ(readBytes(keyFile), keyBefore);
    EXPECT_TRUE(PrivateKey::load(keyFile).matches(ca.certificate()));
    EXPECT_EQ(Certificate::load(certFile).summary().sha256Fingerprint, ca.certificate().summary().sha256Fingerprint);
}

// ---- refusals: nothing is overwritten ----

TEST_F(CertificateAuthorityTest, RefusesKeyFileReadableByOthers) {
    CertificateAuthority::openOrCreate(dir);
    fs::permissions(keyFile, static_cast<fs::perms>(0644), fs::perm_options::replace);
    const auto keyBefore = readBytes(keyFile);
    const std::string message = expectCryptoError([&] { CertificateAuthority::openOrCreate(dir); });
    EXPECT_THAT(message, HasSubstr(keyFile.string()));
    EXPECT_THAT(message, HasSubstr("mode 0644"));
    EXPECT_THAT(message, HasSubstr("0600"));
    EXPECT_THAT(message, Not(HasSubstr("PRIVATE KEY")));
    EXPECT_EQ(readBytes(keyFile), keyBefore);
    EXPECT_EQ(modeOf(keyFile), 0644u);

    fs::permissions(keyFile, static_cast<fs::perms>(0640), fs::perm_options::replace);
    EXPECT_THAT(expectCryptoError([&] { CertificateAuthority::openOrCreate(dir); }), HasSubstr("mode 0640"));
}

TEST_F(CertificateAuthorityTest, RefusesSymlinkedKeyFile) {
    CertificateAuthority::openOrCreate(dir);
    fs::rename(keyFile, tmp / "real.key");
    fs::create_symlink(tmp / "real.key", keyFile);
    EXPECT_THAT(expectCryptoError([&] { CertificateAuthority::openOrCreate(dir); }), HasSubstr("symbolic link"));
}

TEST_F(CertificateAuthorityTest, RefusesKeyFileOwnedBySomeoneElse) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the key file away";
    CertificateAuthority::openOrCreate(dir);
    ASSERT_EQ(::chown(keyFile.c_str(), 65534, 65534), 0);
    const std::string message = expectCryptoError([&] { CertificateAuthority::openOrCreate(dir); });
    EXPECT_THAT(message, HasSubstr(keyFile.string()));
    EXPECT_THAT(message, HasSubstr("owned by uid 65534"));
}

TEST_F(CertificateAuthorityTest, RefusesCorruptCertificateAndLeavesItUntouched) {
    CertificateAuthority::openOrCreate(dir);
    std::string pem = Certificate::load(certFile).pem();
    pem[pem.size() / 2] = '!';  // breaks the base64
    writeText(certFile, pem);
    const auto keyBefore = readBytes(keyFile);

    const std::string message = expectCryptoError([&] { CertificateAuthority::openOrCreate(dir); });
    EXPECT_THAT(message, HasSubstr(certFile.string()));
    const auto certAfter = readBytes(certFile);
    EXPECT_EQ(std::string(certAfter.begin(), certAfter.end()), pem);
    EXPECT_EQ(readBytes(keyFile), keyBefore);

    writeText(certFile, "not a certificate at all");
    EXPECT_THAT(expectCryptoError([&] { CertificateAuthority::openOrCreate(dir); }), HasSubstr(certFile.string()));
    EXPECT_EQ(readBytes(keyFile), keyBefore);
}

TEST_F(CertificateAuthorityTest, RefusesCorruptKeyFile) {
    CertificateAuthority::openOrCreate(dir);
    writeFileAtomically(keyFile, asBytes("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
    const auto certBefore = readBytes(certFile);
    EXPECT_THAT(expectCryptoError([&] { CertificateAuthority::openOrCreate(dir); }), HasSubstr(keyFile.string()));
    EXPECT_EQ(readBytes(certFile), certBefore);
}

TEST_F(CertificateAuthorityTest, RefusesKeyThatDoesNotMatchTheCertificate) {
    CertificateAuthority::openOrCreate(dir);
    const auto certBefore = readBytes(certFile);
    const std::string otherKey = PrivateKey::generateEcKey().pem();
    writeFileAtomically(keyFile, asBytes(otherKey));

    const std::string message = expectCryptoError([&] { CertificateAuthority::openOrCreate(dir); });
    EXPECT_THAT(message, HasSubstr("does not match"));
    EXPECT_THAT(message, HasSubstr(keyFile.string()));
    EXPECT_EQ(readBytes(certFile), certBefore);
    const auto keyAfter = readBytes(keyFile);
    EXPECT_EQ(std::string(keyAfter.begin(), keyAfter.end()), otherKey);
}

TEST_F(CertificateAuthorityTest, RefusesCertificateThatIsNotACa) {
    // A leaf certificate and its key where the CA's should be.
    CertificateAuthority ca = CertificateAuthority::openOrCreate(tmp / "real-ca");
    const IssuedIdentity leaf = ca.issueWithNewKey(deviceProfile());
    fs::create_directory(dir);
    writeFileAtomically(keyFile, asBytes(leaf.key.pem()));
    writeFileAtomically(certFile, asBytes(leaf.certificate.pem()), {0644, {}});

    const std::string message = expectCryptoError([&] { CertificateAuthority::openOrCreate(dir); });
    EXPECT_THAT(message, HasSubstr(certFile.string()));
    EXPECT_THAT(message, HasSubstr("not a CA certificate"));
    EXPECT_EQ(Certificate::load(certFile).summary().sha256Fingerprint, leaf.certificate.summary().sha256Fingerprint);
}

TEST_F(CertificateAuthorityTest, RefusesCertificateWithoutItsKey) {
    CertificateAuthority::openOrCreate(dir);
    const auto certBefore = readBytes(certFile);
    fs::remove(keyFile);
    const std::string message = expectCryptoError([&] { CertificateAuthority::openOrCreate(dir); });
    EXPECT_THAT(message, HasSubstr(keyFile.string()));
    EXPECT_THAT(message, HasSubstr("missing"));
    EXPECT_FALSE(fs::exists(keyFile));
    EXPECT_EQ(readBytes(certFile), certBefore);
}

// ---- issuing ----

TEST_F(CertificateAuthorityTest, IssuedCertificateHasRequestedNameExtensionsAndValidity) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    const PrivateKey deviceKey = PrivateKey::generateEcKey();
    const Certificate cert = ca.issue({deviceProfile(), deviceKey.publicKey()});
    X509* x = cert.native();

    const CertificateSummary s = cert.summary();
    EXPECT_EQ(s.subject, "CN=device-1234,OU=iotdevice");
    EXPECT_EQ(s.issuer, "CN=Steward Gateway CA");
    EXPECT_EQ(s.keyType, "EC P-256");
    EXPECT_FALSE(s.isCa);
    EXPECT_TRUE(deviceKey.matches(cert));
    EXPECT_EQ(X509_get_version(x), X509_VERSION_3);

    EXPECT_EQ(secondsBetween(X509_get0_notBefore(x), X509_get0_notAfter(x)), 30LL * 86400);
    EXPECT_LE(secondsFromNow(X509_get0_notBefore(x)), 0);
    EXPECT_GT(secondsFromNow(X509_get0_notBefore(x)), -3600);

    EXPECT_TRUE(extensionCritical(cert, NID_basic_constraints));
    EXPECT_EQ(X509_get_extension_flags(x) & EXFLAG_CA, 0u);
    EXPECT_TRUE(extensionCritical(cert, NID_key_usage));
    EXPECT_EQ(X509_get_key_usage(x), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT));
    EXPECT_FALSE(extensionCritical(cert, NID_ext_key_usage));
    EXPECT_EQ(X509_get_extended_key_usage(x), static_cast<std::uint32_t>(XKU_SSL_CLIENT));
    ASSERT_NE(X509_get0_subject_key_id(x), nullptr);
    EXPECT_EQ(asnHex(X509_get0_authority_key_id(x)), asnHex(X509_get0_subject_key_id(ca.certificate().native())));

    std::string reason = "stale";
    EXPECT_TRUE(ca.verifies(cert, &reason));
    EXPECT_EQ(reason, "");
}

TEST_F(CertificateAuthorityTest, UsageSelectsExtendedKeyUsage) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    CertificateProfile p = deviceProfile();
    p.organizationalUnit.reset();
    p.usage = CertificateUsage::Server;
    const Certificate server = ca.issueWithNewKey(p).certificate;
    EXPECT_EQ(X509_get_extended_key_usage(server.native()), static_cast<std::uint32_t>(XKU_SSL_SERVER));
    EXPECT_EQ(server.summary().subject, "CN=device-1234");

    p.usage = CertificateUsage::ClientAndServer;
    const Certificate both = ca.issueWithNewKey(p).certificate;
    EXPECT_EQ(X509_get_extended_key_usage(both.native()), static_cast<std::uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));
    EXPECT_EQ(X509_check_purpose(both.native(), X509_PURPOSE_SSL_SERVER, 0), 1);
    EXPECT_EQ(X509_check_purpose(both.native(), X509_PURPOSE_SSL_CLIENT, 0), 1);
    EXPECT_EQ(X509_check_purpose(server.native(), X509_PURPOSE_SSL_CLIENT, 0), 0);
}

TEST_F(CertificateAuthorityTest, SubjectAltNamesAreHostNamesOrAddresses) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    CertificateProfile p = deviceProfile();
    p.usage = CertificateUsage::Server;
    p.subjectAltNames = {"gateway.local", "127.0.0.1", "::1"};
    const Certificate server = ca.issueWithNewKey(p).certificate;
    EXPECT_EQ(X509_check_host(server.native(), "gateway.local", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(server.native(), "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(server.native(), "::1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(server.native(), "10.0.0.1", 0), 0);
    EXPECT_EQ(X509_check_host(server.native(), "evil.example", 0, 0, nullptr), 0);
    // Nothing that could smuggle another entry or a config reference in.
    for (const char* bad : {"a,DNS:evil", "@section", "name with space", ""}) {
        p.subjectAltNames = {bad};
        EXPECT_THROW(ca.issueWithNewKey(p), CryptoError) << bad;
    }
    p.subjectAltNames.clear();
    EXPECT_EQ(X509_get_ext_by_NID(ca.issueWithNewKey(p).certificate.native(), NID_subject_alt_name, -1), -1);
}

TEST_F(CertificateAuthorityTest, IssuesOcfDeviceIdentityWithNewKey) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    const std::string uuid = Uuid::randomPskUsable().toString();
    CertificateProfile p;
    p.commonName = "uuid:" + uuid;
    const IssuedIdentity id = ca.issueWithNewKey(p);

    EXPECT_EQ(id.certificate.summary().subject, "CN=uuid:" + uuid);
    EXPECT_EQ(id.key.typeName(), "EC P-256");
    EXPECT_TRUE(id.key.matches(id.certificate));
    EXPECT_TRUE(ca.verifies(id.certificate));

    // The key travels as PKCS#8 PEM and reads back as the same key.
    const std::string pem = id.key.pem();
    EXPECT_THAT(pem, StartsWith("-----BEGIN PRIVATE KEY-----\n"));
    EXPECT_TRUE(PrivateKey::parse(asBytes(pem), "pem").matches(id.certificate));
}

// OCF's identity EKU is on the certificates made for OCF device identities, and on no other.
TEST_F(CertificateAuthorityTest, OnlyOcfIdentitiesCarryTheOcfIdentityUsage) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    const auto usages = [](const Certificate& cert) {
        std::vector<std::string> out;
        auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert.native(), NID_ext_key_usage, nullptr, nullptr));
        for (int i = 0; eku != nullptr && i < sk_ASN1_OBJECT_num(eku); ++i) {
            char text[80];
            OBJ_obj2txt(text, sizeof(text), sk_ASN1_OBJECT_value(eku, i), 1);
            out.emplace_back(text);
        }
        EXTENDED_KEY_USAGE_free(eku);
        return out;
    };
    CertificateProfile ocf;
    ocf.commonName = "uuid:" + Uuid::randomPskUsable().toString();
    ocf.ocfIdentity = true;
    EXPECT_THAT(usages(ca.issueWithNewKey(ocf).certificate), ::testing::Contains(std::string(kOcfIdentityEkuOid)));
    EXPECT_THAT(usages(ca.issueWithNewKey(ocf).certificate), ::testing::Contains(std::string("1.3.6.1.5.5.7.3.1")));  // serverAuth
    CertificateProfile idprov = deviceProfile();
    EXPECT_THAT(usages(ca.issue({idprov, PrivateKey::generateEcKey().publicKey()})),
                ::testing::Not(::testing::Contains(std::string(kOcfIdentityEkuOid))));
}

TEST_F(CertificateAuthorityTest, LeafNeverOutlivesTheCa) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    CertificateProfile p = deviceProfile();
    p.validity = std::chrono::hours(24 * 365 * 20);
    const Certificate cert = ca.issueWithNewKey(p).certificate;
    EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(cert.native()), X509_get0_notAfter(ca.certificate().native())), 0);
    EXPECT_TRUE(ca.verifies(cert));
}

TEST_F(CertificateAuthorityTest, IssuesForRsaAndPublicKeyPem) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> rsa(EVP_RSA_gen(2048), &EVP_PKEY_free);
    ASSERT_NE(rsa, nullptr);
    // The form IDProv receives: publicKeyPEM.
    BIO* bio = BIO_new(BIO_s_mem());
    ASSERT_EQ(PEM_write_bio_PUBKEY(bio, rsa.get()), 1);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    const std::string pubPem(data, static_cast<std::size_t>(len));
    BIO_free(bio);

    const PublicKey pub = PublicKey::parse(asBytes(pubPem), "publicKeyPEM");
    EXPECT_EQ(pub.typeName(), "RSA 2048");
    const Certificate cert = ca.issue({deviceProfile(), pub});
    EXPECT_TRUE(pub.matches(cert));
    EXPECT_EQ(X509_get_key_usage(cert.native()), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
    EXPECT_TRUE(ca.verifies(cert));
}

TEST_F(CertificateAuthorityTest, RefusesBadProfilesAndWeakKeys) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    const PublicKey key = PrivateKey::generateEcKey().publicKey();
    const auto issueWith = [&](const std::function<void(CertificateProfile&)>& change) {
        CertificateProfile p = deviceProfile();
        change(p);
        return expectCryptoError([&] { ca.issue({p, key}); });
    };
    EXPECT_THAT(issueWith([](CertificateProfile& p) { p.commonName.clear(); }), HasSubstr("common name"));
    EXPECT_THAT(issueWith([](CertificateProfile& p) { p.commonName = std::string(65, 'a'); }), HasSubstr("common name"));
    EXPECT_THAT(issueWith([](CertificateProfile& p) { p.commonName = "a\nb"; }), HasSubstr("common name"));
    EXPECT_THAT(issueWith([](CertificateProfile& p) { p.commonName = "bad \xff utf8"; }), HasSubstr("common name"));
    EXPECT_THAT(issueWith([](CertificateProfile& p) { p.organizationalUnit = ""; }), HasSubstr("organizational unit"));
    EXPECT_THAT(issueWith([](CertificateProfile& p) { p.validity = std::chrono::seconds(0); }), HasSubstr("validity"));
    EXPECT_THAT(issueWith([](CertificateProfile& p) { p.validity = std::chrono::hours(-1); }), HasSubstr("validity"));
    EXPECT_THAT(issueWith([](CertificateProfile& p) { p.validity = std::chrono::hours(24 * 365 * 200); }), HasSubstr("validity"));
    // 64 characters is the limit, and multi-byte UTF-8 counts as characters.
    CertificateProfile p = deviceProfile();
    p.commonName = std::string(64, 'a');
    EXPECT_NO_THROW(ca.issue({p, key}));
    p.commonName = "Küche-Licht";
    EXPECT_EQ(ca.issue({p, key}).summary().subject, "CN=Küche-Licht,OU=iotdevice");

    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> weak(EVP_RSA_gen(1024), &EVP_PKEY_free);
    ASSERT_NE(weak, nullptr);
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(weak.get(), &der);
    ASSERT_GT(len, 0);
    const PublicKey weakKey = PublicKey::parse(std::span<const std::uint8_t>(der, static_cast<std::size_t>(len)), "k");
    OPENSSL_free(der);
    EXPECT_THAT(expectCryptoError([&] { ca.issue({deviceProfile(), weakKey}); }), HasSubstr("RSA 1024"));
}

TEST_F(CertificateAuthorityTest, ConcurrentIssueGivesDistinctSerials) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    const PublicKey key = PrivateKey::generateEcKey().publicKey();
    constexpr int kThreads = 8;
    constexpr int kEach = 25;
    std::vector<std::vector<Certificate>> issued(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                issued[static_cast<std::size_t>(t)].push_back(
                    ca.issue({deviceProfile("dev-" + std::to_string(t) + "-" + std::to_string(i)), key}));
            }
        });
    }
    for (std::thread& th : threads) th.join();

    std::set<std::string> serials;
    for (const auto& list : issued) {
        ASSERT_EQ(list.size(), static_cast<std::size_t>(kEach));
        for (const Certificate& c : list) {
            serials.insert(c.summary().serialNumber);
            EXPECT_TRUE(ca.verifies(c));
        }
    }
    EXPECT_EQ(serials.size(), static_cast<std::size_t>(kThreads * kEach));
}

// ---- verification ----

TEST_F(CertificateAuthorityTest, CertificateFromAnotherCaDoesNotVerify) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    CertificateAuthority other = CertificateAuthority::openOrCreate(tmp / "other", "Steward Gateway CA");
    const Certificate foreign = other.issueWithNewKey(deviceProfile()).certificate;
    std::string reason;
    EXPECT_FALSE(ca.verifies(foreign, &reason));
    EXPECT_THAT(reason, HasSubstr("unable to get local issuer certificate"));
    EXPECT_TRUE(other.verifies(foreign));
}

TEST_F(CertificateAuthorityTest, ExpiredAndNotYetValidCertificatesDoNotVerify) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    CertificateProfile p = deviceProfile();
    p.notBeforeOffset = std::chrono::hours(-48);
    p.validity = std::chrono::hours(24);
    const Certificate expired = ca.issueWithNewKey(p).certificate;
    EXPECT_LT(secondsFromNow(X509_get0_notAfter(expired.native())), 0);
    CertificateVerification v = ca.verify(expired);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.reason, "certificate has expired");

    p.notBeforeOffset = std::chrono::hours(24);
    v = ca.verify(ca.issueWithNewKey(p).certificate);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.reason, "certificate is not yet valid");
}

TEST_F(CertificateAuthorityTest, CaCertificateIsNotAcceptedAsLeaf) {
    const CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    std::string reason;
    EXPECT_FALSE(ca.verifies(ca.certificate(), &reason));
    EXPECT_THAT(reason, HasSubstr("CA certificate"));
}

TEST_F(CertificateAuthorityTest, TamperedCertificateDoesNotVerify) {
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    std::vector<std::uint8_t> der = ca.issueWithNewKey(deviceProfile()).certificate.der();
    der[der.size() - 5] ^= 0x01;  // inside the signature
    const Certificate tampered = Certificate::parse(der, "tampered");
    EXPECT_FALSE(ca.verifies(tampered));
}

TEST_F(CertificateAuthorityTest, OpensslVerifyAcceptsIssuedCertificates) {
    if (runCommand("openssl version").exitCode != 0) GTEST_SKIP() << "no openssl binary";
    CertificateAuthority ca = CertificateAuthority::openOrCreate(dir);
    CertificateAuthority other = CertificateAuthority::openOrCreate(tmp / "other");
    CertificateProfile p = deviceProfile();
    p.usage = CertificateUsage::ClientAndServer;
    writeText(tmp / "leaf.pem", ca.issueWithNewKey(p).certificate.pem());
    writeText(tmp / "foreign.pem", other.issueWithNewKey(p).certificate.pem());
    writeText(tmp / "chain.pem", ca.chainPem());

    const std::string verify = "openssl verify -x509_strict -CAfile " + (tmp / "chain.pem").string() + " ";
    const CommandResult ok = runCommand(verify + "-purpose sslclient " + (tmp / "leaf.pem").string());
    EXPECT_EQ(ok.exitCode, 0) << ok.output;
    EXPECT_THAT(ok.output, HasSubstr("leaf.pem: OK"));
    EXPECT_EQ(runCommand(verify + "-purpose sslserver " + (tmp / "leaf.pem").string()).exitCode, 0);

    const CommandResult bad = runCommand(verify + (tmp / "foreign.pem").string());
    EXPECT_NE(bad.exitCode, 0) << bad.output;
    EXPECT_THAT(bad.output, HasSubstr("unable to get local issuer certificate"));

    // The CA file as written on disk works too.
    EXPECT_EQ(runCommand("openssl verify -CAfile " + certFile.string() + " " + (tmp / "leaf.pem").string()).exitCode, 0);
}

// ---- the x509.hpp additions ----

TEST(PublicKeyTest, ParsesPemAndDerAndRefusesOtherThings) {
    const PrivateKey key = PrivateKey::generateEcKey();
    const PublicKey pub = key.publicKey();
    EXPECT_EQ(pub.typeName(), "EC P-256");
    EXPECT_THAT(pub.pem(), StartsWith("-----BEGIN PUBLIC KEY-----\n"));
    EXPECT_EQ(PublicKey::parse(asBytes(pub.pem()), "pem").der(), pub.der());
    EXPECT_EQ(PublicKey::parse(pub.der(), "der").der(), pub.der());

    const auto refusal = [](const std::string& text) { return expectCryptoError([&] { PublicKey::parse(asBytes(text), "input.pem"); }); };
    EXPECT_THAT(refusal(key.pem()), HasSubstr("private key where a public key was expected"));
    EXPECT_THAT(refusal(key.pem()), Not(HasSubstr(key.pem().substr(30, 20))));
    EXPECT_THAT(refusal(pub.pem() + pub.pem()), HasSubstr("2 public keys"));
    EXPECT_THAT(refusal("garbage"), HasSubstr("input.pem: not a public key"));
    const std::vector<std::uint8_t> privDer = key.der();
    EXPECT_THAT(expectCryptoError([&] { PublicKey::parse(privDer, "k.der"); }), HasSubstr("private key where a public key was expected"));
}

TEST(PrivateKeyTest, GeneratedKeysAreFreshP256) {
    const PrivateKey a = PrivateKey::generateEcKey();
    const PrivateKey b = PrivateKey::generateEcKey();
    EXPECT_EQ(a.typeName(), "EC P-256");
    EXPECT_NE(a.der(), b.der());
    EXPECT_NE(a.publicKey().der(), b.publicKey().der());
    EXPECT_EQ(PrivateKey::parse(asBytes(a.pem()), "a").der(), a.der());
    EXPECT_THAT(a.pem(), testing::EndsWith("-----END PRIVATE KEY-----\n"));
}

}  // namespace
}  // namespace steward::core
