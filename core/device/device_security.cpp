// The device's security engine: sessions, PSKs, the ownership session's life, request handling.
#include "steward/device/device_security.hpp"

#include <algorithm>

#include "steward/crypto/ocf_kdf.hpp"
#include "steward/crypto/random.hpp"
#include "steward/device/device_certificates.hpp"
#include "steward/device/direct_pairing.hpp"
#include "steward/device/dos_transitions.hpp"
#include "steward/device/svr_updates.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::core {
namespace {

bool bytesEqual(std::span<const std::uint8_t> a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](std::uint8_t x, char y) { return x == static_cast<std::uint8_t>(y); });
}

std::string_view otmLabel(int oxmsel) { return oxmsel == oxm::kRandomPin ? kRandomPinLabel : kJustWorksLabel; }

bool offersRandomPin(const Doxm& d) { return std::find(d.oxms.begin(), d.oxms.end(), oxm::kRandomPin) != d.oxms.end(); }

std::string peerText(const PeerInfo& p) { return p.remoteAddress + ":" + std::to_string(p.remotePort); }

std::string_view pairingMethodName(int method) { return method == pairing_method::kRandomPin ? "random PIN" : "pre-configured PIN"; }

}  // namespace

SecretBytes generatePin() {
    SecretBytes pin(8);
    for (std::size_t filled = 0; filled < pin.size();) {
        // Rejection sampling keeps the digits uniform.
        std::uint8_t b = 0;
        randomBytes(std::span<std::uint8_t>(&b, 1));
        if (b < 250) pin.data()[filled++] = static_cast<std::uint8_t>('0' + b % 10);
    }
    return pin;
}

DeviceSecurity::DeviceSecurity(SvrDatabase database, DeviceSecurityHooks hooks, DeviceSecurityOptions options)
    : db_(std::move(database)),
      hooks_(std::move(hooks)),
      options_(options),
      pinGuesses_(options.pinGuesses),
      pairingGuesses_(options.pairingGuesses) {
    const auto& r = current();
    if (r.pstat.dos.state == DosState::Reset) {
        resetLocked("the database was left in RESET (interrupted reset)");
    } else if (r.pstat.dos.state == DosState::Rfotm && (r.doxm.owned || !r.doxm.devowneruuid.isNil())) {
        // Stopped in the middle of an ownership transfer: the session that carried it is gone.
        resetLocked("an ownership transfer was interrupted");
    }
    ensurePairingResourcesLocked();
}

void DeviceSecurity::ensurePairingResourcesLocked() {
    if (!options_.directPairing || (current().pconf && current().dpairing)) return;
    SecurityResources updated = current();
    ensurePairingResources(updated);
    (void)store(updated, CoapCode::Changed);
}

void DeviceSecurity::log(const std::string& line) const {
    if (hooks_.log) hooks_.log(line);
}

std::string DeviceSecurity::describeState() const {
    const auto& r = current();
    return std::string(dosStateName(r.pstat.dos.state)) + (r.doxm.owned ? ", owned by " + r.doxm.devowneruuid.toString() : ", unowned");
}

Uuid DeviceSecurity::deviceId() const {
    const std::lock_guard lock(mutex_);
    return current().doxm.deviceuuid;
}

SecurityResources DeviceSecurity::snapshot() const {
    const std::lock_guard lock(mutex_);
    return current();
}

bool DeviceSecurity::ownershipSessionOpen() const {
    const std::lock_guard lock(mutex_);
    return docSession_ != 0;
}

PskBytes DeviceSecurity::identityHint() const {
    const std::lock_guard lock(mutex_);
    const auto& r = current();
    // A UUID with a 0x00 byte cannot travel as a hint (see psk.hpp): send none rather than a
    // truncated one; clients that pick their key by identity, as Steward's do, still connect.
    if (!r.doxm.deviceuuid.isPskUsable()) return {};
    if (r.pstat.dos.state == DosState::Rfotm && offersRandomPin(r.doxm)) return randomPinHint(r.doxm.deviceuuid);
    return {r.doxm.deviceuuid.bytes().begin(), r.doxm.deviceuuid.bytes().end()};
}

