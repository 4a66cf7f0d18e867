#include "test_certificates.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace steward::test {

namespace {

struct Free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(BIO* p) const { BIO_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test certificates: ") + what + " failed");
}

Owned<EVP_PKEY> newP256Key() {
    Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EC P-256 key generation");
    return key;
}

std::string bioText(BIO* bio) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(length));
}

std::string pemOf(X509* certificate) {
    Owned<BIO> bio(BIO_new(BIO_s_mem()));
    check(bio && PEM_write_bio_X509(bio.get(), certificate) == 1, "PEM_write_bio_X509");
    return bioText(bio.get());
}

std::string keyPem(EVP_PKEY* key) {
    Owned<BIO> bio(BIO_new(BIO_s_mem()));
    check(bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "PEM_write_bio_PrivateKey");
    return bioText(bio.get());
}

Owned<X509> readCertificate(const std::string& pem) {
    Owned<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Owned<X509> certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    check(certificate != nullptr, "PEM_read_bio_X509");
    return certificate;
}

Owned<EVP_PKEY> readKey(const std::string& pem) {
    Owned<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Owned<EVP_PKEY> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    check(key != nullptr, "PEM_read_bio_PrivateKey");
    return key;
}

void addExtension(X509* certificate, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    check(extension != nullptr, "X509V3_EXT_conf_nid");
    const int added = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    check(added == 1, "X509_add_ext");
}

// Signs a certificate for `subjectKey` with `issuerKey` (issuer == nullptr: self-signed).
Owned<X509> makeCertificate(std::string_view commonName, EVP_PKEY* subjectKey, X509* issuer, EVP_PKEY* issuerKey, bool isCa,
                            Validity validity) {
    Owned<X509> certificate(X509_new());
    check(certificate != nullptr, "X509_new");
    X509* cert = certificate.get();
    check(X509_set_version(cert, 2) == 1, "X509_set_version");

    unsigned char serial[16];
    check(RAND_bytes(serial, sizeof(serial)) == 1, "RAND_bytes");
    serial[0] &= 0x7f;  // positive
    Owned<BIGNUM> number(BN_bin2bn(serial, sizeof(serial), nullptr));
    check(number && BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert)) != nullptr, "serial");

    check(X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(validity.notBeforeOffset.count())) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>((validity.notBeforeOffset + validity.lifetime).count())) != nullptr,
          "notAfter");

    X509_NAME* name = X509_get_subject_name(cert);
    const std::string cn(commonName);
    check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Steward tests"), -1, -1, 0) == 1 &&
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) == 1,
          "subject name");
    check(X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : name) == 1, "issuer name");
    check(X509_set_pubkey(cert, subjectKey) == 1, "X509_set_pubkey");

    X509* signer = issuer != nullptr ? issuer : cert;
    addExtension(cert, signer, NID_subject_key_identifier, "hash");
    addExtension(cert, signer, NID_authority_key_identifier, "keyid:always");
    if (isCa) {
        addExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        addExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        addExtension(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
        addExtension(cert, signer, NID_key_usage, "critical,digitalSignature,keyAgreement");
        addExtension(cert, signer, NID_ext_key_usage, "serverAuth,clientAuth");
    }
    check(X509_sign(cert, issuerKey, EVP_sha256()) > 0, "X509_sign");
    return certificate;
}

}  // namespace

TestCa::TestCa(std::string_view name) {
    auto key = newP256Key();
    auto certificate =
        makeCertificate(name, key.get(), nullptr, key.get(), true, Validity{std::chrono::hours(-1), std::chrono::hours(24 * 30)});
    identity_ = {pemOf(certificate.get()), keyPem(key.get())};
}

TestIdentity TestCa::issue(std::string_view commonName, Validity validity) const {
    auto caCertificate = readCertificate(identity_.certificatePem);
    auto caKey = readKey(identity_.privateKeyPem);
    auto key = newP256Key();
    auto certificate = makeCertificate(commonName, key.get(), caCertificate.get(), caKey.get(), false, validity);
    return {pemOf(certificate.get()), keyPem(key.get())};
}

TestCa TestCa::intermediate(std::string_view name) const {
    auto caCertificate = readCertificate(identity_.certificatePem);
    auto caKey = readKey(identity_.privateKeyPem);
    auto key = newP256Key();
    auto certificate = makeCertificate(name, key.get(), caCertificate.get(), caKey.get(), true,
                                       Validity{std::chrono::hours(-1), std::chrono::hours(24 * 7)});
    TestCa ca;
    ca.identity_ = {pemOf(certificate.get()), keyPem(key.get())};
    return ca;
}

core::PkiCredentials credentialsFor(const TestIdentity& identity, const std::string& trustedCaPem, const std::string& chainExtraPem) {
    return core::PkiCredentials(identity.certificatePem + chainExtraPem, identity.privateKeyPem, trustedCaPem);
}

}  // namespace steward::test
