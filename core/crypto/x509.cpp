#include "steward/crypto/x509.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <ctime>
#include <optional>

#include "steward/util/atomic_file.hpp"

namespace steward::core {
namespace {

// Certificate and key files are small; anything bigger is not one.
constexpr std::size_t kMaxFileBytes = 1u << 20;

struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct BnFree {
    void operator()(BIGNUM* b) const { BN_free(b); }
};

struct BasicConstraintsFree {
    void operator()(BASIC_CONSTRAINTS* b) const { BASIC_CONSTRAINTS_free(b); }
};

struct X509SigFree {
    void operator()(X509_SIG* s) const { X509_SIG_free(s); }
};

struct P8Free {
    void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};

struct OsslStringFree {
    void operator()(char* s) const { OPENSSL_free(s); }
};

// Failed parse attempts leave entries on OpenSSL's thread-local error queue; they must not leak
// into whatever OpenSSL call the thread makes next.
struct ErrorQueueGuard {
    ~ErrorQueueGuard() { ERR_clear_error(); }
};

CryptoError fail(std::string_view origin, const std::string& reason) { return CryptoError(std::string(origin) + ": " + reason); }

BioPtr memoryBio(std::span<const std::uint8_t> bytes) {
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) throw CryptoError("input too large");
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    if (!bio) throw CryptoError("out of memory (BIO_new_mem_buf)");
    return bio;
}

std::string drain(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    if (len <= 0 || data == nullptr) return {};
    return std::string(data, static_cast<std::size_t>(len));
}

std::string hex(std::span<const unsigned char> bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    s.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        s.push_back(kHex[b >> 4]);
        s.push_back(kHex[b & 0x0f]);
    }
    return s;
}

bool looksLikePem(std::span<const std::uint8_t> bytes) {
    static constexpr std::string_view kBegin = "-----BEGIN ";
    return std::search(bytes.begin(), bytes.end(), kBegin.begin(), kBegin.end()) != bytes.end();
}

bool isPrivateKeyLabel(std::string_view name) { return name.ends_with("PRIVATE KEY"); }

bool isCertificateLabel(std::string_view name) {
    return name == "CERTIFICATE" || name == "X509 CERTIFICATE" || name == "TRUSTED CERTIFICATE";
}

// One PEM block as PEM_read_bio returns it. Key blocks are wiped when released.
struct PemBlock {
    std::string name;
    std::string header;
    std::vector<std::uint8_t> data;

    PemBlock() = default;
    PemBlock(const PemBlock&) = delete;
    PemBlock& operator=(const PemBlock&) = delete;
    PemBlock(PemBlock&&) = default;
    PemBlock& operator=(PemBlock&&) = default;
    ~PemBlock() { OPENSSL_cleanse(data.data(), data.size()); }
};

std::vector<PemBlock> readPemBlocks(std::span<const std::uint8_t> bytes, std::string_view origin) {
    ErrorQueueGuard guard;
    BioPtr bio = memoryBio(bytes);
    std::vector<PemBlock> blocks;
    while (true) {
        char* name = nullptr;
        char* header = nullptr;
        unsigned char* data = nullptr;
        long len = 0;
        ERR_clear_error();
        if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
            const unsigned long err = ERR_peek_last_error();
            // "no start line" is how PEM_read_bio says there is no further block.
            if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) break;
            throw fail(origin, "malformed PEM block " + std::to_string(blocks.size() + 1) + " (bad base64 or missing END line)");
        }
        PemBlock block;
        block.name = name;
        block.header = header;
        block.data.assign(data, data + len);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_clear_free(data, static_cast<std::size_t>(len));
        blocks.push_back(std::move(block));
    }
    return blocks;
}

// Decodes exactly the bytes given; nullptr if they are not one whole DER certificate.
X509* decodeDerCertificate(std::span<const std::uint8_t> der, bool withAux) {
    if (der.size() > static_cast<std::size_t>(LONG_MAX)) return nullptr;
    const unsigned char* p = der.data();
    const long len = static_cast<long>(der.size());
    X509* cert = withAux ? d2i_X509_AUX(nullptr, &p, len) : d2i_X509(nullptr, &p, len);
    if (cert != nullptr && p != der.data() + der.size()) {
        X509_free(cert);
        return nullptr;
    }
    return cert;
}

