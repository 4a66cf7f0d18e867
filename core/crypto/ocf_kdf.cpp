// OCF key derivations on OpenSSL 3's KDF API (TLS1-PRF and PBKDF2).
#include "steward/crypto/ocf_kdf.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "steward/crypto/digest.hpp"

namespace steward::core {
namespace {

struct KdfDeleter {
    void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
    void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

SecretBytes runKdf(const char* name, OSSL_PARAM* params, std::size_t length) {
    std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, name, nullptr));
    if (!kdf) throw std::runtime_error(std::string("OpenSSL has no KDF ") + name);
    std::unique_ptr<EVP_KDF_CTX, KdfDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
    SecretBytes out(length);
    if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
        throw std::runtime_error(std::string("KDF ") + name + " failed");
    }
    return out;
}

void* mutableBytes(std::span<const std::uint8_t> bytes) {
    // OSSL_PARAM takes non-const pointers but only reads these.
    return const_cast<std::uint8_t*>(bytes.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

std::vector<std::uint8_t> concat(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    std::vector<std::uint8_t> out(a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

}  // namespace

SecretBytes tls12Prf(std::span<const std::uint8_t> secret, std::string_view label, std::span<const std::uint8_t> seed, std::size_t length) {
    std::string digest = "SHA256";
    const auto fullSeed = concat({reinterpret_cast<const std::uint8_t*>(label.data()), label.size()}, seed);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, mutableBytes(secret), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, mutableBytes(fullSeed), fullSeed.size()),
        OSSL_PARAM_construct_end(),
    };
    return runKdf("TLS1-PRF", params, length);
}

SecretBytes ocfKeyBlock(const SessionSecrets& secrets) {
    if (secrets.masterSecret.size() != 48 || secrets.serverRandom.size() != 32 || secrets.clientRandom.size() != 32) {
        throw std::invalid_argument("session secrets: need a 48-byte master secret and two 32-byte randoms");
    }
    return tls12Prf(secrets.masterSecret, "key expansion", concat(secrets.serverRandom, secrets.clientRandom), 96);
}

SecretBytes deriveSessionBoundPsk(const SessionSecrets& secrets, std::string_view label, const Uuid& first, const Uuid& second) {
    const auto keyBlock = ocfKeyBlock(secrets);
    return tls12Prf(keyBlock.bytes(), label, concat(first.bytes(), second.bytes()), 16);
}

SecretBytes derivePinPsk(std::string_view pin, const Uuid& salt) {
    std::string digest = "SHA256";
    unsigned int iterations = 1000;
    auto password = SecretBytes::fromText(pin);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, password.data(), password.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, mutableBytes(salt.bytes()), salt.bytes().size()),
        OSSL_PARAM_construct_uint(OSSL_KDF_PARAM_ITER, &iterations),
        OSSL_PARAM_construct_end(),
    };
    return runKdf("PBKDF2", params, 16);
}

SecretBytes justWorksPsk(const Uuid& device) {
    const auto input = concat(labelIdentity(kJustWorksLabel), device.bytes());
    const auto digest = sha256(input);
    return SecretBytes(std::span<const std::uint8_t>(digest).first(16));
}

std::vector<std::uint8_t> randomPinHint(const Uuid& device) {
    auto hint = labelIdentity(std::string(kRandomPinLabel) + ":");
    hint.insert(hint.end(), device.bytes().begin(), device.bytes().end());
    return hint;
}

std::vector<std::uint8_t> labelIdentity(std::string_view label) { return {label.begin(), label.end()}; }

}  // namespace steward::core
