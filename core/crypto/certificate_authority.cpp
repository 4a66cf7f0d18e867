#include "steward/crypto/certificate_authority.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "steward/crypto/random.hpp"
#include "steward/util/atomic_file.hpp"
#include "steward/util/file_lock.hpp"
#include "steward/util/private_files.hpp"

namespace steward::core {
namespace {

constexpr const char* kKeyFile = "ca.key";
constexpr const char* kCertFile = "ca.crt";
constexpr const char* kLockFile = "ca.lock";
// The certificate is public, but it lives in the state directory, where everything is 0600
// (issue 20); whoever needs it as a file (a broker's cafile) gets a copy (`steward idprov issue`).
constexpr unsigned kCertMode = 0600;
constexpr std::size_t kMaxKeyFileBytes = 1u << 20;
constexpr long long kSecondsPerDay = 24LL * 3600;
// Ten years, counting the leap days.
constexpr std::chrono::seconds kCaValidity = std::chrono::hours(24 * (365 * 10 + 3));
constexpr std::chrono::seconds kCaBackdate = std::chrono::minutes(-5);
// Far beyond any sensible certificate, and small enough that no time arithmetic below overflows.
constexpr std::chrono::seconds kMaxSpan = std::chrono::hours(24 * 366 * 100);
constexpr std::size_t kMaxNameLength = 64;  // ub-common-name and ub-organizational-unit-name

struct X509Free {
    void operator()(X509* c) const { X509_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

struct ExtFree {
    void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};

struct BnFree {
    void operator()(BIGNUM* b) const { BN_free(b); }
};

struct StoreFree {
    void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};

struct StoreCtxFree {
    void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};

// OpenSSL leaves failures on a thread-local queue; none may leak into the caller's next call.
struct ErrorQueueGuard {
    ~ErrorQueueGuard() { ERR_clear_error(); }
};

std::string openSslReason() {
    const unsigned long err = ERR_peek_last_error();
    const char* reason = err != 0 ? ERR_reason_error_string(err) : nullptr;
    return reason != nullptr ? std::string(" (") + reason + ")" : std::string();
}

std::string octalMode(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

// The CA key, read only if it is a regular file of ours that no one else can read. The checks
// are made on the open descriptor, so the file cannot be swapped between check and read.
PrivateKey loadKeyFile(const std::filesystem::path& path) {
    const std::string name = path.string();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0) {
        const int err = errno;
        if (err == ELOOP) throw CryptoError(name + ": is a symbolic link; the CA key must be a regular file");
        throw CryptoError(name + ": cannot open the CA key: " + std::strerror(err));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};

    struct stat st {};
    if (::fstat(fd, &st) != 0) throw CryptoError(name + ": stat: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw CryptoError(name + ": not a regular file; refusing to use it as the CA key");
    if (st.st_uid != ::geteuid()) {
        throw CryptoError(name + ": owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " + std::to_string(::geteuid()) +
                          "); refusing to use it as the CA key");
    }
    if ((st.st_mode & 077) != 0) {
        throw CryptoError(name + ": has mode " + octalMode(st.st_mode) +
                          "; the CA key must be mode 0600 (no access for group or others). Check who could "
                          "have copied it, then chmod 600 it");
    }

    std::vector<std::uint8_t> bytes;
    std::array<std::uint8_t, 4096> buf{};
    const auto wipe = [&] {
        OPENSSL_cleanse(bytes.data(), bytes.size());
        OPENSSL_cleanse(buf.data(), buf.size());
    };
    try {
        while (true) {
            const ssize_t n = ::read(fd, buf.data(), buf.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                throw CryptoError(name + ": read: " + std::strerror(errno));
            }
            if (n == 0) break;
            if (bytes.size() + static_cast<std::size_t>(n) > kMaxKeyFileBytes) {
                throw CryptoError(name + ": too large to be a private key");
            }
            // Reserve up front so no reallocation leaves unwiped copies of the key behind.
            if (bytes.capacity() < kMaxKeyFileBytes) bytes.reserve(kMaxKeyFileBytes);
            bytes.insert(bytes.end(), buf.begin(), buf.begin() + n);
        }
        PrivateKey key = PrivateKey::parse(bytes, name);
        wipe();
        return key;
    } catch (...) {
        wipe();
        throw;
    }
}

bool present(const std::filesystem::path& path) {
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
        throw CryptoError(path.string() + ": cannot check the file: " + ec.message());
    }
    return std::filesystem::exists(status);
}

void writeFile(const std::filesystem::path& path, std::span<const std::uint8_t> bytes, unsigned mode) {
    try {
        AtomicWriteOptions options;
        options.mode = mode;
        writeFileAtomically(path, bytes, options);
    } catch (const FileError& e) {
        throw CryptoError(std::string("cannot write ") + e.what());
    }
}

// An older version wrote the certificate 0644. It is public data: tightening it is hygiene, and a
// file we cannot chmod (a read-only mount) is no reason to refuse the CA.
void tightenCertificateFile(const std::filesystem::path& certPath) noexcept {
    try {
        makeFilePrivate(certPath);
    } catch (...) {
    }
}

// flock is non-blocking; another process opening the CA holds it only for a moment.
FileLock lockDirectory(const std::filesystem::path& lockFile) {
    for (int attempt = 0;; ++attempt) {
        try {
            return FileLock(lockFile);
        } catch (const FileError& e) {
            const std::string_view what = e.what();
            if (!what.ends_with("in use by another process") || attempt >= 50) {
                throw CryptoError(std::string("cannot lock the CA directory: ") + e.what());
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

void setName(X509_NAME* name, const char* field, const std::string& value, const char* what) {
    const bool control = std::any_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
    if (value.empty() || control || value.size() > 4 * kMaxNameLength) {
        throw CryptoError(std::string(what) + " must be 1.." + std::to_string(kMaxNameLength) + " characters without control characters");
    }
    // OpenSSL checks the UTF-8 and the length bound of the field (in characters).
    if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
        throw CryptoError(std::string(what) + " must be 1.." + std::to_string(kMaxNameLength) + " characters of valid UTF-8" +
                          openSslReason());
    }
}

void setRandomSerial(X509* cert) {
    std::array<std::uint8_t, 16> bytes{};
    try {
        do {
            randomBytes(bytes);
        } while (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; }));
    } catch (const std::runtime_error& e) {
        throw CryptoError(std::string("cannot make a serial number: ") + e.what());
    }
    // BN_bin2bn reads the bytes as an unsigned number: the serial is positive by construction.
    std::unique_ptr<BIGNUM, BnFree> bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
    if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
        throw CryptoError("cannot set the serial number" + openSslReason());
    }
}

void checkSpan(std::chrono::seconds value, const char* what) {
    if (value > kMaxSpan || value < -kMaxSpan) throw CryptoError(std::string(what) + " is out of range (100 years at most)");
}

void adjustTime(ASN1_TIME* t, std::time_t now, std::chrono::seconds offset) {
    const long long secs = offset.count();
    const auto days = static_cast<int>(secs / kSecondsPerDay);
    const auto rest = static_cast<long>(secs % kSecondsPerDay);
    if (X509_time_adj_ex(t, days, rest, &now) == nullptr) throw CryptoError("cannot set the validity period" + openSslReason());
}

// notBefore = now + offset, notAfter = notBefore + validity, no later than `limit` (if any).
void setValidity(X509* cert, std::chrono::seconds notBeforeOffset, std::chrono::seconds validity, const ASN1_TIME* limit) {
    checkSpan(notBeforeOffset, "notBeforeOffset");
    checkSpan(validity, "validity");
    if (validity.count() <= 0) throw CryptoError("validity must be positive");
    const std::time_t now = std::time(nullptr);
    adjustTime(X509_getm_notBefore(cert), now, notBeforeOffset);
    adjustTime(X509_getm_notAfter(cert), now, notBeforeOffset + validity);
    if (limit != nullptr && ASN1_TIME_compare(X509_get0_notAfter(cert), limit) > 0) {
        if (X509_set1_notAfter(cert, limit) != 1) throw CryptoError("cannot set the validity period" + openSslReason());
    }
}

void addExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
        throw CryptoError(std::string("cannot add the ") + OBJ_nid2ln(nid) + " extension" + openSslReason());
    }
}

// "DNS:name,IP:addr,...": an entry that parses as an address is an IP entry. Names are limited to
// host-name characters so nothing can smuggle another entry or an OpenSSL config reference in.
std::string subjectAltNameValue(const std::vector<std::string>& names) {
    std::string value;
    for (const std::string& name : names) {
        unsigned char buf[16];
        const bool isIp = inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
        const bool hostChars = !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '-' || c == '.' || c == '*';
        });
        if (!isIp && !hostChars) throw CryptoError("subjectAltName '" + name + "' is neither a host name nor an IP address");
        if (!value.empty()) value += ',';
        value += (isIp ? "IP:" : "DNS:") + name;
    }
    return value;
}