bool isDerEncryptedKey(std::span<const std::uint8_t> der) {
    const unsigned char* p = der.data();
    std::unique_ptr<X509_SIG, X509SigFree> sig(d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size())));
    return sig && p == der.data() + der.size();
}

EVP_PKEY* decodeDerPrivateKey(std::span<const std::uint8_t> der, int type) {
    if (der.size() > static_cast<std::size_t>(LONG_MAX)) return nullptr;
    const unsigned char* p = der.data();
    const long len = static_cast<long>(der.size());
    EVP_PKEY* key = type == EVP_PKEY_NONE ? d2i_AutoPrivateKey(nullptr, &p, len) : d2i_PrivateKey(type, nullptr, &p, len);
    if (key != nullptr && p != der.data() + der.size()) {
        EVP_PKEY_free(key);
        return nullptr;
    }
    return key;
}

std::vector<std::uint8_t> readFile(const std::filesystem::path& file) {
    try {
        return readWholeFile(file, kMaxFileBytes);
    } catch (const FileError& e) {
        throw CryptoError(std::string("cannot read ") + e.what());
    }
}

std::string isoTime(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "invalid";
    char buf[32];
    if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return "invalid";
    return buf;
}

std::string nameText(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || name == nullptr) return {};
    // RFC 2253 order and escaping, but UTF-8 left readable (control characters stay escaped).
    const unsigned long flags = XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
    if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) return {};
    return drain(bio.get());
}

std::string keyTypeName(const EVP_PKEY* key) {
    if (key == nullptr) return "unknown";
    switch (EVP_PKEY_get_base_id(key)) {
        case EVP_PKEY_RSA:
        case EVP_PKEY_RSA_PSS:
            return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
        case EVP_PKEY_DSA:
            return "DSA " + std::to_string(EVP_PKEY_get_bits(key));
        case EVP_PKEY_ED25519:
            return "Ed25519";
        case EVP_PKEY_ED448:
            return "Ed448";
        case EVP_PKEY_EC: {
            char group[80] = {};
            std::size_t len = 0;
            if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1) return "EC";
            // OpenSSL names curves "prime256v1"; people know them as "P-256".
            const char* nist = EC_curve_nid2nist(OBJ_sn2nid(group));
            return std::string("EC ") + (nist != nullptr ? nist : group);
        }
        default: {
            const char* name = EVP_PKEY_get0_type_name(key);
            return name != nullptr ? name : "unknown";
        }
    }
}

std::string openSslReason() {
    const unsigned long err = ERR_peek_last_error();
    const char* reason = err != 0 ? ERR_reason_error_string(err) : nullptr;
    return reason != nullptr ? std::string(" (") + reason + ")" : std::string();
}

}  // namespace

// ---- Certificate ----

void Certificate::Free::operator()(x509_st* cert) const { X509_free(cert); }

// Copies share the immutable X509 object; OpenSSL counts the references.
Certificate::Certificate(const Certificate& other) : cert_(nullptr) {
    if (other.cert_ && X509_up_ref(other.cert_.get()) == 1) cert_.reset(other.cert_.get());
}

Certificate& Certificate::operator=(const Certificate& other) {
    if (this != &other) *this = Certificate(other);
    return *this;
}

std::vector<Certificate> Certificate::parseChain(std::span<const std::uint8_t> bytes, std::string_view origin) {
    ErrorQueueGuard guard;
    std::vector<Certificate> chain;
    if (!looksLikePem(bytes)) {
        if (X509* cert = decodeDerCertificate(bytes, false)) {
            chain.push_back(Certificate(cert));
            return chain;
        }
        if (isDerEncryptedKey(bytes)) throw fail(origin, "file holds a private key where a certificate was expected");
        if (EVP_PKEY* key = decodeDerPrivateKey(bytes, EVP_PKEY_NONE)) {
            EVP_PKEY_free(key);
            throw fail(origin, "file holds a private key where a certificate was expected");
        }
        throw fail(origin, "not a certificate (expected PEM or DER)");
    }

    const std::vector<PemBlock> blocks = readPemBlocks(bytes, origin);
    for (const PemBlock& block : blocks) {
        if (isPrivateKeyLabel(block.name)) {
            throw fail(origin, "file holds a private key where a certificate was expected");
        }
        if (!isCertificateLabel(block.name)) {
            throw fail(origin, "holds a PEM \"" + block.name + "\" block, not a certificate");
        }
        X509* cert = decodeDerCertificate(block.data, block.name == "TRUSTED CERTIFICATE");
        if (cert == nullptr) {
            throw fail(origin, "PEM block " + std::to_string(chain.size() + 1) + " is not a valid certificate" + openSslReason());
        }
        chain.push_back(Certificate(cert));
    }
    if (chain.empty()) throw fail(origin, "not a certificate (expected PEM or DER)");
    return chain;
}

