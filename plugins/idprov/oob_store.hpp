#pragma once
// The out-of-band secrets the server knows, one per deviceID: in memory only, so a restart forgets
// them all (the protocol requires it); each expires at its validUntil and is removed by the first
// successful provisioning that uses it.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace steward::plugins::idprov {

using Clock = std::chrono::system_clock;

struct OobSecret {
    std::string secret;
    Clock::time_point validUntil;
};

class OobStore {
public:
    void put(const std::string& deviceId, OobSecret secret);
    // The secret of `deviceId` if there is one. An expired one is returned too (so the caller can
    // say "expired" rather than "unknown") and removed at the same time.
    std::optional<OobSecret> find(const std::string& deviceId, Clock::time_point now);
    // Removes it if it is still `secret` and says whether this call did: of two requests that
    // verified the same secret at once, only one takes it (the secret is one-time). A concurrent
    // put() of a new secret survives.
    bool take(const std::string& deviceId, const std::string& secret);
    std::size_t size(Clock::time_point now);

private:
    std::mutex mutex_;
    std::map<std::string, OobSecret> secrets_;
};

}  // namespace steward::plugins::idprov
