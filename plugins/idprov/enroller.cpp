#include "enroller.hpp"

#include <algorithm>
#include <climits>

#include "client_address.hpp"
#include "neighbour_table.hpp"
#include "steward/idprov/idprov_error.hpp"
#include "steward/idprov/oob_hash.hpp"
#include "steward/idprov/oob_hash_policy.hpp"
#include "steward/util/iso_time.hpp"

namespace steward::plugins::idprov {

namespace proto = steward::idprov;

namespace {

// How long a device that lost its answer can ask again with the secret it just used.
constexpr auto kAnswerAgainFor = std::chrono::minutes(10);

int secondsClamped(std::chrono::seconds s) { return static_cast<int>(std::clamp<std::int64_t>(s.count(), 1, INT_MAX)); }

// Throws IdprovError (answered 400) for a key that is not one the CA certifies.
core::PublicKey subjectKey(const proto::ProvisionRequest& request) {
    try {
        return core::PublicKey::parse(
            std::span(reinterpret_cast<const std::uint8_t*>(request.publicKeyPem.data()), request.publicKeyPem.size()), "publicKeyPEM");
    } catch (const core::CryptoError& e) {
        throw proto::IdprovError(e.what());
    }
}

}  // namespace

// The draft has the server compare the request's ip and mac with the sender's. A mismatch is
// normal behind NAT or a router, so it is logged for the operator, not refused.
void Enroller::checkClaimedAddresses(const proto::ProvisionRequest& request, const std::string& peerAddress) {
    const std::string sender = hostOf(peerAddress);
    if (!request.ip.empty() && request.ip != sender) {
        log_("idprov: provreq for '" + request.deviceId + "' says ip " + request.ip + " but comes from " + sender);
    }
    if (request.mac.empty()) return;
    if (const auto seen = neighbourMac(sender, neighbourTable_); seen && !sameMac(*seen, request.mac)) {
        log_("idprov: provreq for '" + request.deviceId + "' says mac " + request.mac + " but " + sender + " is " + *seen);
    }
}

proto::OobHashCost acceptedHashCost(const core::EnrollmentSettings& settings) {
    return proto::OobHashCost{settings.argon2MemoryKiB, settings.argon2Passes, settings.argon2Lanes, settings.pbkdf2Iterations};
}

Enroller::Enroller(const core::EnrollmentSettings& settings, core::CertificateAuthority& ca, OobStore& secrets, IssuedStore& issued,
                   std::function<void(const std::string&)> log)
    : settings_(settings),
      ca_(ca),
      secrets_(secrets),
      issued_(issued),
      log_(std::move(log)),
      gate_(settings.concurrentHashes, settings.hashesPerMinute, settings.hashQueueWait) {}

Decision Enroller::provision(const proto::ProvisionRequest& request, const PeerIdentity& peer, const std::string& peerAddress) {
    // An unusable key is refused before any hashing work is spent on the request.
    (void)subjectKey(request);
    checkClaimedAddresses(request, peerAddress);
    switch (peer.role) {
        case PeerRole::Device:
            if (peer.commonName != request.deviceId) {
                return reject(request, 403,
                              "renewal for '" + request.deviceId + "' with the certificate of device '" + peer.commonName + "'",
                              peerAddress);
            }
            return approve(request, true, "", peerAddress, "renewal over mutual TLS");
        case PeerRole::Admin:
        case PeerRole::Plugin:
            return approve(request, false, "", peerAddress, "requested by " + describe(peer));
        case PeerRole::Untrusted:
            // A stale or foreign certificate proves nothing; the request may still prove itself
            // with an OOB hash (a device whose certificate expired enrols again that way).
            if (request.oobsHash.empty()) return reject(request, 403, peer.problem, peerAddress);
            break;
        case PeerRole::Anonymous:
            break;
    }

    if (request.oobsHash.empty()) {
        return reject(request, 403, "no oobsHash and no client certificate: nothing proves this device", peerAddress);
    }
    const auto algorithm = proto::parseAlgorithm(request.oobsHashAlg);
    const bool offered = std::any_of(settings_.hashAlgorithms.begin(), settings_.hashAlgorithms.end(),
                                     [&](const std::string& a) { return proto::parseAlgorithm(a) == algorithm; });
    if (!algorithm || !offered) {
        return reject(request, 400, "oobsHashAlg '" + request.oobsHashAlg + "' is not one this server offers", peerAddress);
    }
    // The hash's cost is checked before anything else is done with it: a client does not choose
    // what the server spends.
    try {
        if (const std::string problem = proto::costProblem(proto::oobHashParameters(request.oobsHash), acceptedHashCost(settings_));
            !problem.empty()) {
            return reject(request, 400, "oobsHash: " + problem, peerAddress);
        }
        if (proto::algorithmOfHash(request.oobsHash) != *algorithm) {
            return reject(request, 400, "oobsHash is not a " + std::string(proto::algorithmName(*algorithm)) + " hash", peerAddress);
        }
    } catch (const proto::IdprovError& e) {
        return reject(request, 400, e.what(), peerAddress);
    }
    const std::string host = hostOf(peerAddress);
    if (const auto wait = ledger_.lockedFor(request.deviceId, host); wait.count() > 0) {
        return reject(
            request, 429,
            "too many wrong oobsHashes for '" + request.deviceId + "' from this address; retry in " + std::to_string(wait.count()) + " s",
            peerAddress, secondsClamped(wait));
    }
    // Only a request that will be hashed (a secret, or one just spent, is known) goes through the
    // hash gate: a device polling while Waiting spends none of its hash budget.
    if (!secrets_.holds(request.deviceId) && !secrets_.spent(request.deviceId, Clock::now())) {
        return verifySecret(request, *algorithm, peerAddress);
    }
    const HashGate::Ticket ticket = gate_.enter(host, request.deviceId);
    switch (ticket.refusal) {
        case HashGate::Refusal::None:
            break;
        case HashGate::Refusal::AddressBusy:
            return reject(request, 429, "another request from this address is being hashed; retry when it is answered", peerAddress,
                          ticket.retryAfterSeconds);
        case HashGate::Refusal::AddressOverBudget:
            return reject(request, 429, "too many hashed requests for '" + request.deviceId + "' from this address; retry later",
                          peerAddress, ticket.retryAfterSeconds);
        case HashGate::Refusal::ServerBusy:
            return reject(request, 503, "the server is busy hashing other requests; retry later", peerAddress, ticket.retryAfterSeconds);
    }
    return verifySecret(request, *algorithm, peerAddress);
}

// Inside the hash gate: the KDF runs from here on.
Decision Enroller::verifySecret(const proto::ProvisionRequest& request, proto::OobHashAlgorithm algorithm, const std::string& peerAddress) {
    const auto now = Clock::now();
    auto secret = secrets_.find(request.deviceId, now);
    if (!secret) {
        ledger_.forget(request.deviceId);  // no secret: nothing left to guess
        if (auto again = answerAgain(request, algorithm, peerAddress)) return *again;
        if (issued_.latest(request.deviceId)) {
            return reject(request, 403,
                          "'" + request.deviceId +
                              "' is provisioned already and its out-of-band secret is spent: renew over mutual TLS, "
                              "or have an admin post a new secret",
                          peerAddress);
        }
        Decision waiting;
        waiting.response.deviceId = request.deviceId;
        waiting.response.status = proto::ProvisionStatus::Waiting;
        waiting.response.retrySec = secondsClamped(settings_.waitingRetry);
        waiting.response.message = "no out-of-band secret known for this device yet";
        log_("idprov: '" + request.deviceId + "' from " + peerAddress + ": waiting for its out-of-band secret");
        return waiting;
    }
    if (secret->validUntil <= now) {
        return reject(request, 403, "the out-of-band secret expired at " + core::isoTime(secret->validUntil), peerAddress);
    }
    bool matches = false;
    try {
        matches = proto::verifyOobHash(request.oobsHash, secret->secret.text(), algorithm);
    } catch (const proto::IdprovError& e) {
        return reject(request, 400, e.what(), peerAddress);
    }
    if (!matches) {
        // Counted against this address only: the secret stays for the real device.
        const auto lock = ledger_.recordFailure(request.deviceId, hostOf(peerAddress));
        if (lock.count() > 0) {
            return reject(request, 403,
                          "oobsHash does not match the out-of-band secret; this address may try again for '" + request.deviceId + "' in " +
                              std::to_string(lock.count()) + " s",
                          peerAddress, secondsClamped(lock));
        }
        return reject(request, 403, "oobsHash does not match the out-of-band secret", peerAddress);
    }

    // The server proves it knows the secret too, with a hash of its own (its own salt).
    const std::string serverHash = proto::hashOobSecret(secret->secret.text(), algorithm, acceptedHashCost(settings_));
    // Taken before the certificate is issued: of two requests racing with the same secret, one wins.
    if (!secrets_.take(request.deviceId, secret->secret)) {
        return reject(request, 403, "the out-of-band secret was used by another request a moment ago", peerAddress);
    }
    Decision decision;
    try {
        decision = approve(request, false, serverHash, peerAddress, "out-of-band secret verified");
    } catch (...) {
        secrets_.restore(request.deviceId, std::move(*secret));  // nothing was issued: the secret stays usable
        throw;
    }
    ledger_.forget(request.deviceId);
    secrets_.rememberSpent(request.deviceId, {std::move(secret->secret), request.publicKeyPem, now + kAnswerAgainFor});
    return decision;
}

std::optional<Decision> Enroller::answerAgain(const proto::ProvisionRequest& request, proto::OobHashAlgorithm algorithm,
                                              const std::string& peerAddress) {
    const auto spent = secrets_.spent(request.deviceId, Clock::now());
    if (!spent || spent->publicKeyPem != request.publicKeyPem) return std::nullopt;
    bool matches = false;
    try {
        matches = proto::verifyOobHash(request.oobsHash, spent->secret.text(), algorithm);
    } catch (const proto::IdprovError&) {
        return std::nullopt;
    }
    const auto cert = issued_.latest(request.deviceId);
    if (!matches || !cert) return std::nullopt;
    Decision d;
    d.response.deviceId = request.deviceId;
    d.response.status = proto::ProvisionStatus::Approved;
    d.response.retrySec = secondsClamped(settings_.certificateValidity / 2);
    d.response.caCert = ca_.chainPem();
    d.response.clientCert = cert->pem();
    d.response.oobsHash = proto::hashOobSecret(spent->secret.text(), algorithm, acceptedHashCost(settings_));
    log_("idprov: '" + request.deviceId + "' from " + peerAddress +
         " asked again with the secret it just used and the same key: the certificate already issued is sent again");
    return d;
}

Decision Enroller::approve(const proto::ProvisionRequest& request, bool renewal, const std::string& serverHash,
                           const std::string& peerAddress, const std::string& how) {
    const core::PublicKey key = subjectKey(request);
    core::CertificateProfile profile;
    profile.commonName = request.deviceId;
    profile.organizationalUnit = "iotdevice";
    profile.validity = settings_.certificateValidity;
    profile.usage = core::CertificateUsage::Client;
    core::Certificate cert = ca_.issue(core::CertificateRequestSpec{profile, key});
    issued_.record(request.deviceId, cert);

    const auto summary = cert.summary();
    Decision d;
    d.response.deviceId = request.deviceId;
    d.response.status = proto::ProvisionStatus::Approved;
    // Renew halfway through the certificate's life.
    d.response.retrySec = secondsClamped(settings_.certificateValidity / 2);
    d.response.caCert = ca_.chainPem();
    d.response.clientCert = cert.pem();
    d.response.oobsHash = serverHash;
    d.hasEvent = true;
    d.event.kind = core::EnrollmentEvent::Kind::CertificateIssued;
    d.event.deviceId = request.deviceId;
    d.event.renewal = renewal;
    d.event.notAfter = summary.notAfter;
    d.event.serial = summary.serialNumber;
    d.event.peer = peerAddress;
    log_("idprov: issued a certificate to '" + request.deviceId + "' (" + how + ", from " + peerAddress + ", serial " +
         summary.serialNumber + ", until " + summary.notAfter + ")");
    return d;
}

Decision Enroller::reject(const proto::ProvisionRequest& request, int httpStatus, const std::string& reason, const std::string& peerAddress,
                          int retrySec) {
    Decision d;
    d.httpStatus = httpStatus;
    d.response.retrySec = retrySec;
    d.response.deviceId = request.deviceId;
    d.response.status = proto::ProvisionStatus::Rejected;
    d.response.message = reason;
    d.hasEvent = true;
    d.event.kind = core::EnrollmentEvent::Kind::Rejected;
    d.event.deviceId = request.deviceId;
    d.event.peer = peerAddress;
    d.event.reason = reason;
    log_("idprov: rejected '" + request.deviceId + "' from " + peerAddress + ": " + reason);
    return d;
}

proto::StatusResponse Enroller::status(const std::string& deviceId, const PeerIdentity& peer) {
    proto::StatusResponse response;
    response.deviceId = deviceId;
    response.caCert = ca_.chainPem();  // public: the directory hands it to anyone
    const auto cert = issued_.latest(deviceId);
    if (!cert) {
        response.status = proto::ProvisionStatus::Waiting;
        return response;
    }
    response.status = proto::ProvisionStatus::Approved;
    const bool entitled =
        (peer.role == PeerRole::Device && peer.commonName == deviceId) || peer.role == PeerRole::Admin || peer.role == PeerRole::Plugin;
    if (entitled) response.clientCert = cert->pem();
    return response;
}

}  // namespace steward::plugins::idprov