const EVP_MD* signatureDigest(const EVP_PKEY* caKey) {
    const int id = EVP_PKEY_get_base_id(caKey);
    return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448 ? nullptr : EVP_sha256();
}

void sign(X509* cert, const PrivateKey& key) {
    if (X509_sign(cert, key.native(), signatureDigest(key.native())) <= 0) {
        throw CryptoError("cannot sign the certificate" + openSslReason());
    }
}

Certificate toCertificate(X509* cert) {
    const int len = i2d_X509(cert, nullptr);
    if (len <= 0) throw CryptoError("cannot encode the new certificate" + openSslReason());
    std::vector<std::uint8_t> der(static_cast<std::size_t>(len));
    unsigned char* p = der.data();
    if (i2d_X509(cert, &p) != len) throw CryptoError("cannot encode the new certificate" + openSslReason());
    return Certificate::parse(der, "new certificate");
}

// Which subject keys the CA certifies, and the keyUsage that fits each.
const char* leafKeyUsage(const PublicKey& key) {
    const EVP_PKEY* pkey = key.native();
    if (pkey == nullptr) throw CryptoError("the request has no subject key (a moved-from PublicKey)");
    switch (EVP_PKEY_get_base_id(pkey)) {
        case EVP_PKEY_EC: {
            char group[80] = {};
            std::size_t len = 0;
            if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) != 1) break;
            const int nid = OBJ_sn2nid(group);
            if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1 && nid != NID_secp521r1) break;
            return "critical,digitalSignature,keyAgreement";
        }
        case EVP_PKEY_RSA:
            if (EVP_PKEY_get_bits(pkey) < 2048) break;
            return "critical,digitalSignature,keyEncipherment";
        case EVP_PKEY_ED25519:
            return "critical,digitalSignature";
        default:
            break;
    }
    throw CryptoError("the subject key (" + key.typeName() +
                      ") is not one the CA certifies: EC P-256/P-384/P-521, RSA of 2048 bits or more, or Ed25519");
}

