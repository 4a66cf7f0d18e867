#pragma once
// A DTLS session from the gateway to a device it owns, opened with the owner credential it keeps
// in its own SVR DB — what every provisioning operation after ownership runs on (ocf-security.md:
// "Later operations use the owner session and move the device RFNOP→RFPRO→(change)→RFNOP").
//
// Threading: one object is used by one thread at a time; different objects (even to the same
// device) may be used concurrently. Failure: every call throws ProvisioningError; its kind tells
// "the device is not there" (worth retrying later) from "the device refused" (it will not change
// its mind) and from "the device answered nonsense".
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "steward/cbor/cbor_value.hpp"
#include "steward/model/acl2.hpp"
#include "steward/model/cred.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::core {

class ProvisioningError : public std::runtime_error {
public:
    enum class Kind {
        NoCredential,  // the gateway holds no owner credential for the device
        Unreachable,   // no DTLS answer, or a timeout: the device may be off; try again later
        NotOurs,       // the owner handshake was refused: the device no longer holds our credential (reset)
        Refused,       // the device answered 4.xx/5.xx
        Malformed,     // the device's answer did not decode
    };
    ProvisioningError(Kind kind, const std::string& message, std::optional<CoapCode> answer = std::nullopt)
        : std::runtime_error(message), kind_(kind), answer_(answer) {}
    Kind kind() const { return kind_; }
    // Refused: the code the device answered.
    std::optional<CoapCode> answer() const { return answer_; }

private:
    Kind kind_;
    std::optional<CoapCode> answer_;
};

std::string_view toString(ProvisioningError::Kind kind);

class OwnerSession {
public:
    // Opens the session; throws ProvisioningError (NoCredential, Unreachable, Refused).
    OwnerSession(CoapEndpoint& endpoint, const GatewayIdentity& identity, const Uuid& device, const PeerAddress& at,
                 std::chrono::milliseconds timeout);
    ~OwnerSession();
    OwnerSession(const OwnerSession&) = delete;
    OwnerSession& operator=(const OwnerSession&) = delete;

    const Uuid& device() const { return device_; }

    // Requests; any answer other than 2.xx throws Refused (DELETE: 4.04 counts as done when
    // `missingIsDone`, since what should be gone is gone).
    CoapResponse get(const std::string& path);
    void post(const std::string& path, const CborValue& body);
    void del(const std::string& path, std::vector<std::string> query, bool missingIsDone = true);

    CredResource readCred();
    Acl2 readAcl();

    // Runs `change` with the device in RFPRO (where cred and acl2 may change) and puts it back to
    // RFNOP afterwards, also when `change` throws (best effort: the original error is rethrown).
    void whileProvisioning(const std::function<void()>& change);

private:
    CoapResponse send(const std::string& what, const CoapRequest& request, bool missingIsDone);

    CoapEndpoint& endpoint_;
    Uuid device_;
    std::chrono::milliseconds timeout_;
    Session session_;
};

// Deletes from the device every credential whose subject is `peer` and every ACE whose subject is
// `peer`'s UUID (RFPRO is needed: call inside whileProvisioning). Returns how many went.
int revokePeer(OwnerSession& session, const Uuid& peer);

}  // namespace steward::core
