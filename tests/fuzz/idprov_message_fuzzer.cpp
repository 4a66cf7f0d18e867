// libFuzzer target for the IDProv protocol's parsers (core/idprov): the same bytes go to the five
// message parsers and to the OOB hash parser. Each must give a value or an IdprovError, nothing
// else (an escaping exception aborts), and whatever parses must serialise and parse back to the
// same value. Hashes that parse are verified against a fixed secret when their cost is small.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "steward/idprov/idprov_error.hpp"
#include "steward/idprov/messages.hpp"
#include "steward/idprov/oob_hash.hpp"

using namespace steward::idprov;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// Runs the KDF only for hashes that cost little: the limits in oob_hash.hpp keep a single
// verification bounded (up to 64 MiB x 10 passes, 5M iterations), but that is seconds, and the
// fuzzer should spend its time on parsing.
void verifyIfCheap(std::string_view encoded) {
    OobHashParameters p;
    try {
        p = oobHashParameters(encoded);
    } catch (const IdprovError&) {
        return;
    }
    check(algorithmOfHash(encoded) == p.algorithm);
    const bool cheap = p.algorithm == OobHashAlgorithm::Argon2id
                           ? std::uint64_t{p.argon2MemoryKiB} * p.argon2Passes <= 4096 && p.argon2Lanes <= 2
                           : p.pbkdf2Iterations <= 20000;
    if (!cheap) return;
    (void)verifyOobHash(encoded, "fuzz", p.algorithm);
    // The other algorithm's name is refused before any work.
    const auto other = p.algorithm == OobHashAlgorithm::Argon2id ? OobHashAlgorithm::Pbkdf2Sha256 : OobHashAlgorithm::Argon2id;
    try {
        (void)verifyOobHash(encoded, "fuzz", other);
        std::abort();
    } catch (const IdprovError&) {
    }
}

template <typename Message, typename Parse>
void roundTrip(std::string_view body, Parse parse) {
    Message first;
    try {
        first = parse(body);
    } catch (const IdprovError&) {
        return;
    }
    const std::string json = toJson(first);
    const Message second = parse(json);  // must not throw: what we write, we read
    check(second == first);
    check(toJson(second) == json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    roundTrip<Directory>(body, parseDirectory);
    roundTrip<OobSecretPost>(body, parseOobSecretPost);
    roundTrip<ProvisionResponse>(body, parseProvisionResponse);
    roundTrip<StatusResponse>(body, parseStatusResponse);
    roundTrip<ProvisionRequest>(body, parseProvisionRequest);

    // Hashes inside messages, and the bytes themselves as a hash.
    try {
        verifyIfCheap(parseProvisionRequest(body).oobsHash);
    } catch (const IdprovError&) {
    }
    try {
        verifyIfCheap(parseProvisionResponse(body).oobsHash);
    } catch (const IdprovError&) {
    }
    verifyIfCheap(body);
    (void)deviceIdProblem(body);
    return 0;
}