Certificate makeSelfSigned(const PrivateKey& key, const std::string& commonName) {
    ErrorQueueGuard guard;
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) throw CryptoError("out of memory (X509_new)");
    setRandomSerial(cert.get());
    setName(X509_get_subject_name(cert.get()), "CN", commonName, "the CA's common name");
    if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1 || X509_set_pubkey(cert.get(), key.native()) != 1) {
        throw CryptoError("cannot build the CA certificate" + openSslReason());
    }
    setValidity(cert.get(), kCaBackdate, kCaValidity, nullptr);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    // pathlen:0 — this CA signs end-entity certificates only, never another CA.
    addExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    addExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    addExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    addExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    sign(cert.get(), key);
    return toCertificate(cert.get());
}

void checkCaCertificate(const Certificate& cert, const PrivateKey& key, const std::filesystem::path& certPath,
                        const std::filesystem::path& keyPath) {
    ErrorQueueGuard guard;
    const std::string name = certPath.string();
    if (!cert.isCa()) throw CryptoError(name + ": not a CA certificate (basicConstraints CA:TRUE missing)");
    if ((X509_get_key_usage(cert.native()) & KU_KEY_CERT_SIGN) == 0) {
        throw CryptoError(name + ": its keyUsage does not allow signing certificates (keyCertSign)");
    }
    if (!key.matches(cert)) {
        throw CryptoError(keyPath.string() + " does not match " + name + " (they are not one key pair); restore the matching files");
    }
    if (X509_cmp_current_time(X509_get0_notAfter(cert.native())) <= 0) {
        throw CryptoError(name + ": the CA certificate expired on " + cert.summary().notAfter +
                          "; move ca.key and ca.crt away to create a new CA (devices then need new credentials)");
    }
}

}  // namespace

