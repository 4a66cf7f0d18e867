#include "steward/provisioning/owner_session.hpp"

#include "steward/cbor/decode_error.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/onboarding/ownership_transfer.hpp"

namespace steward::core {
namespace {

ProvisioningError fromTransport(const Uuid& device, const std::string& what, const TransportError& e) {
    const bool refused = e.code == TransportErrorCode::HandshakeFailed;
    return ProvisioningError(refused ? ProvisioningError::Kind::NotOurs : ProvisioningError::Kind::Unreachable,
                             device.toString() + ": " + what + ": " + std::string(toString(e.code)) + ": " + e.message);
}

CborValue dosBody(int state) {
    return CborValue::map(
        {{CborValue::text("dos"), CborValue::map({{CborValue::text("s"), CborValue::unsignedInt(static_cast<std::uint64_t>(state))}})}});
}

}  // namespace

std::string_view toString(ProvisioningError::Kind kind) {
    switch (kind) {
        case ProvisioningError::Kind::NoCredential:
            return "no owner credential";
        case ProvisioningError::Kind::Unreachable:
            return "unreachable";
        case ProvisioningError::Kind::NotOurs:
            return "no longer ours";
        case ProvisioningError::Kind::Refused:
            return "refused";
        case ProvisioningError::Kind::Malformed:
            return "malformed answer";
    }
    return "?";
}

OwnerSession::OwnerSession(CoapEndpoint& endpoint, const GatewayIdentity& identity, const Uuid& device, const PeerAddress& at,
                           std::chrono::milliseconds timeout)
    : endpoint_(endpoint), device_(device), timeout_(timeout) {
    auto psk = identity.ownerCredential(device);
    if (!psk)
        throw ProvisioningError(ProvisioningError::Kind::NoCredential,
                                device.toString() + ": the gateway holds no owner credential for it");
    if (at.port == 0) throw ProvisioningError(ProvisioningError::Kind::Unreachable, device.toString() + ": its secure endpoint is unknown");
    auto opened = endpoint_.openSession(at, ownerSessionPsk(identity.id(), std::move(*psk)), timeout_);
    if (!opened) throw fromTransport(device_, "owner session to " + at.host + ":" + std::to_string(at.port), opened.error());
    session_ = std::move(opened.value());
}

OwnerSession::~OwnerSession() {
    if (session_.valid()) endpoint_.closeSession(session_);
}

CoapResponse OwnerSession::send(const std::string& what, const CoapRequest& request, bool missingIsDone) {
    auto answer = endpoint_.request(session_, request, timeout_);
    if (!answer) throw fromTransport(device_, what, answer.error());
    const auto& r = answer.value();
    if (r.code.isSuccess() || (missingIsDone && r.code == CoapCode::NotFound)) return r;
    throw ProvisioningError(ProvisioningError::Kind::Refused,
                            device_.toString() + ": " + what + ": the device answered " + r.code.describe(), r.code);
}

CoapResponse OwnerSession::get(const std::string& path) { return send("GET " + path, CoapRequest::get(path), false); }

void OwnerSession::post(const std::string& path, const CborValue& body) {
    send("POST " + path, CoapRequest::post(path, encodeCbor(body)), false);
}

void OwnerSession::del(const std::string& path, std::vector<std::string> query, bool missingIsDone) {
    auto request = CoapRequest::del(path);
    std::string what = "DELETE " + path;
    for (std::size_t i = 0; i < query.size(); ++i) what += (i == 0 ? "?" : "&") + query[i];
    request.query = std::move(query);
    send(what, request, missingIsDone);
}

CredResource OwnerSession::readCred() {
    const auto r = get("/oic/sec/cred");
    try {
        return decodeCred(r.payload);
    } catch (const DecodeError& e) {
        throw ProvisioningError(ProvisioningError::Kind::Malformed, device_.toString() + ": malformed cred: " + e.what());
    }
}

Acl2 OwnerSession::readAcl() {
    const auto r = get("/oic/sec/acl2");
    try {
        return decodeAcl2(r.payload);
    } catch (const DecodeError& e) {
        throw ProvisioningError(ProvisioningError::Kind::Malformed, device_.toString() + ": malformed acl2: " + e.what());
    }
}

void OwnerSession::whileProvisioning(const std::function<void()>& change) {
    post("/oic/sec/pstat", dosBody(2));  // RFPRO
    try {
        change();
    } catch (...) {
        try {
            post("/oic/sec/pstat", dosBody(3));
        } catch (...) {  // NOLINT(bugprone-empty-catch): the change's failure is the one to report
        }
        throw;
    }
    post("/oic/sec/pstat", dosBody(3));  // RFNOP
}

int revokePeer(OwnerSession& session, const Uuid& peer) {
    int removed = 0;
    for (const auto& c : session.readCred().creds) {
        if (c.subjectuuid.wildcard || c.subjectuuid.uuid != peer || !c.credid) continue;
        session.del("/oic/sec/cred", {"credid=" + std::to_string(*c.credid)});
        ++removed;
    }
    for (const auto& ace : session.readAcl().aclist2) {
        const auto* subject = std::get_if<Uuid>(&ace.subject);
        if (subject == nullptr || *subject != peer) continue;
        session.del("/oic/sec/acl2", {"aceid=" + std::to_string(ace.aceid)});
        ++removed;
    }
    return removed;
}

}  // namespace steward::core
