// Certificate and PrivateKey: parsing PEM and DER, chains, CA detection, summaries, key matching,
// and the refusals (garbage, a key where a certificate belongs and the reverse, encrypted keys).
// The test PKI is made here with OpenSSL's API, in a fresh temp dir per test.
#include "steward/crypto/x509.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <regex>

#include "steward/crypto/digest.hpp"
#include "support/bytes.hpp"
#include "support/temp_dir.hpp"

namespace steward::core {
namespace {

using test::Bytes;
using ::testing::HasSubstr;
using ::testing::Not;

struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
    void operator()(X509* c) const { X509_free(c); }
};
struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

KeyPtr ecKey() { return KeyPtr(EVP_EC_gen("P-256")); }

// A certificate for `key` named CN=`cn`, signed by `issuerKey` as `issuer` (self-signed if null).
// `ca`: basicConstraints CA:TRUE; nullopt leaves basicConstraints out entirely.
CertPtr makeCert(const std::string& cn, EVP_PKEY* key, std::optional<bool> ca, X509* issuer = nullptr, EVP_PKEY* issuerKey = nullptr,
                 long serial = 1) {
    CertPtr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Steward Tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
    X509_set_pubkey(cert.get(), key);
    if (ca) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, *ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(cert.get(), issuerKey != nullptr ? issuerKey : key, EVP_sha256());
    return cert;
}

std::string toPem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

Bytes toDer(X509* cert) {
    unsigned char* buf = nullptr;
    const int len = i2d_X509(cert, &buf);
    Bytes out(buf, buf + len);
    OPENSSL_free(buf);
    return out;
}

std::string text(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

enum class KeyForm { Pkcs8Pem, TraditionalPem, Pkcs8Der, TraditionalDer, EncryptedPem };

Bytes keyBytes(EVP_PKEY* key, KeyForm form) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    switch (form) {
        case KeyForm::Pkcs8Pem:
            PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
            break;
        case KeyForm::TraditionalPem:
            PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
            break;
        case KeyForm::Pkcs8Der:
            i2d_PKCS8PrivateKey_bio(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
            break;
        case KeyForm::TraditionalDer:
            i2d_PrivateKey_bio(bio.get(), key);
            break;
        case KeyForm::EncryptedPem: {
            static char pass[] = "secret";
            PEM_write_bio_PKCS8PrivateKey(bio.get(), key, EVP_aes_256_cbc(), pass, 6, nullptr, nullptr);
            break;
        }
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return Bytes(data, data + len);
}

class X509Test : public ::testing::Test {
protected:
    void SetUp() override {
        rootKey_ = ecKey();
        leafKey_ = ecKey();
        root_ = makeCert("Steward Test Root", rootKey_.get(), true, nullptr, nullptr, 1);
        leaf_ = makeCert("device-1", leafKey_.get(), false, root_.get(), rootKey_.get(), 2);
    }

    std::filesystem::path write(const std::string& name, const Bytes& bytes) {
        const auto path = dir_ / name;
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        return path;
    }
    std::filesystem::path write(const std::string& name, const std::string& text) { return write(name, test::ascii(text)); }

    template <typename F>
    std::string errorOf(F f) {
        try {
            f();
        } catch (const CryptoError& e) {
            return e.what();
        }
        ADD_FAILURE() << "no CryptoError thrown";
        return {};
    }

    test::TempDir dir_;
    KeyPtr rootKey_, leafKey_;
    CertPtr root_, leaf_;
};

TEST_F(X509Test, LoadsPemAndSummarises) {
    const Certificate cert = Certificate::load(write("root.pem", toPem(root_.get())));
    EXPECT_EQ(cert.der(), toDer(root_.get()));
    EXPECT_TRUE(cert.isCa());

    const CertificateSummary s = cert.summary();
    EXPECT_EQ(s.subject, "CN=Steward Test Root,O=Steward Tests");
    EXPECT_EQ(s.issuer, s.subject);
    EXPECT_EQ(s.serialNumber, "01");
    EXPECT_EQ(s.keyType, "EC P-256");
    EXPECT_TRUE(s.isCa);
    const std::regex iso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
    EXPECT_TRUE(std::regex_match(s.notBefore, iso)) << s.notBefore;
    EXPECT_TRUE(std::regex_match(s.notAfter, iso)) << s.notAfter;
    EXPECT_LT(s.notBefore, s.notAfter);
    const auto digest = sha256(toDer(root_.get()));
    EXPECT_EQ(s.sha256Fingerprint, test::toHex(Bytes(digest.begin(), digest.end())));
}

TEST_F(X509Test, LoadsDerAndRoundTripsThroughPem) {
    const Certificate fromDer = Certificate::load(write("leaf.der", toDer(leaf_.get())));
    EXPECT_EQ(fromDer.der(), toDer(leaf_.get()));
    EXPECT_FALSE(fromDer.isCa());
    EXPECT_EQ(fromDer.summary().issuer, "CN=Steward Test Root,O=Steward Tests");
    EXPECT_EQ(fromDer.pem(), toPem(leaf_.get()));
    EXPECT_EQ(Certificate::parse(test::ascii(fromDer.pem()), "again").der(), fromDer.der());
}

TEST_F(X509Test, ParsesAChainOfTwoInOrderIgnoringTextAround) {
    const std::string file =
        "Certificate:\n  (leaf, as openssl x509 -text writes it)\n" + toPem(leaf_.get()) + "\nissuer follows\n" + toPem(root_.get());
    const auto chain = Certificate::loadChain(write("chain.pem", file));
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].der(), toDer(leaf_.get()));
    EXPECT_FALSE(chain[0].isCa());
    EXPECT_EQ(chain[1].der(), toDer(root_.get()));
    EXPECT_TRUE(chain[1].isCa());
    EXPECT_EQ(chainToPem(chain), toPem(leaf_.get()) + toPem(root_.get()));

    EXPECT_THAT(errorOf([&] { Certificate::load(dir_ / "chain.pem"); }), HasSubstr("holds 2 certificates"));
}

TEST_F(X509Test, IsCaNeedsBasicConstraintsCaTrue) {
    KeyPtr key = ecKey();
    const CertPtr without = makeCert("no-constraints", key.get(), std::nullopt);
    EXPECT_FALSE(Certificate::parse(toDer(without.get()), "x").isCa());
    const CertPtr notCa = makeCert("ca-false", key.get(), false);
    EXPECT_FALSE(Certificate::parse(toDer(notCa.get()), "x").isCa());
    EXPECT_TRUE(Certificate::parse(toDer(root_.get()), "x").isCa());
}

TEST_F(X509Test, NamesRsaKeys) {
    KeyPtr rsa(EVP_RSA_gen(2048));
    const CertPtr cert = makeCert("rsa", rsa.get(), true);
    EXPECT_EQ(Certificate::parse(toDer(cert.get()), "x").summary().keyType, "RSA 2048");
    EXPECT_EQ(PrivateKey::parse(keyBytes(rsa.get(), KeyForm::TraditionalPem), "k").typeName(), "RSA 2048");
}

TEST_F(X509Test, LoadsKeysInEveryFormAndMatchesOnlyItsCertificate) {
    const Certificate leaf = Certificate::parse(toDer(leaf_.get()), "leaf");
    const Certificate root = Certificate::parse(toDer(root_.get()), "root");
    const std::pair<KeyForm, const char*> forms[] = {{KeyForm::Pkcs8Pem, "pkcs8.pem"},
                                                     {KeyForm::TraditionalPem, "ec.pem"},
                                                     {KeyForm::Pkcs8Der, "pkcs8.der"},
                                                     {KeyForm::TraditionalDer, "ec.der"}};
    const Bytes pkcs8 = keyBytes(leafKey_.get(), KeyForm::Pkcs8Der);
    for (const auto& [form, name] : forms) {
        const PrivateKey key = PrivateKey::load(write(name, keyBytes(leafKey_.get(), form)));
        EXPECT_EQ(key.typeName(), "EC P-256") << name;
        EXPECT_TRUE(key.matches(leaf)) << name;
        EXPECT_FALSE(key.matches(root)) << name;
        EXPECT_EQ(key.der(), pkcs8) << name << ": der() is PKCS#8";
    }
    EXPECT_EQ(ERR_peek_error(), 0u) << "a failed match leaves nothing on OpenSSL's error queue";
}

TEST_F(X509Test, DerOfAKeyIsPkcs8ThatLoadsAgain) {
    const PrivateKey key = PrivateKey::parse(keyBytes(leafKey_.get(), KeyForm::TraditionalPem), "k");
    const Bytes der = key.der();
    const unsigned char* p = der.data();
    PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
    ASSERT_NE(p8, nullptr);
    EXPECT_EQ(p, der.data() + der.size());
    PKCS8_PRIV_KEY_INFO_free(p8);
    EXPECT_TRUE(PrivateKey::parse(der, "again").matches(Certificate::parse(toDer(leaf_.get()), "leaf")));
}

TEST_F(X509Test, SkipsEcParametersBeforeTheKey) {
    const std::string file = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" +
                             text(keyBytes(leafKey_.get(), KeyForm::TraditionalPem));
    EXPECT_TRUE(PrivateKey::parse(test::ascii(file), "k").matches(Certificate::parse(toDer(leaf_.get()), "leaf")));
}

TEST_F(X509Test, GarbageIsRefusedWithThePathAndReason) {
    const auto garbage = write("garbage.bin", Bytes{0x30, 0x82, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef});
    std::string error = errorOf([&] { Certificate::load(garbage); });
    EXPECT_THAT(error, HasSubstr(garbage.string()));
    EXPECT_THAT(error, HasSubstr("not a certificate (expected PEM or DER)"));
    EXPECT_THAT(errorOf([&] { PrivateKey::load(garbage); }), HasSubstr("not a private key (expected PEM or DER)"));
    EXPECT_THAT(errorOf([&] { Certificate::load(write("empty.pem", Bytes{})); }), HasSubstr("not a certificate"));
    EXPECT_THAT(errorOf([&] { Certificate::load(write("text.pem", "hello, world\n")); }), HasSubstr("not a certificate"));

    std::string truncated = toPem(root_.get());
    truncated.resize(truncated.size() / 2);
    EXPECT_THAT(errorOf([&] { Certificate::load(write("truncated.pem", truncated)); }), HasSubstr("malformed PEM block 1"));

    Bytes der = toDer(root_.get());
    der.push_back(0x00);
    EXPECT_THAT(errorOf([&] { Certificate::load(write("trailing.der", der)); }), HasSubstr("not a certificate"));

    EXPECT_THAT(errorOf([&] { Certificate::load(dir_ / "missing.pem"); }), HasSubstr("missing.pem"));
    EXPECT_THAT(errorOf([&] { PrivateKey::load(dir_ / "missing.key"); }), HasSubstr("missing.key"));
    EXPECT_EQ(ERR_peek_error(), 0u) << "failed parses leave nothing on OpenSSL's error queue";
}

TEST_F(X509Test, KeyWhereACertificateBelongsIsRefusedWithoutShowingIt) {
    for (KeyForm form : {KeyForm::Pkcs8Pem, KeyForm::TraditionalPem, KeyForm::Pkcs8Der, KeyForm::TraditionalDer}) {
        const Bytes key = keyBytes(leafKey_.get(), form);
        const std::string error = errorOf([&] { Certificate::load(write("key", key)); });
        EXPECT_THAT(error, HasSubstr("file holds a private key where a certificate was expected"));
        const std::string keyText = text(key);
        const std::string der = test::toHex(keyBytes(leafKey_.get(), KeyForm::Pkcs8Der));
        EXPECT_THAT(error, Not(HasSubstr(keyText.substr(keyText.find('\n') + 1, 24))));
        EXPECT_THAT(error, Not(HasSubstr(der.substr(der.size() - 32))));
    }
    const std::string both = toPem(leaf_.get()) + text(keyBytes(leafKey_.get(), KeyForm::Pkcs8Pem));
    EXPECT_THAT(errorOf([&] { Certificate::load(write("both.pem", both)); }), HasSubstr("private key"));
}

TEST_F(X509Test, CertificateWhereAKeyBelongsIsRefused) {
    EXPECT_THAT(errorOf([&] { PrivateKey::load(write("cert.pem", toPem(leaf_.get()))); }),
                HasSubstr("file holds a certificate where a private key was expected"));
    EXPECT_THAT(errorOf([&] { PrivateKey::load(write("cert.der", toDer(leaf_.get()))); }),
                HasSubstr("file holds a certificate where a private key was expected"));
}

TEST_F(X509Test, EncryptedKeyIsRefusedWithoutAPrompt) {
    EXPECT_THAT(errorOf([&] { PrivateKey::load(write("enc.pem", keyBytes(leafKey_.get(), KeyForm::EncryptedPem))); }),
                HasSubstr("encrypted"));
}

TEST_F(X509Test, SeveralKeysInOneFileAreRefused) {
    const Bytes one = keyBytes(leafKey_.get(), KeyForm::Pkcs8Pem);
    Bytes two = one;
    two.insert(two.end(), one.begin(), one.end());
    EXPECT_THAT(errorOf([&] { PrivateKey::parse(two, "two.pem"); }), HasSubstr("2 private keys"));
}

TEST_F(X509Test, CopiesShareTheCertificateAndKey) {
    std::optional<Certificate> original = Certificate::parse(toDer(leaf_.get()), "leaf");
    std::optional<PrivateKey> key = PrivateKey::parse(keyBytes(leafKey_.get(), KeyForm::Pkcs8Der), "k");
    const Certificate copy = *original;
    const PrivateKey keyCopy = *key;
    original.reset();
    key.reset();
    EXPECT_EQ(copy.der(), toDer(leaf_.get()));
    EXPECT_TRUE(keyCopy.matches(copy));
}

}  // namespace
}  // namespace steward::core