struct CertificateAuthority::State {
    PrivateKey key;
    Certificate cert;
    std::string pem;
    std::mutex signing;

    State(PrivateKey k, Certificate c) : key(std::move(k)), cert(std::move(c)), pem(cert.pem()) {}
};

CertificateAuthority::CertificateAuthority(std::unique_ptr<State> state) : state_(std::move(state)) {}
CertificateAuthority::CertificateAuthority(CertificateAuthority&&) noexcept = default;
CertificateAuthority& CertificateAuthority::operator=(CertificateAuthority&&) noexcept = default;
CertificateAuthority::~CertificateAuthority() = default;

CertificateAuthority CertificateAuthority::openOrCreate(const std::filesystem::path& directory, const std::string& commonName) {
    try {
        ensurePrivateDirectory(directory);  // 0700 from the start; an older, looser one is tightened
    } catch (const FileError& e) {
        throw CryptoError(std::string("cannot create the CA directory: ") + e.what());
    }
    const FileLock lock = lockDirectory(directory / kLockFile);

    const std::filesystem::path keyPath = directory / kKeyFile;
    const std::filesystem::path certPath = directory / kCertFile;
    const bool haveKey = present(keyPath);
    const bool haveCert = present(certPath);

    if (!haveKey && haveCert) {
        throw CryptoError(keyPath.string() + ": missing while " + certPath.string() +
                          " exists; restore the key, or remove the certificate to create a new CA");
    }
    if (!haveKey) {
        PrivateKey key = PrivateKey::generateEcKey();
        Certificate cert = makeSelfSigned(key, commonName);
        std::string keyPem = key.pem();
        try {
            writeFile(keyPath, std::span(reinterpret_cast<const std::uint8_t*>(keyPem.data()), keyPem.size()), 0600);
        } catch (...) {
            OPENSSL_cleanse(keyPem.data(), keyPem.size());
            throw;
        }
        OPENSSL_cleanse(keyPem.data(), keyPem.size());
        const std::string certPem = cert.pem();
        writeFile(certPath, std::span(reinterpret_cast<const std::uint8_t*>(certPem.data()), certPem.size()), kCertMode);
        return CertificateAuthority(std::make_unique<State>(std::move(key), std::move(cert)));
    }

    PrivateKey key = loadKeyFile(keyPath);
    if (!haveCert) {
        // The key was written but the certificate was not (a crash in between): certify it again.
        Certificate cert = makeSelfSigned(key, commonName);
        const std::string certPem = cert.pem();
        writeFile(certPath, std::span(reinterpret_cast<const std::uint8_t*>(certPem.data()), certPem.size()), kCertMode);
        return CertificateAuthority(std::make_unique<State>(std::move(key), std::move(cert)));
    }
    tightenCertificateFile(certPath);
    Certificate cert = Certificate::load(certPath);
    checkCaCertificate(cert, key, certPath, keyPath);
    return CertificateAuthority(std::make_unique<State>(std::move(key), std::move(cert)));
}

