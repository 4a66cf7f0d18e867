#pragma once
// The out-of-band secrets the server knows, one per deviceID: in memory only, so a restart forgets
// them all (the protocol requires it); each expires at its validUntil and is removed by the first
// successful provisioning that uses it.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "steward/crypto/secret_bytes.hpp"

namespace steward::plugins::idprov {

using Clock = std::chrono::system_clock;

struct OobSecret {
    core::SecretBytes secret;
    Clock::time_point validUntil;
};

// A secret just used, kept a short while with the key it was used for: a device whose answer was
// lost (timeout, dropped connection) asks again with the same hash proof and the same key and is
// given the certificate already issued, instead of being locked out until an admin posts a new
// secret.
struct SpentSecret {
    core::SecretBytes secret;
    std::string publicKeyPem;
    Clock::time_point keepUntil;
};

class OobStore {
public:
    void put(const std::string& deviceId, OobSecret secret);
    // A copy of the secret of `deviceId` if there is one. An expired one is returned too (so the
    // caller can say "expired" rather than "unknown") and removed at the same time.
    std::optional<OobSecret> find(const std::string& deviceId, Clock::time_point now);
    // Whether a secret (expired or not) is stored for `deviceId`; changes nothing.
    bool holds(const std::string& deviceId);
    // Removes it if it is still `secret` and says whether this call did: of two requests that
    // verified the same secret at once, only one takes it (the secret is one-time). A concurrent
    // put() of a new secret survives.
    bool take(const std::string& deviceId, const core::SecretBytes& secret);
    // Puts a taken secret back (issuing failed) unless a new one was posted meanwhile.
    void restore(const std::string& deviceId, OobSecret secret);
    // Wrong hashes never drop a secret (a stranger could burn it): guess_ledger.hpp.
    std::size_t size(Clock::time_point now);

    void rememberSpent(const std::string& deviceId, SpentSecret spent);
    std::optional<SpentSecret> spent(const std::string& deviceId, Clock::time_point now);

private:
    std::mutex mutex_;
    std::map<std::string, OobSecret> secrets_;
    std::map<std::string, SpentSecret> spent_;
};

}  // namespace steward::plugins::idprov
