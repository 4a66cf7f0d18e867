#include "steward/idprov/oob_hash.hpp"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "steward/idprov/idprov_error.hpp"

namespace steward::idprov {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// What we accept from the other side: other implementations pick other sizes, but a salt shorter
// than 128 bits or a tag shorter than 128 bits is not a hash we trust.
constexpr std::size_t kMinSaltBytes = 16;
constexpr std::size_t kMaxSaltBytes = 64;
constexpr std::size_t kMinHashBytes = 16;
constexpr std::size_t kMaxHashBytes = 64;

constexpr std::string_view kArgon2Prefix = "$argon2id$";
constexpr std::string_view kPbkdf2Prefix = "$pbkdf2-sha256$";

[[noreturn]] void fail(const std::string& why) { throw IdprovError("oobsHash: " + why); }

// Wipes a buffer of derived or secret bytes when it goes out of scope.
struct Wiped {
    std::vector<std::uint8_t> bytes;
    explicit Wiped(std::size_t n) : bytes(n) {}
    ~Wiped() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
    Wiped(const Wiped&) = delete;
    Wiped& operator=(const Wiped&) = delete;
};

// --- base64, standard alphabet, no padding; decoding is strict (canonical input only) ---------

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encodeBase64(std::span<const std::uint8_t> in) {
    std::string out;
    out.reserve((in.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (in.size() - i == 1) {
        const std::uint32_t v = std::uint32_t{in[i]} << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
    } else if (in.size() - i == 2) {
        const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

int base64Value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// nullopt for padding, characters outside the alphabet, an impossible length (4n+1) or unused
// low bits that are not zero (so that every accepted string is the one encodeBase64 gives).
std::optional<std::vector<std::uint8_t>> decodeBase64(std::string_view in) {
    if (in.size() % 4 == 1) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(in.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char c : in) {
        const int v = base64Value(c);
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
        }
    }
    if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

// --- PHC string parsing -------------------------------------------------------------------------

struct ParsedHash {
    OobHashAlgorithm algorithm = OobHashAlgorithm::Argon2id;
    std::uint32_t memoryKiB = 0;
    std::uint32_t passes = 0;
    std::uint32_t lanes = 0;
    std::uint32_t iterations = 0;
    std::vector<std::uint8_t> salt;
    std::vector<std::uint8_t> hash;
};

// Splits "a$b$c" on '$' (the leading '$' already removed by the caller's prefix check).
std::vector<std::string_view> splitDollar(std::string_view s) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        const auto pos = s.find('$', start);
        if (pos == std::string_view::npos) {
            parts.push_back(s.substr(start));
            return parts;
        }
        parts.push_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

// A decimal number without sign or leading zeros, at most UINT32_MAX; nullopt otherwise.
std::optional<std::uint32_t> parseDecimal(std::string_view s) {
    if (s.empty() || s.size() > 10 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

// "name=<decimal>" within [min, max].
std::uint32_t parameter(std::string_view field, std::string_view name, std::uint32_t min, std::uint32_t max) {
    const std::string prefix = std::string(name) + "=";
    if (!field.starts_with(prefix)) fail("expected parameter '" + std::string(name) + "'");
    const auto v = parseDecimal(field.substr(prefix.size()));
    if (!v) fail("parameter '" + std::string(name) + "' is not a decimal number");
    if (*v < min || *v > max) {
        fail("parameter '" + std::string(name) + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return *v;
}

void decodeSaltAndHash(std::string_view salt, std::string_view hash, ParsedHash& out) {
    auto s = decodeBase64(salt);
    if (!s) fail("the salt is not unpadded standard base64");
    if (s->size() < kMinSaltBytes || s->size() > kMaxSaltBytes) {
        fail("the salt must be " + std::to_string(kMinSaltBytes) + ".." + std::to_string(kMaxSaltBytes) + " bytes");
    }
    auto h = decodeBase64(hash);
    if (!h) fail("the hash is not unpadded standard base64");
    if (h->size() < kMinHashBytes || h->size() > kMaxHashBytes) {
        fail("the hash must be " + std::to_string(kMinHashBytes) + ".." + std::to_string(kMaxHashBytes) + " bytes");
    }
    out.salt = std::move(*s);
    out.hash = std::move(*h);
}

// Every check on a received hash, before any KDF work.
ParsedHash parseHash(std::string_view encoded) {
    if (encoded.empty()) fail("empty");
    if (encoded.size() > kMaxOobHashChars) fail("longer than " + std::to_string(kMaxOobHashChars) + " characters");
    ParsedHash out;
    if (encoded.starts_with(kArgon2Prefix)) {
        // $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
        const auto parts = splitDollar(encoded.substr(kArgon2Prefix.size()));
        if (parts.size() != 4) fail("an Argon2id hash has the form $argon2id$v=19$m=..,t=..,p=..$salt$hash");
        if (parts[0] != "v=19") fail("only Argon2 version 19 is supported");
        const auto params = parts[1];
        const auto c1 = params.find(',');
        const auto c2 = c1 == std::string_view::npos ? c1 : params.find(',', c1 + 1);
        if (c2 == std::string_view::npos || params.find(',', c2 + 1) != std::string_view::npos) {
            fail("Argon2id parameters must be m=..,t=..,p=..");
        }
        out.algorithm = OobHashAlgorithm::Argon2id;
        out.memoryKiB = parameter(params.substr(0, c1), "m", kMinArgon2MemoryKiB, kMaxArgon2MemoryKiB);
        out.passes = parameter(params.substr(c1 + 1, c2 - c1 - 1), "t", 1, kMaxArgon2Passes);
        out.lanes = parameter(params.substr(c2 + 1), "p", 1, kMaxArgon2Lanes);
        decodeSaltAndHash(parts[2], parts[3], out);
        return out;
    }
    if (encoded.starts_with(kPbkdf2Prefix)) {
        // $pbkdf2-sha256$i=<iterations>$<salt>$<hash>
        const auto parts = splitDollar(encoded.substr(kPbkdf2Prefix.size()));
        if (parts.size() != 3) fail("a PBKDF2 hash has the form $pbkdf2-sha256$i=..$salt$hash");
        out.algorithm = OobHashAlgorithm::Pbkdf2Sha256;
        out.iterations = parameter(parts[0], "i", kMinPbkdf2Iterations, kMaxPbkdf2Iterations);
        decodeSaltAndHash(parts[1], parts[2], out);
        return out;
    }
    fail("not a supported hash (expected $argon2id$... or $pbkdf2-sha256$...)");
}

void checkSecret(std::string_view secret) {
    if (secret.empty()) throw IdprovError("oobSecret: empty");
    if (secret.size() > kMaxOobSecretBytes) {
        throw IdprovError("oobSecret: longer than " + std::to_string(kMaxOobSecretBytes) + " bytes");
    }
}

// The KDF itself, with parameters already checked.
void derive(const ParsedHash& p, std::string_view secret, std::span<std::uint8_t> out) {
    if (p.algorithm == OobHashAlgorithm::Argon2id) {
        const int rc = argon2id_hash_raw(p.passes, p.memoryKiB, p.lanes, secret.data(), secret.size(), p.salt.data(), p.salt.size(),
                                         out.data(), out.size());
        if (rc != ARGON2_OK) throw IdprovError(std::string("oobsHash: Argon2id failed: ") + argon2_error_message(rc));
        return;
    }
    if (PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()), p.salt.data(), static_cast<int>(p.salt.size()),
                          static_cast<int>(p.iterations), EVP_sha256(), static_cast<int>(out.size()), out.data()) != 1) {
        throw IdprovError("oobsHash: PBKDF2 failed");
    }
}

}  // namespace

std::string_view algorithmName(OobHashAlgorithm algorithm) {
    switch (algorithm) {
        case OobHashAlgorithm::Argon2id:
            return "Argon2id";
        case OobHashAlgorithm::Pbkdf2Sha256:
            return "PBKDF2";
    }
    return "unknown";
}

std::optional<OobHashAlgorithm> parseAlgorithm(std::string_view name) {
    std::string lower;
    lower.reserve(name.size());
    for (const char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "argon2id") return OobHashAlgorithm::Argon2id;
    if (lower == "pbkdf2" || lower == "pbkdf2-sha256") return OobHashAlgorithm::Pbkdf2Sha256;
    return std::nullopt;
}

std::vector<OobHashAlgorithm> supportedAlgorithms() { return {OobHashAlgorithm::Argon2id, OobHashAlgorithm::Pbkdf2Sha256}; }

std::string hashOobSecret(std::string_view secret, OobHashAlgorithm algorithm, const OobHashCost& cost) {
    checkSecret(secret);
    ParsedHash p;
    p.algorithm = algorithm;
    const auto within = [](std::uint32_t v, std::uint32_t min, std::uint32_t max, const char* what) {
        if (v < min || v > max) {
            throw IdprovError(std::string("oob hash cost: ") + what + " must be between " + std::to_string(min) + " and " +
                              std::to_string(max));
        }
    };
    if (algorithm == OobHashAlgorithm::Argon2id) {
        within(cost.argon2MemoryKiB, kMinArgon2MemoryKiB, kMaxArgon2MemoryKiB, "argon2MemoryKiB");
        within(cost.argon2Passes, 1, kMaxArgon2Passes, "argon2Passes");
        within(cost.argon2Lanes, 1, kMaxArgon2Lanes, "argon2Lanes");
        p.memoryKiB = cost.argon2MemoryKiB;
        p.passes = cost.argon2Passes;
        p.lanes = cost.argon2Lanes;
    } else {
        within(cost.pbkdf2Iterations, kMinPbkdf2Iterations, kMaxPbkdf2Iterations, "pbkdf2Iterations");
        p.iterations = cost.pbkdf2Iterations;
    }
    p.salt.resize(kSaltBytes);
    if (RAND_bytes(p.salt.data(), static_cast<int>(p.salt.size())) != 1) throw IdprovError("oob hash: no random salt");
    Wiped derived(kHashBytes);
    derive(p, secret, derived.bytes);
    const std::string salt = encodeBase64(p.salt);
    const std::string hash = encodeBase64(derived.bytes);
    if (algorithm == OobHashAlgorithm::Argon2id) {
        return std::string(kArgon2Prefix) + "v=19$m=" + std::to_string(p.memoryKiB) + ",t=" + std::to_string(p.passes) +
               ",p=" + std::to_string(p.lanes) + "$" + salt + "$" + hash;
    }
    return std::string(kPbkdf2Prefix) + "i=" + std::to_string(p.iterations) + "$" + salt + "$" + hash;
}

OobHashAlgorithm algorithmOfHash(std::string_view encoded) { return parseHash(encoded).algorithm; }

OobHashParameters oobHashParameters(std::string_view encoded) {
    const ParsedHash p = parseHash(encoded);
    OobHashParameters out;
    out.algorithm = p.algorithm;
    out.argon2MemoryKiB = p.memoryKiB;
    out.argon2Passes = p.passes;
    out.argon2Lanes = p.lanes;
    out.pbkdf2Iterations = p.iterations;
    out.saltBytes = p.salt.size();
    out.hashBytes = p.hash.size();
    return out;
}

bool verifyOobHash(std::string_view encoded, std::string_view secret, OobHashAlgorithm expected) {
    const ParsedHash p = parseHash(encoded);
    if (p.algorithm != expected) {
        fail("is a " + std::string(algorithmName(p.algorithm)) + " hash, not " + std::string(algorithmName(expected)));
    }
    checkSecret(secret);
    Wiped derived(p.hash.size());
    derive(p, secret, derived.bytes);
    return CRYPTO_memcmp(derived.bytes.data(), p.hash.data(), p.hash.size()) == 0;
}

}  // namespace steward::idprov