Certificate CertificateAuthority::certificate() const { return state_->cert; }

std::string CertificateAuthority::chainPem() const { return state_->pem; }

Certificate CertificateAuthority::issue(const CertificateRequestSpec& spec) {
    ErrorQueueGuard guard;
    const CertificateProfile& profile = spec.profile;
    const char* keyUsage = leafKeyUsage(spec.subjectKey);
    X509* caCert = state_->cert.native();

    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) throw CryptoError("out of memory (X509_new)");
    X509_NAME* subject = X509_get_subject_name(cert.get());
    if (profile.organizationalUnit) setName(subject, "OU", *profile.organizationalUnit, "the organizational unit");
    setName(subject, "CN", profile.commonName, "the common name");
    if (X509_set_issuer_name(cert.get(), X509_get_subject_name(caCert)) != 1 ||
        X509_set_pubkey(cert.get(), spec.subjectKey.native()) != 1) {
        throw CryptoError("cannot build the certificate" + openSslReason());
    }
    setValidity(cert.get(), profile.notBeforeOffset, profile.validity, X509_get0_notAfter(caCert));
    setRandomSerial(cert.get());

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, caCert, cert.get(), nullptr, nullptr, 0);
    addExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    addExtension(cert.get(), &ctx, NID_key_usage, keyUsage);
    std::string eku = profile.usage == CertificateUsage::Client   ? "clientAuth"
                      : profile.usage == CertificateUsage::Server ? "serverAuth"
                                                                  : "serverAuth,clientAuth";
    if (profile.ocfIdentity) eku += std::string(",") + kOcfIdentityEkuOid;
    addExtension(cert.get(), &ctx, NID_ext_key_usage, eku.c_str());
    if (!profile.subjectAltNames.empty()) {
        addExtension(cert.get(), &ctx, NID_subject_alt_name, subjectAltNameValue(profile.subjectAltNames).c_str());
    }
    addExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    addExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");

    // One signer at a time: the CA key object is shared, and this is the only place it is used.
    {
        const std::lock_guard<std::mutex> hold(state_->signing);
        sign(cert.get(), state_->key);
    }
    return toCertificate(cert.get());
}

IssuedIdentity CertificateAuthority::issueWithNewKey(const CertificateProfile& profile) {
    PrivateKey key = PrivateKey::generateEcKey();
    Certificate cert = issue(CertificateRequestSpec{profile, key.publicKey()});
    return IssuedIdentity{std::move(key), std::move(cert)};
}

CertificateVerification CertificateAuthority::verify(const Certificate& leaf) const {
    ErrorQueueGuard guard;
    if (leaf.isCa()) return {false, "the certificate is a CA certificate, not a leaf"};
    std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
    if (!store || !ctx || X509_STORE_add_cert(store.get(), state_->cert.native()) != 1 ||
        X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), nullptr) != 1) {
        throw CryptoError("cannot set up certificate verification" + openSslReason());
    }
    // The CA certificate is the trust anchor whether or not it is self-signed; strict RFC 5280
    // checks, as a careful peer would make.
    X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_X509_STRICT);
    if (X509_verify_cert(ctx.get()) == 1) return {true, {}};
    const int err = X509_STORE_CTX_get_error(ctx.get());
    const char* text = X509_verify_cert_error_string(err);
    return {false, text != nullptr ? text : "verification failed (error " + std::to_string(err) + ")"};
}

bool CertificateAuthority::verifies(const Certificate& leaf, std::string* reason) const {
    CertificateVerification result = verify(leaf);
    if (reason != nullptr) *reason = std::move(result.reason);
    return result.ok;
}

}  // namespace steward::core