std::vector<Certificate> Certificate::loadChain(const std::filesystem::path& file) { return parseChain(readFile(file), file.string()); }

Certificate Certificate::parse(std::span<const std::uint8_t> bytes, std::string_view origin) {
    std::vector<Certificate> chain = parseChain(bytes, origin);
    if (chain.size() != 1) {
        throw fail(origin, "holds " + std::to_string(chain.size()) + " certificates; expected exactly one");
    }
    return std::move(chain.front());
}

Certificate Certificate::load(const std::filesystem::path& file) { return parse(readFile(file), file.string()); }

std::vector<std::uint8_t> Certificate::der() const {
    const int len = i2d_X509(cert_.get(), nullptr);
    if (len <= 0) throw CryptoError("cannot DER-encode a certificate");
    std::vector<std::uint8_t> out(static_cast<std::size_t>(len));
    unsigned char* p = out.data();
    if (i2d_X509(cert_.get(), &p) != len) throw CryptoError("cannot DER-encode a certificate");
    return out;
}

std::string Certificate::pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1) {
        ERR_clear_error();
        throw CryptoError("cannot PEM-encode a certificate");
    }
    return drain(bio.get());
}

bool Certificate::isCa() const {
    ErrorQueueGuard guard;
    int critical = 0;
    std::unique_ptr<BASIC_CONSTRAINTS, BasicConstraintsFree> bc(
        static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(cert_.get(), NID_basic_constraints, &critical, nullptr)));
    return bc && bc->ca != 0;
}

CertificateSummary Certificate::summary() const {
    ErrorQueueGuard guard;
    CertificateSummary s;
    s.subject = nameText(X509_get_subject_name(cert_.get()));
    s.issuer = nameText(X509_get_issuer_name(cert_.get()));
    std::unique_ptr<BIGNUM, BnFree> serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr));
    if (serial) {
        std::unique_ptr<char, OsslStringFree> text(BN_bn2hex(serial.get()));
        if (text) {
            s.serialNumber = text.get();
            std::transform(s.serialNumber.begin(), s.serialNumber.end(), s.serialNumber.begin(),
                           [](char c) { return static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c); });
        }
    }
    s.notBefore = isoTime(X509_get0_notBefore(cert_.get()));
    s.notAfter = isoTime(X509_get0_notAfter(cert_.get()));
    s.keyType = keyTypeName(X509_get0_pubkey(cert_.get()));
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdLen = 0;
    if (X509_digest(cert_.get(), EVP_sha256(), md, &mdLen) == 1) {
        s.sha256Fingerprint = hex(std::span<const unsigned char>(md, mdLen));
    }
    s.isCa = isCa();
    return s;
}

std::string chainToPem(const std::vector<Certificate>& chain) {
    std::string out;
    for (const Certificate& c : chain) out += c.pem();
    return out;
}

// ---- PrivateKey ----

void PrivateKey::Free::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

PrivateKey::PrivateKey(const PrivateKey& other) : key_(nullptr) {
    if (other.key_ && EVP_PKEY_up_ref(other.key_.get()) == 1) key_.reset(other.key_.get());
}

PrivateKey& PrivateKey::operator=(const PrivateKey& other) {
    if (this != &other) *this = PrivateKey(other);
    return *this;
}

