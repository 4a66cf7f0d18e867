#include "steward/idprov/oob_hash_policy.hpp"

#include <charconv>
#include <vector>

#include "steward/idprov/idprov_error.hpp"

namespace steward::idprov {
namespace {

[[noreturn]] void fail(const std::string& why) { throw IdprovError("oobsHashParams: " + why); }

std::vector<std::string_view> splitComma(std::string_view s) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const auto pos = s.find(',', start);
        parts.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) return parts;
        start = pos + 1;
    }
}

// "name=<decimal>" within [min, max], decimal without sign or leading zeros.
std::uint32_t field(std::string_view text, std::string_view name, std::uint32_t min, std::uint32_t max) {
    const std::string prefix = std::string(name) + "=";
    if (!text.starts_with(prefix)) fail("expected '" + std::string(name) + "=<number>'");
    const std::string_view digits = text.substr(prefix.size());
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || (digits.size() > 1 && digits[0] == '0')) {
        fail("'" + std::string(name) + "' is not a decimal number");
    }
    if (value < min || value > max) {
        fail("'" + std::string(name) + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return value;
}

}  // namespace

std::string costParameters(OobHashAlgorithm algorithm, const OobHashCost& cost) {
    if (algorithm == OobHashAlgorithm::Argon2id) {
        return "m=" + std::to_string(cost.argon2MemoryKiB) + ",t=" + std::to_string(cost.argon2Passes) +
               ",p=" + std::to_string(cost.argon2Lanes);
    }
    return "i=" + std::to_string(cost.pbkdf2Iterations);
}

OobHashCost parseCostParameters(OobHashAlgorithm algorithm, std::string_view parameters, OobHashCost base) {
    if (parameters.size() > 64) fail("longer than 64 characters");
    const auto parts = splitComma(parameters);
    if (algorithm == OobHashAlgorithm::Argon2id) {
        if (parts.size() != 3) fail("Argon2id parameters must be m=..,t=..,p=..");
        base.argon2MemoryKiB = field(parts[0], "m", kMinArgon2MemoryKiB, kMaxArgon2MemoryKiB);
        base.argon2Passes = field(parts[1], "t", 1, kMaxArgon2Passes);
        base.argon2Lanes = field(parts[2], "p", 1, kMaxArgon2Lanes);
        return base;
    }
    if (parts.size() != 1) fail("PBKDF2 parameters must be i=..");
    base.pbkdf2Iterations = field(parts[0], "i", kMinPbkdf2Iterations, kMaxPbkdf2Iterations);
    return base;
}

std::string costProblem(const OobHashParameters& received, const OobHashCost& accepted) {
    const std::string wanted = costParameters(received.algorithm, accepted);
    const std::string name(algorithmName(received.algorithm));
    if (received.algorithm == OobHashAlgorithm::Argon2id) {
        if (received.argon2MemoryKiB != accepted.argon2MemoryKiB || received.argon2Passes != accepted.argon2Passes ||
            received.argon2Lanes != accepted.argon2Lanes) {
            return "this server accepts " + name + " hashes with " + wanted + " only (see the directory's oobsHashParams)";
        }
        return "";
    }
    if (received.pbkdf2Iterations != accepted.pbkdf2Iterations) {
        return "this server accepts " + name + " hashes with " + wanted + " only (see the directory's oobsHashParams)";
    }
    if (received.hashBytes > kMaxPbkdf2HashBytesAccepted) {
        return "this server accepts PBKDF2 hashes of at most " + std::to_string(kMaxPbkdf2HashBytesAccepted) + " bytes";
    }
    return "";
}

}  // namespace steward::idprov