std::optional<SecretBytes> DeviceSecurity::keyForIdentity(std::span<const std::uint8_t> identity, const PeerInfo& peer) {
    const std::lock_guard lock(mutex_);
    const auto& r = current();
    if (r.pstat.dos.state == DosState::Rfotm) {
        if (docSession_ != 0) {
            log("refused a DTLS client: an ownership session is already open");
            return std::nullopt;
        }
        if (r.doxm.oxmsel == oxm::kJustWorks && bytesEqual(identity, kJustWorksLabel)) return justWorksPsk(r.doxm.deviceuuid);
        if (r.doxm.oxmsel == oxm::kRandomPin && bytesEqual(identity, kRandomPinLabel)) {
            if (currentPin_.empty()) {
                log("refused a Random-PIN session from " + peerText(peer) + ": no PIN is shown (select the method first)");
                return std::nullopt;
            }
            const auto refusal = pinGuesses_.admit(peer.sessionId, peer.remoteAddress, std::chrono::steady_clock::now());
            if (auto preempted = pinGuesses_.takePreempted()) {
                log("a Random-PIN handshake held the PIN key too long and gave way to " + peerText(peer) + ": " + *preempted);
            }
            // admit() may have charged an attempt that timed out: the PIN may be spent now.
            rotatePinIfSpent();
            if (refusal) {
                log("refused a Random-PIN session from " + peerText(peer) + ": " + *refusal);
                return std::nullopt;
            }
            return currentPinKey_.clone();
        }
        log("refused a DTLS client in RFOTM: its identity does not match the selected method (oxmsel " + std::to_string(r.doxm.oxmsel) +
            ")");
        return std::nullopt;
    }
    const auto subject = Uuid::fromRaw(identity);
    if (subject && pairing_ && *subject == pairing_->client && pairing_->session == 0 && r.pconf) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= pairing_->expires) {
            log("refused a direct-pairing PIN session from " + peerText(peer) + ": the pairing request expired");
            return std::nullopt;
        }
        auto refusal = pairingGuesses_.admit(peer.sessionId, peer.remoteAddress, now);
        if (auto preempted = pairingGuesses_.takePreempted()) {
            log("a direct-pairing PIN handshake held the PIN key too long and gave way to " + peerText(peer) + ": " + *preempted);
        }
        if (refusal) {
            log("refused a direct-pairing PIN session from " + peerText(peer) + ": " + *refusal);
            return std::nullopt;
        }
        return derivePinPsk(pairing_->pin.text(), r.pconf->rowneruuid);
    }
    const Cred* cred = subject ? findPairwiseKey(r.cred, *subject) : nullptr;
    if (cred == nullptr) {
        log("refused a DTLS client: no credential for its identity");
        return std::nullopt;
    }
    return SecretBytes(std::span<const std::uint8_t>(cred->privatedata->data));
}

void DeviceSecurity::rotatePinIfSpent() {
    // Only while a PIN is shown for ownership: a handshake refused or failed after the transfer
    // ended has no PIN to replace.
    if (!pinGuesses_.pinSpent() || currentPin_.empty()) return;
    const auto& r = current();
    if (r.pstat.dos.state != DosState::Rfotm || r.doxm.oxmsel != oxm::kRandomPin) return;
    log("too many wrong PINs against the PIN shown: showing a new one");
    showNewPin();
}