PrivateKey PrivateKey::parse(std::span<const std::uint8_t> bytes, std::string_view origin) {
    ErrorQueueGuard guard;
    const std::string encrypted = "the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)";
    if (!looksLikePem(bytes)) {
        if (EVP_PKEY* key = decodeDerPrivateKey(bytes, EVP_PKEY_NONE)) return PrivateKey(key);
        if (isDerEncryptedKey(bytes)) throw fail(origin, encrypted);
        if (X509* cert = decodeDerCertificate(bytes, false)) {
            X509_free(cert);
            throw fail(origin, "file holds a certificate where a private key was expected");
        }
        throw fail(origin, "not a private key (expected PEM or DER)");
    }

    const std::vector<PemBlock> blocks = readPemBlocks(bytes, origin);
    const PemBlock* keyBlock = nullptr;
    std::size_t keys = 0;
    std::size_t certs = 0;
    for (const PemBlock& block : blocks) {
        if (isPrivateKeyLabel(block.name)) {
            ++keys;
            keyBlock = &block;
        } else if (isCertificateLabel(block.name)) {
            ++certs;
        } else if (block.name != "EC PARAMETERS") {  // `openssl ecparam -genkey` writes it before the key
            throw fail(origin, "holds a PEM \"" + block.name + "\" block, not a private key");
        }
    }
    if (keys == 0 && certs > 0) throw fail(origin, "file holds a certificate where a private key was expected");
    if (keys == 0) throw fail(origin, "not a private key (expected PEM or DER)");
    if (certs > 0) {
        throw fail(origin,
                   "file holds certificates as well as a private key; give the key and the certificate as "
                   "separate files");
    }
    if (keys > 1) throw fail(origin, "holds " + std::to_string(keys) + " private keys; expected exactly one");
    if (keyBlock->name == "ENCRYPTED PRIVATE KEY" || keyBlock->header.find("ENCRYPTED") != std::string::npos) {
        throw fail(origin, encrypted);
    }

    int type = EVP_PKEY_NONE;  // "PRIVATE KEY": PKCS#8, which names its own algorithm
    if (keyBlock->name == "RSA PRIVATE KEY") type = EVP_PKEY_RSA;
    if (keyBlock->name == "EC PRIVATE KEY") type = EVP_PKEY_EC;
    if (keyBlock->name == "DSA PRIVATE KEY") type = EVP_PKEY_DSA;
    EVP_PKEY* key = decodeDerPrivateKey(keyBlock->data, type);
    if (key == nullptr) throw fail(origin, "the PEM \"" + keyBlock->name + "\" block is not a valid private key");
    return PrivateKey(key);
}

PrivateKey PrivateKey::load(const std::filesystem::path& file) {
    std::vector<std::uint8_t> bytes = readFile(file);
    try {
        PrivateKey key = parse(bytes, file.string());
        OPENSSL_cleanse(bytes.data(), bytes.size());
        return key;
    } catch (...) {
        OPENSSL_cleanse(bytes.data(), bytes.size());
        throw;
    }
}

std::vector<std::uint8_t> PrivateKey::der() const {
    ErrorQueueGuard guard;
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Free> p8(EVP_PKEY2PKCS8(key_.get()));
    if (!p8) throw CryptoError("cannot encode the private key as PKCS#8");
    unsigned char* buf = nullptr;
    const int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &buf);
    if (len <= 0 || buf == nullptr) throw CryptoError("cannot encode the private key as PKCS#8");
    std::vector<std::uint8_t> out(buf, buf + len);
    OPENSSL_clear_free(buf, static_cast<std::size_t>(len));
    return out;
}

std::string PrivateKey::typeName() const { return keyTypeName(key_.get()); }

PrivateKey PrivateKey::generateEcKey() {
    ErrorQueueGuard guard;
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (key == nullptr) throw CryptoError("cannot generate an EC P-256 key" + openSslReason());
    return PrivateKey(key);
}

std::string PrivateKey::pem() const {
    ErrorQueueGuard guard;
    // A secure-memory BIO: the encoded key is wiped when the BIO is freed.
    BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        throw CryptoError("cannot PEM-encode the private key");
    }
    return drain(bio.get());
}

PublicKey PrivateKey::publicKey() const {
    ErrorQueueGuard guard;
    // Round trip through SubjectPublicKeyInfo so the result carries no private component.
    unsigned char* buf = nullptr;
    const int len = i2d_PUBKEY(key_.get(), &buf);
    if (len <= 0 || buf == nullptr) throw CryptoError("cannot encode the public key");
    const unsigned char* p = buf;
    EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, len);
    OPENSSL_free(buf);
    if (pub == nullptr) throw CryptoError("cannot decode the public key");
    return PublicKey(pub);
}

