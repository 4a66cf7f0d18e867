#pragma once
// A device's security engine: its SVR DB, the ownership-transfer session (DOC), PSK selection for
// DTLS peers, access control and the security resources' request handling. The device program
// (tools/device) wires its CoAP listeners to it; it holds no sockets itself.
//
// Thread-safe: the plain listener and the DTLS endpoint call it from their own threads.
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "steward/device/access_policy.hpp"
#include "steward/device/pin_guess_limiter.hpp"
#include "steward/svr/svr_database.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::core {

struct UpdateOutcome;  // svr_updates.hpp

struct DeviceSecurityHooks {
    // One line per state change ("ownership session opened from 127.0.0.1:40000 (oic.sec.doxm.jw)").
    std::function<void(const std::string& line)> log;
    // Random PIN: show this PIN to the user (the seed's sample server prints it).
    std::function<void(std::string_view pin)> showPin;
    // The TLS secrets of one of the device's DTLS sessions (for the owner PSK).
    std::function<std::optional<TlsKeyMaterial>(SessionId)> keyMaterial;
};

struct DeviceSecurityOptions {
    // A network POST of pstat dos.s=0 is answered first and the reset runs this much later.
    std::chrono::milliseconds resetDelay{2000};
    // Random PIN: how many guesses a LAN host may make (see pin_guess_limiter.hpp).
    PinGuessLimits pinGuesses;
    // An ownership session with no request for this long is abandoned (the gateway died without
    // closing it) and the device resets, so that another attempt can start.
    std::chrono::milliseconds ownershipSessionIdle{10000};
    // Direct Pairing (direct_pairing.hpp): the device hosts pconf and dpairing (a disabled pconf
    // is created when the database has none, e.g. after a reset).
    bool directPairing = false;
    // A client's pairing request is open this long for its PIN session and confirmation.
    std::chrono::milliseconds pairingWindow{60000};
    // PIN guesses against Direct Pairing, counted apart from ownership's.
    PinGuessLimits pairingGuesses;
};

class DeviceSecurity {
public:
    DeviceSecurity(SvrDatabase database, DeviceSecurityHooks hooks, DeviceSecurityOptions options = {});

    Uuid deviceId() const;
    SecurityResources snapshot() const;
    bool ownershipSessionOpen() const;
    // The PSK identity hint the DTLS listener must send now: the raw UUID, or in RFOTM on a
    // Random-PIN device "oic.sec.doxm.rdp:" + raw UUID. Changes only when ownership starts or ends.
    PskBytes identityHint() const;

    // DTLS server: the key for a client identity, or nullopt to refuse the handshake.
    std::optional<SecretBytes> keyForIdentity(std::span<const std::uint8_t> identity, const PeerInfo& peer);
    void onSessionEvent(const SessionEvent& event);

    // Access control for any resource of the device.
    AccessDecision authorize(const CoapRequest& request, const PeerInfo& peer) const;
    // GET/POST/DELETE on /oic/sec/*: decided (as authorize() would) and applied under one lock,
    // so a request checked against one state is never applied to another.
    CoapResponse handleSecurityRequest(const CoapRequest& request, const PeerInfo& peer);

    // Work that is due at a time (the delayed reset): runs it if due and tells when next.
    void runDueWork(std::chrono::steady_clock::time_point now);
    std::optional<std::chrono::steady_clock::time_point> nextDueWork() const;

    // Local reset (steward-device --reset, or the device's own decision): restores the reset profile.
    void reset(const std::string& why);

private:
    std::optional<Uuid> authenticatedPeer(const PeerInfo& peer) const;
    AccessDecision decide(const CoapRequest& request, const PeerInfo& peer) const;  // mutex_ held
    CoapResponse get(const CoapRequest& request, ResourceClass c) const;
    CoapResponse store(const SecurityResources& updated, CoapCode code);
    // store() and what follows a stored change (the PIN to show, the delayed reset). mutex_ held.
    CoapResponse commit(const SecurityResources& updated, const UpdateOutcome& outcome, DosState before);
    void showNewPin();  // mutex_ held
    void resetLocked(const std::string& why);
    // Random PIN: shows a new PIN once the limiter says the shown one drew too many wrong guesses.
    void rotatePinIfSpent();  // mutex_ held
    void ensurePairingResourcesLocked();
    CoapResponse handlePairing(const CoapRequest& request, const PeerInfo& peer);  // dpairing writes
    CoapResponse startPairing(const CoapRequest& request, const PeerInfo& peer);
    CoapResponse confirmPairing(const CoapRequest& request, const PeerInfo& peer);
    bool onPairingSession(const PeerInfo& peer) const;
    void log(const std::string& line) const;
    std::string describeState() const;
    // The resources as the device sees them: the file, or changes not yet written (RFOTM).
    const SecurityResources& current() const { return unsaved_ ? *unsaved_ : db_.resources(); }

    mutable std::mutex mutex_;
    SvrDatabase db_;
    std::optional<SecurityResources> unsaved_;
    DeviceSecurityHooks hooks_;
    DeviceSecurityOptions options_;
    SessionId docSession_ = 0;
    std::chrono::steady_clock::time_point docLastActivity_{};
    SecretBytes currentPin_;
    SecretBytes currentPinKey_;  // derived from currentPin_ when it is shown
    PinGuessLimiter pinGuesses_;
    std::optional<std::chrono::steady_clock::time_point> resetDue_;

    // The one Direct Pairing in progress: a client asked (plain dpairing POST) and may now open a
    // PIN session and confirm on it before `expires`.
    struct PendingPairing {
        Uuid client;
        int method = 0;
        SecretBytes pin;
        std::chrono::steady_clock::time_point expires;
        SessionId session = 0;  // the PIN session, once established
    };
    std::optional<PendingPairing> pairing_;
    PinGuessLimiter pairingGuesses_;
};

// A fresh 8-digit PIN from the CSPRNG.
SecretBytes generatePin();

}  // namespace steward::core
