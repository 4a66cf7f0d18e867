#pragma once
// Hashes of an out-of-band secret (IDProv `oobsHash`), in the PHC string format so the parameters
// travel with the hash and either side can verify what the other made with its own salt:
//   Argon2id: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt b64>$<hash b64>   (libargon2)
//   PBKDF2:   $pbkdf2-sha256$i=<iterations>$<salt b64>$<hash b64>                   (OpenSSL)
// (b64 = standard alphabet without padding.) New hashes have a 16-byte random salt and a 32-byte
// hash; a received one may have 16..64 bytes of each.
//
// The hash string comes from the network, so verification bounds every cost parameter before
// running the KDF: a request cannot make the server allocate gigabytes or spin for minutes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace steward::idprov {

enum class OobHashAlgorithm { Argon2id, Pbkdf2Sha256 };

// The protocol's names: "Argon2id" and "PBKDF2".
std::string_view algorithmName(OobHashAlgorithm algorithm);
// Case-insensitive; nullopt for anything else (bcrypt, scrypt, ...: not supported here).
std::optional<OobHashAlgorithm> parseAlgorithm(std::string_view name);
// What this build can verify, strongest first (the directory's `oobsHashAlg`).
std::vector<OobHashAlgorithm> supportedAlgorithms();

// Cost of a new hash. Defaults follow OWASP's password storage guidance.
struct OobHashCost {
    std::uint32_t argon2MemoryKiB = 19456;
    std::uint32_t argon2Passes = 2;
    std::uint32_t argon2Lanes = 1;
    std::uint32_t pbkdf2Iterations = 600000;
};

// Limits on a hash received from the other side (refused outside them, before any KDF work).
inline constexpr std::uint32_t kMaxArgon2MemoryKiB = 65536;  // 64 MiB: a few requests at once stay affordable
inline constexpr std::uint32_t kMinArgon2MemoryKiB = 1024;
inline constexpr std::uint32_t kMaxArgon2Passes = 10;
inline constexpr std::uint32_t kMaxArgon2Lanes = 8;
inline constexpr std::uint32_t kMaxPbkdf2Iterations = 5000000;
inline constexpr std::uint32_t kMinPbkdf2Iterations = 10000;
inline constexpr std::size_t kMaxOobSecretBytes = 512;
inline constexpr std::size_t kMaxOobHashChars = 512;

// A fresh salted hash of `secret` (1..kMaxOobSecretBytes bytes; salt from OpenSSL's RAND_bytes,
// so two calls never give the same string). Throws IdprovError for an empty or oversize secret
// or a cost outside the limits above. Thread-safe.
std::string hashOobSecret(std::string_view secret, OobHashAlgorithm algorithm, const OobHashCost& cost = {});

// The algorithm a PHC string names. Throws IdprovError("oobsHash: ...") if the string is not a
// well-formed hash of a supported algorithm with parameters inside the limits: at most
// kMaxOobHashChars, canonical unpadded base64, salt 16..64 bytes, hash 16..64 bytes, Argon2
// version 19 with m, t, p in that order, decimal numbers without sign or leading zeros.
OobHashAlgorithm algorithmOfHash(std::string_view encoded);

// The cost a received hash asks for (e.g. to log it, or for a caller with tighter limits than the
// ones above). Same checks and exceptions as algorithmOfHash(); no KDF work.
struct OobHashParameters {
    OobHashAlgorithm algorithm = OobHashAlgorithm::Argon2id;
    std::uint32_t argon2MemoryKiB = 0;  // Argon2id only (0 otherwise)
    std::uint32_t argon2Passes = 0;
    std::uint32_t argon2Lanes = 0;
    std::uint32_t pbkdf2Iterations = 0;  // PBKDF2 only (0 otherwise)
    std::size_t saltBytes = 0;
    std::size_t hashBytes = 0;
};
OobHashParameters oobHashParameters(std::string_view encoded);

// Whether `encoded` is a hash of `secret` (constant-time comparison of the derived bytes).
// Throws IdprovError if `encoded` is malformed, out of limits, or of another algorithm than
// `expected` (a request must hash with the algorithm it names), or if `secret` is empty or longer
// than kMaxOobSecretBytes. All checks come before the KDF runs. Thread-safe; the KDF's cost is
// the hash's (up to kMaxArgon2MemoryKiB of memory and kMaxArgon2Lanes threads for Argon2id).
bool verifyOobHash(std::string_view encoded, std::string_view secret, OobHashAlgorithm expected);

}  // namespace steward::idprov