void DeviceSecurity::onSessionEvent(const SessionEvent& event) {
    if (event.peer.role != SessionRole::Server) return;
    const std::lock_guard lock(mutex_);
    const auto& r = current();
    const bool otmIdentity = bytesEqual(event.peer.pskIdentity, kJustWorksLabel) || bytesEqual(event.peer.pskIdentity, kRandomPinLabel);
    switch (event.type) {
        case SessionEventType::Established:
            if (r.pstat.dos.state == DosState::Rfotm && otmIdentity && docSession_ == 0) {
                docSession_ = event.peer.sessionId;
                docLastActivity_ = std::chrono::steady_clock::now();
                pinGuesses_.succeeded(event.peer.sessionId);
                log("ownership session opened from " + peerText(event.peer) + " (" + std::string(otmLabel(r.doxm.oxmsel)) + ", " +
                    event.peer.cipher + ")");
            } else if (pairing_ && pairing_->session == 0 && Uuid::fromRaw(event.peer.pskIdentity) == pairing_->client &&
                       pairingGuesses_.succeeded(event.peer.sessionId)) {
                pairing_->session = event.peer.sessionId;
                log("direct-pairing PIN session opened from " + peerText(event.peer) + " (client " + pairing_->client.toString() + ")");
            } else {
                log("DTLS session from " + peerText(event.peer) + " established");
            }
            break;
        case SessionEventType::Failed:
            // Only a handshake that was given the PIN key spent a guess (refusals do not count).
            if (auto charged = pinGuesses_.failed(event.peer.sessionId, std::chrono::steady_clock::now())) {
                log("Random-PIN handshake from " + peerText(event.peer) + " failed (wrong PIN?): " + *charged);
                rotatePinIfSpent();
            }
            if (auto charged = pairingGuesses_.failed(event.peer.sessionId, std::chrono::steady_clock::now())) {
                log("direct-pairing PIN handshake from " + peerText(event.peer) + " failed (wrong PIN?): " + *charged);
            }
            break;
        case SessionEventType::Closed:
            if (pairing_ && pairing_->session != 0 && event.peer.sessionId == pairing_->session) {
                log("the direct-pairing PIN session with " + pairing_->client.toString() + " closed before it was confirmed");
                pairing_.reset();
            }
            if (event.peer.sessionId == docSession_) {
                docSession_ = 0;
                currentPin_.wipe();
                currentPinKey_.wipe();
                if (current().pstat.dos.state == DosState::Rfotm) {
                    resetLocked("the ownership session closed before the transfer finished");
                } else {
                    log("ownership transfer complete: " + describeState());
                }
            }
            break;
    }
}

std::optional<Uuid> DeviceSecurity::authenticatedPeer(const PeerInfo& peer) const {
    if (!peer.secure) return std::nullopt;
    if (peer.sessionId == docSession_ && docSession_ != 0) return current().doxm.devowneruuid;
    // A certificate peer: its chain was verified against our trust anchors by the DTLS layer. Its
    // "uuid:" CN names an OCF device only on a certificate with OCF's identity EKU, which only
    // credential management issues: the same CA also certifies IDProv devices and admin/plugin
    // clients, whose CNs are not OCF identities (issue 13.2).
    if (!peer.peerCertificateCn.empty()) {
        return peer.peerCertificateOcfIdentity ? uuidFromCertificateCn(peer.peerCertificateCn) : std::nullopt;
    }
    return Uuid::fromRaw(peer.pskIdentity);
}

AccessDecision DeviceSecurity::authorize(const CoapRequest& request, const PeerInfo& peer) const {
    const std::lock_guard lock(mutex_);
    return decide(request, peer);
}

AccessDecision DeviceSecurity::decide(const CoapRequest& request, const PeerInfo& peer) const {
    AccessRequest a;
    a.method = request.method;
    a.path = normalisePath(request.path);
    a.secure = peer.secure;
    a.ownershipSession = peer.secure && docSession_ != 0 && peer.sessionId == docSession_;
    a.peer = authenticatedPeer(peer);
    if (classifyResource(a.path) == ResourceClass::Dpairing && request.method != CoapMethod::Get && onPairingSession(peer)) {
        return {true, CoapCode::Changed, {}};  // the PIN session's confirmation
    }
    return checkAccess(current(), docSession_ != 0, a);
}

CoapResponse DeviceSecurity::get(const CoapRequest& request, ResourceClass c) const {
    const auto& r = current();
    switch (c) {
        case ResourceClass::Doxm: {
            if (auto owned = queryValue(request.query, "owned")) {
                std::string v = *owned;
                std::transform(v.begin(), v.end(), v.begin(),
                               [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); });
                // A discovery filter that does not match: 4.04, which multicast listeners suppress.
                if ((v == "true") != r.doxm.owned || (v != "true" && v != "false")) return CoapResponse::withCode(CoapCode::NotFound);
            }
            return CoapResponse::withPayload(CoapCode::Content, encodeDoxm(r.doxm));
        }
        case ResourceClass::Pstat:
            return CoapResponse::withPayload(CoapCode::Content, encodePstat(r.pstat));
        case ResourceClass::Cred:
            return CoapResponse::withPayload(CoapCode::Content, encodeCred(r.cred, PrivateData::Omit));
        case ResourceClass::Acl2:
            return CoapResponse::withPayload(CoapCode::Content, encodeAcl2(r.acl));
        case ResourceClass::Pconf:
            if (!r.pconf) return CoapResponse::withCode(CoapCode::NotFound);
            return CoapResponse::withPayload(CoapCode::Content, encodePconf(*r.pconf, PrivateData::Omit));
        case ResourceClass::Dpairing:
            if (!r.dpairing) return CoapResponse::withCode(CoapCode::NotFound);
            return CoapResponse::withPayload(CoapCode::Content, encodeDpairing(*r.dpairing));
        default:
            return CoapResponse::withCode(CoapCode::NotFound);
    }
}