bool PrivateKey::matches(const Certificate& cert) const {
    ErrorQueueGuard guard;
    const EVP_PKEY* pub = X509_get0_pubkey(cert.native());
    return pub != nullptr && EVP_PKEY_eq(pub, key_.get()) == 1;
}

// ---- PublicKey ----

void PublicKey::Free::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

PublicKey::PublicKey(const PublicKey& other) : key_(nullptr) {
    if (other.key_ && EVP_PKEY_up_ref(other.key_.get()) == 1) key_.reset(other.key_.get());
}

PublicKey& PublicKey::operator=(const PublicKey& other) {
    if (this != &other) *this = PublicKey(other);
    return *this;
}

PublicKey PublicKey::parse(std::span<const std::uint8_t> bytes, std::string_view origin) {
    ErrorQueueGuard guard;
    const auto decode = [](std::span<const std::uint8_t> der) -> EVP_PKEY* {
        if (der.size() > static_cast<std::size_t>(LONG_MAX)) return nullptr;
        const unsigned char* p = der.data();
        EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
        if (key != nullptr && p != der.data() + der.size()) {
            EVP_PKEY_free(key);
            return nullptr;
        }
        return key;
    };
    if (!looksLikePem(bytes)) {
        if (EVP_PKEY* key = decode(bytes)) return PublicKey(key);
        if (isDerEncryptedKey(bytes)) throw fail(origin, "holds a private key where a public key was expected");
        if (EVP_PKEY* key = decodeDerPrivateKey(bytes, EVP_PKEY_NONE)) {
            EVP_PKEY_free(key);
            throw fail(origin, "holds a private key where a public key was expected");
        }
        if (X509* cert = decodeDerCertificate(bytes, false)) {
            X509_free(cert);
            throw fail(origin, "holds a certificate where a public key was expected");
        }
        throw fail(origin, "not a public key (expected PEM or DER SubjectPublicKeyInfo)");
    }

    const std::vector<PemBlock> blocks = readPemBlocks(bytes, origin);
    const PemBlock* keyBlock = nullptr;
    std::size_t keys = 0;
    for (const PemBlock& block : blocks) {
        if (isPrivateKeyLabel(block.name)) throw fail(origin, "holds a private key where a public key was expected");
        if (isCertificateLabel(block.name)) throw fail(origin, "holds a certificate where a public key was expected");
        if (block.name != "PUBLIC KEY") {
            throw fail(origin, "holds a PEM \"" + block.name + "\" block, not a public key");
        }
        ++keys;
        keyBlock = &block;
    }
    if (keys == 0) throw fail(origin, "not a public key (expected PEM or DER SubjectPublicKeyInfo)");
    if (keys > 1) throw fail(origin, "holds " + std::to_string(keys) + " public keys; expected exactly one");
    EVP_PKEY* key = decode(keyBlock->data);
    if (key == nullptr) throw fail(origin, "the PEM \"PUBLIC KEY\" block is not a valid public key" + openSslReason());
    return PublicKey(key);
}

std::vector<std::uint8_t> PublicKey::der() const {
    ErrorQueueGuard guard;
    unsigned char* buf = nullptr;
    const int len = i2d_PUBKEY(key_.get(), &buf);
    if (len <= 0 || buf == nullptr) throw CryptoError("cannot DER-encode a public key");
    std::vector<std::uint8_t> out(buf, buf + len);
    OPENSSL_free(buf);
    return out;
}

std::string PublicKey::pem() const {
    ErrorQueueGuard guard;
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) throw CryptoError("cannot PEM-encode a public key");
    return drain(bio.get());
}

std::string PublicKey::typeName() const { return keyTypeName(key_.get()); }

bool PublicKey::matches(const Certificate& cert) const {
    ErrorQueueGuard guard;
    const EVP_PKEY* pub = X509_get0_pubkey(cert.native());
    return pub != nullptr && EVP_PKEY_eq(pub, key_.get()) == 1;
}

}  // namespace steward::core
