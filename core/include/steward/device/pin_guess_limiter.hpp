#pragma once
// How many PINs a LAN host may try against a Random-PIN device (ownership; later Direct Pairing).
//
// A guess is charged when the device hands out the PIN key, and refunded only if the session is
// established: a wrong Finished is refused at once (bad_record_mac), but a client that stops after
// its key exchange is seen only when the handshake stalls, and meanwhile must not let other
// handshakes guess. On top of that:
//   - one PIN handshake at a time: while one holds the key, every other is refused — except
//     that one held longer than `preemptAfter` gives way to a handshake from another address
//     (which must itself pass the checks below) and is charged as a failure at that moment. Its
//     handshake may still finish (a right PIN still opens the session), so every attempt is
//     charged exactly once and the bound on guesses stands, but an attacker can no longer keep
//     the owner out by holding the key half-open;
//   - each address gets a few free failures, then a back-off that doubles up to a maximum — only
//     failures arm it, refusals do not, and it locks out that address only;
//   - a global ceiling (a token bucket of failures) bounds an attacker who has many addresses;
//   - after a few failures against one PIN the device shows a new one (pinSpent()), so a stream
//     of wrong guesses can never keep one PIN under attack for long; the gateway, told wrong_pin,
//     asks its user for the new PIN.
// The ceiling can delay the owner while such an attacker keeps it empty, but never for longer
// than one refill period after the attack stops, and one host alone can never reach it. Rotating
// the PIN neither refills nor resets anything: the bound on guesses is the bound on the rate,
// and each guess wins with probability 10^-8 (docs/device-dos.md has the numbers).
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
    int rotatePinAfterFailures = 5;      // failures against one PIN before a new one; 0: never
    // A PIN handshake on a LAN finishes one round trip after it gets the key; one that holds it
    // longer than this gives way to another address.
    std::chrono::milliseconds preemptAfter{1000};
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
    // The log line of the attempt the last admit() made give way (charged as a failure), once.
    std::optional<std::string> takePreempted();
    // A new PIN was shown: an attempt in flight cannot be for it any more. Failures stay counted.
    void abandonInFlight(Clock::time_point now);

    // As many failures as rotatePinAfterFailures were charged since the last newPinShown():
    // the owner of the limiter should show a new PIN (and then call newPinShown()).
    bool pinSpent() const { return limits_.rotatePinAfterFailures > 0 && failuresOnPin_ >= limits_.rotatePinAfterFailures; }
    // A new PIN is shown: failures against the old one no longer count towards rotation (the
    // back-off and the ceiling keep them).
    void newPinShown() { failuresOnPin_ = 0; }

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
    int failuresOnPin_ = 0;
    std::optional<std::string> preempted_;
};

}  // namespace steward::core