CoapResponse DeviceSecurity::store(const SecurityResources& updated, CoapCode code) {
    // While in RFOTM, changes stay in memory: an interrupted transfer ends in a reset anyway
    // (and a restart in RFOTM starts from the unowned file), so only leaving RFOTM is written —
    // which saves a dozen fsync'd rewrites per onboarding.
    if (updated.pstat.dos.state == DosState::Rfotm) {
        unsaved_ = updated;
        return CoapResponse::withCode(code);
    }
    try {
        db_.replace(updated);
        unsaved_.reset();
    } catch (const std::exception& e) {
        log(std::string("could not store the security database: ") + e.what());
        return CoapResponse::withCode(CoapCode::InternalServerError);
    }
    return CoapResponse::withCode(code);
}

CoapResponse DeviceSecurity::handleSecurityRequest(const CoapRequest& request, const PeerInfo& peer) {
    std::unique_lock lock(mutex_);
    // Decided again under the lock that applies it: the state may have changed since the
    // caller's authorize() (an ownership session opened on the DTLS thread between an anonymous
    // request's check and its application on the plain thread).
    if (const auto decision = decide(request, peer); !decision.granted) {
        log("refused " + std::string(toString(request.method)) + " " + request.path + " from " + peerText(peer) + ": " + decision.reason +
            " (" + decision.refusal.toString() + ")");
        return CoapResponse::withCode(decision.refusal);
    }
    if (docSession_ != 0 && peer.sessionId == docSession_) docLastActivity_ = std::chrono::steady_clock::now();
    const auto c = classifyResource(normalisePath(request.path));
    if (request.method == CoapMethod::Get) return get(request, c);

    const DosState before = current().pstat.dos.state;
    if (before == DosState::Rfnop && (c == ResourceClass::Cred || c == ResourceClass::Acl2)) {
        log("refused " + std::string(toString(request.method)) + " " + request.path + " in RFNOP (move to RFPRO first)");
        return CoapResponse::withCode(CoapCode::Forbidden);
    }
    UpdateContext ctx;
    ctx.secure = peer.secure;
    ctx.ownershipSession = peer.secure && docSession_ != 0 && peer.sessionId == docSession_;
    ctx.deriveOwnerPsk = [&](const Uuid& owner) -> std::optional<std::vector<std::uint8_t>> {
        if (!hooks_.keyMaterial) return std::nullopt;
        const auto km = hooks_.keyMaterial(docSession_);
        if (!km) return std::nullopt;
        const SessionSecrets secrets{km->masterSecret, km->serverRandom, km->clientRandom};
        const auto psk = deriveSessionBoundPsk(secrets, otmLabel(current().doxm.oxmsel), owner, current().doxm.deviceuuid);
        return std::vector<std::uint8_t>(psk.begin(), psk.end());  // into the SVR model
    };

    SecurityResources updated = current();
    UpdateOutcome outcome;
    const bool post = request.method == CoapMethod::Post || request.method == CoapMethod::Put;
    switch (c) {
        case ResourceClass::Doxm:
            outcome = post ? postDoxm(updated, request.payload, ctx) : UpdateOutcome{CoapCode::MethodNotAllowed, "", {}, {}};
            break;
        case ResourceClass::Pstat:
            outcome = post ? postPstat(updated, request.payload, ctx) : UpdateOutcome{CoapCode::MethodNotAllowed, "", {}, {}};
            break;
        case ResourceClass::Cred:
            outcome = post ? postCred(updated, request.payload, ctx) : deleteCred(updated, request.query);
            break;
        case ResourceClass::Acl2:
            outcome = post ? postAcl2(updated, request.payload, ctx) : deleteAcl2(updated, request.query);
            break;
        case ResourceClass::Pconf:
            outcome = post ? postPconf(updated, request.payload) : UpdateOutcome{CoapCode::MethodNotAllowed, "", {}, {}};
            if (outcome.ok() && updated.pconf->rowneruuid.isNil()) updated.pconf->rowneruuid = updated.doxm.devowneruuid;
            break;
        case ResourceClass::Dpairing:
            if (!post) return CoapResponse::withCode(CoapCode::MethodNotAllowed);
            return handlePairing(request, peer);
        default:
            outcome = UpdateOutcome{CoapCode::MethodNotAllowed, "", {}, {}};
            break;
    }
    if (c == ResourceClass::Cred && request.method == CoapMethod::Delete && outcome.ok()) forgetRevokedPairings(updated);
    if (!outcome.ok()) {
        log("refused " + std::string(toString(request.method)) + " " + request.path + " from " + peerText(peer) + ": " + outcome.reason +
            " (" + outcome.code.toString() + ")");
        return CoapResponse::withCode(outcome.code);
    }
    if (updated.pstat.dos.state == DosState::Rfotm) return commit(updated, outcome, before);  // memory only
    // A durable write: the answer waits for it (a device never answers 2.04 before its state is on
    // disk), the process's other endpoints do not. mutex_ is let go before the transport lock is
    // taken back: handlers take mutex_ with the transport lock held.
    CoapResponse response;
    runWithoutTransportLock([&] {
        try {
            response = commit(updated, outcome, before);
        } catch (...) {
            lock.unlock();
            throw;
        }
        lock.unlock();
    });
    return response;
}

