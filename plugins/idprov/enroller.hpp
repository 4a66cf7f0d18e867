#pragma once
// The server's rules for a provisioning request (../shared/design/idprov.md), apart from HTTP:
//  - a device renewing: mutual TLS with its own valid certificate (OU iotdevice, CN = deviceID),
//    no OOB needed; another device's certificate is refused;
//  - an admin or plugin certificate: issued without OOB;
//  - anyone else: the oobsHash must verify against the deviceID's stored secret, which is then
//    used up; no secret known: Waiting (or Rejected if the deviceID was provisioned already and
//    its secret spent, i.e. a replay); an expired secret, a wrong hash or an unknown algorithm:
//    Rejected.
// Hashing is bounded before it starts (issue 20, docs/idprov-dos.md): a hash at any other cost
// than the server's (acceptedHashCost) is refused (400); an address locked out of a deviceID for
// wrong hashes (GuessLedger) is refused (429); the KDF runs only inside the HashGate (429 for an
// address busy or over budget, 503 when the server's KDF slots stay full). A secret is never
// dropped for wrong hashes.
// Every refusal names its reason in the response, in the log and in a Rejected event; nothing is
// stored for it. 429/503 answers carry retrySec (and the handler a Retry-After header).
#include <functional>
#include <optional>
#include <string>

#include "guess_ledger.hpp"
#include "hash_gate.hpp"
#include "issued_store.hpp"
#include "oob_store.hpp"
#include "peer_identity.hpp"
#include "steward/crypto/certificate_authority.hpp"
#include "steward/idprov/messages.hpp"
#include "steward/idprov/oob_hash.hpp"
#include "steward/plugin/enrollment_provider.hpp"

namespace steward::plugins::idprov {

// The one cost per algorithm the server accepts (and advertises in its directory).
steward::idprov::OobHashCost acceptedHashCost(const core::EnrollmentSettings& settings);

struct Decision {
    int httpStatus = 200;
    steward::idprov::ProvisionResponse response;
    core::EnrollmentEvent event;
    bool hasEvent = false;
};

class Enroller {
public:
    Enroller(const core::EnrollmentSettings& settings, core::CertificateAuthority& ca, OobStore& secrets, IssuedStore& issued,
             std::function<void(const std::string&)> log);

    Decision provision(const steward::idprov::ProvisionRequest& request, const PeerIdentity& peer, const std::string& peerAddress);
    // The status endpoint: the latest certificate is given to the device itself (or an admin);
    // anyone else learns the status only.
    steward::idprov::StatusResponse status(const std::string& deviceId, const PeerIdentity& peer);

    // A new secret was posted for `deviceId`: the wrong hashes counted against the old one go.
    void secretPosted(const std::string& deviceId) { ledger_.forget(deviceId); }
    const GuessLedger& ledger() const { return ledger_; }

    // Test seam: where the neighbour (ARP) table is read from.
    void setNeighbourTable(std::string path) { neighbourTable_ = std::move(path); }

private:
    // The certificate issued a moment ago, again, for a device that lost the answer; nullopt when
    // the request is not that (another key, no recent spent secret, a hash that does not verify).
    std::optional<Decision> answerAgain(const steward::idprov::ProvisionRequest& request, steward::idprov::OobHashAlgorithm algorithm,
                                        const std::string& peerAddress);
    void checkClaimedAddresses(const steward::idprov::ProvisionRequest& request, const std::string& peerAddress);
    Decision reject(const steward::idprov::ProvisionRequest& request, int httpStatus, const std::string& reason,
                    const std::string& peerAddress, int retrySec = 0);
    Decision verifySecret(const steward::idprov::ProvisionRequest& request, steward::idprov::OobHashAlgorithm algorithm,
                          const std::string& peerAddress);
    Decision approve(const steward::idprov::ProvisionRequest& request, bool renewal, const std::string& serverHash,
                     const std::string& peerAddress, const std::string& how);

    const core::EnrollmentSettings& settings_;
    core::CertificateAuthority& ca_;
    OobStore& secrets_;
    IssuedStore& issued_;
    std::function<void(const std::string&)> log_;
    std::string neighbourTable_ = "/proc/net/arp";
    HashGate gate_;
    GuessLedger ledger_;
};

}  // namespace steward::plugins::idprov
