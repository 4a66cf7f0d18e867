#pragma once
// How many PINs a LAN host may try against a Random-PIN device (ownership; later Direct Pairing).
//
// A guess is charged when the device hands out the PIN key, and refunded only if the session is
// established: a wrong Finished is refused at once (bad_record_mac), but a client that stops after
// its key exchange is seen only when the handshake stalls, and meanwhile must not let other
// handshakes guess. On top of that:
//   - one PIN handshake at a time: while one holds the key, every other is refused;
//   - each address gets a few free failures, then a back-off that doubles up to a maximum — only
//     failures arm it, refusals do not, and it locks out that address only;
//   - a global ceiling (a token bucket of failures) bounds an attacker who has many addresses.
// The ceiling can delay the owner while such an attacker keeps it empty, but never for longer
// than one refill period after the attack stops, and one host alone can never reach it.
//
// Not thread-safe: the owner (DeviceSecurity) calls it under its lock.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace steward::core {

struct PinGuessLimits {
    int freeFailuresPerAddress = 3;
    std::chrono::milliseconds addressBackoff{5000};       // after the free failures, doubling...
    std::chrono::milliseconds addressBackoffMax{120000};  // ...up to this
    int globalBurst = 10;                                 // failures anyone may spend at once
    std::chrono::milliseconds globalRefill{60000};        // then one more per period
    // A handshake that got the key and was never reported as ended counts as a failure after this.
    std::chrono::milliseconds attemptTimeout{15000};
    std::size_t addressesTracked = 256;  // memory bound; the global ceiling still holds beyond it
};

class PinGuessLimiter {
public:
    using Clock = std::chrono::steady_clock;
    using AttemptId = std::uint64_t;  // the DTLS session's id

    explicit PinGuessLimiter(PinGuessLimits limits = {});

    // A handshake from `address` asks for the PIN key. nullopt: granted, the attempt is in flight
    // and counts as a failure unless succeeded() follows. Otherwise: why it is refused (for logs).
    std::optional<std::string> admit(AttemptId attempt, const std::string& address, Clock::time_point now);
    // The attempt's session was established: the PIN was right. False if `attempt` was not the
    // one in flight (a session that never asked for the PIN key).
    bool succeeded(AttemptId attempt);
    // The attempt's handshake failed. Returns a log line if it was the attempt in flight (a guess
    // was spent), nullopt for a session that never got the key.
    std::optional<std::string> failed(AttemptId attempt, Clock::time_point now);
    // A new PIN was shown: an attempt in flight cannot be for it any more. Failures stay counted.
    void abandonInFlight(Clock::time_point now);

    int failuresCharged() const { return failuresCharged_; }

private:
    struct AddressRecord {
        int failures = 0;
        Clock::time_point lockedUntil{};
        Clock::time_point lastFailure{};
    };
    struct InFlight {
        AttemptId attempt = 0;
        std::string address;
        Clock::time_point started{};
    };

    void expireInFlight(Clock::time_point now);
    std::string charge(const std::string& address, Clock::time_point now);  // one failure; the log line
    void refill(Clock::time_point now);
    void forgetIdleAddresses(Clock::time_point now);

    PinGuessLimits limits_;
    std::optional<InFlight> inFlight_;
    std::map<std::string, AddressRecord> addresses_;
    double tokens_;
    Clock::time_point lastRefill_{};
    bool started_ = false;
    int failuresCharged_ = 0;
};

}  // namespace steward::core