CoapResponse DeviceSecurity::commit(const SecurityResources& updated, const UpdateOutcome& outcome, DosState before) {
    auto response = store(updated, outcome.code);
    if (!response.code.isSuccess()) return response;
    if (outcome.selectedOxm) {
        log("ownership method selected: " + std::string(oxm::name(*outcome.selectedOxm)));
        if (*outcome.selectedOxm == oxm::kRandomPin) {
            pinGuesses_.abandonInFlight(std::chrono::steady_clock::now());
            showNewPin();
        }
    }
    if (outcome.newState && *outcome.newState != before) {
        log("state " + std::string(dosStateName(before)) + " -> " + std::string(dosStateName(*outcome.newState)));
        if (*outcome.newState == DosState::Reset) {
            resetDue_ = std::chrono::steady_clock::now() + options_.resetDelay;
        }
    }
    return response;
}

void DeviceSecurity::showNewPin() {
    currentPin_ = generatePin();
    // Derived once per PIN shown, not in every handshake's key callback, where PBKDF2 would run
    // with the process-wide transport lock held.
    currentPinKey_ = derivePinPsk(currentPin_.text(), current().doxm.deviceuuid);
    pinGuesses_.newPinShown();
    if (hooks_.showPin) hooks_.showPin(currentPin_.text());
}

bool DeviceSecurity::onPairingSession(const PeerInfo& peer) const {
    return peer.secure && pairing_ && pairing_->session != 0 && peer.sessionId == pairing_->session;
}

CoapResponse DeviceSecurity::handlePairing(const CoapRequest& request, const PeerInfo& peer) {
    if (!peer.secure) return startPairing(request, peer);
    if (onPairingSession(peer)) return confirmPairing(request, peer);
    return CoapResponse::withCode(CoapCode::MethodNotAllowed);
}

CoapResponse DeviceSecurity::startPairing(const CoapRequest& request, const PeerInfo& peer) {
    const auto checked = checkPairingRequest(current(), request.payload);
    if (const auto* refusal = std::get_if<UpdateOutcome>(&checked)) {
        log("refused a direct-pairing request from " + peerText(peer) + ": " + refusal->reason + " (" + refusal->code.toString() + ")");
        return CoapResponse::withCode(refusal->code);
    }
    const auto& asked = std::get<PairingRequest>(checked);
    const auto now = std::chrono::steady_clock::now();
    if (pairing_ && now < pairing_->expires && (pairing_->client != asked.client || pairing_->session != 0)) {
        log("refused a direct-pairing request from " + peerText(peer) + ": another pairing is in progress");
        return CoapResponse::withCode(CoapCode::ServiceUnavailable);
    }
    pairingGuesses_.abandonInFlight(now);
    PendingPairing p;
    p.client = asked.client;
    p.method = asked.method;
    p.expires = now + options_.pairingWindow;
    if (asked.method == pairing_method::kRandomPin) {
        p.pin = generatePin();
        if (hooks_.showPin) hooks_.showPin(p.pin.text());
    } else {
        p.pin = SecretBytes(std::span<const std::uint8_t>(current().pconf->pin));
    }
    pairing_ = std::move(p);
    log("direct pairing requested by " + asked.client.toString() + " from " + peerText(peer) + " (" +
        std::string(pairingMethodName(asked.method)) + ")");
    return CoapResponse::withCode(CoapCode::Changed);
}

CoapResponse DeviceSecurity::confirmPairing(const CoapRequest& request, const PeerInfo& peer) {
    const Uuid client = pairing_->client;
    if (auto refusal = checkPairingConfirmation(request.payload, client)) {
        log("refused a direct-pairing confirmation from " + peerText(peer) + ": " + refusal->reason);
        return CoapResponse::withCode(refusal->code);
    }
    const auto km = hooks_.keyMaterial ? hooks_.keyMaterial(peer.sessionId) : std::nullopt;
    if (!km) {
        log("direct pairing with " + client.toString() + " failed: the PIN session's secrets are unavailable");
        return CoapResponse::withCode(CoapCode::InternalServerError);
    }
    const SessionSecrets secrets{km->masterSecret, km->serverRandom, km->clientRandom};
    const auto key = deriveSessionBoundPsk(secrets, kDirectPairingLabel, current().doxm.deviceuuid, client);
    SecurityResources updated = current();
    const auto outcome = completePairing(updated, client, key);
    if (!outcome.ok()) {
        log("refused the direct-pairing confirmation of " + client.toString() + ": " + outcome.reason);
        return CoapResponse::withCode(outcome.code);
    }
    auto response = store(updated, CoapCode::Changed);
    if (response.code.isSuccess()) {
        log("paired with " + client.toString() + " (" + std::string(pairingMethodName(pairing_->method)) +
            "): " + std::to_string(updated.pconf->pdacl.size()) + " ACE(s) from the pairing template");
        pairing_.reset();
    }
    return response;
}

void DeviceSecurity::runDueWork(std::chrono::steady_clock::time_point now) {
    const std::lock_guard lock(mutex_);
    if (pairing_ && now >= pairing_->expires) {
        log("the direct-pairing request of " + pairing_->client.toString() + " expired");
        pairing_.reset();
    }
    if (docSession_ != 0 && now - docLastActivity_ >= options_.ownershipSessionIdle) {
        docSession_ = 0;  // its DTLS session may linger; it is no longer the ownership session
        currentPin_.wipe();
        if (current().pstat.dos.state == DosState::Rfotm) {
            resetLocked("the ownership session went silent for " + std::to_string(options_.ownershipSessionIdle.count() / 1000) + " s");
        } else {
            log("the ownership session went silent; the transfer had passed RFOTM: " + describeState());
        }
    }
    if (resetDue_ && now >= *resetDue_) {
        resetDue_.reset();
        resetLocked("reset requested over the network (pstat dos.s=0)");
    }
}

std::optional<std::chrono::steady_clock::time_point> DeviceSecurity::nextDueWork() const {
    const std::lock_guard lock(mutex_);
    std::optional<std::chrono::steady_clock::time_point> next = resetDue_;
    if (pairing_ && (!next || pairing_->expires < *next)) next = pairing_->expires;
    if (docSession_ != 0) {
        const auto idle = docLastActivity_ + options_.ownershipSessionIdle;
        if (!next || idle < *next) next = idle;
    }
    return next;
}

void DeviceSecurity::reset(const std::string& why) {
    const std::lock_guard lock(mutex_);
    resetLocked(why);
}

void DeviceSecurity::resetLocked(const std::string& why) {
    unsaved_.reset();
    try {
        db_.reset();
        currentPin_.wipe();
        pinGuesses_.abandonInFlight(std::chrono::steady_clock::now());
        pairing_.reset();
        ensurePairingResourcesLocked();
        log("reset (" + why + "): back to the reset profile, " + describeState());
    } catch (const std::exception& e) {
        log(std::string("reset failed: ") + e.what());
    }
}

}  // namespace steward::core
