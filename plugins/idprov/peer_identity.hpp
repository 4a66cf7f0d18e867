#pragma once
// Who is on the other end of a TLS connection, from the client certificate it presented. The TLS
// layer accepts any certificate (so a wrong one gets a clear JSON answer instead of a bare TLS
// alert); this is where it is checked: it must chain to the gateway CA and be valid now, and its
// OU says the role.
#include <optional>
#include <string>

#include "steward/crypto/certificate_authority.hpp"

namespace steward::plugins::idprov {

enum class PeerRole {
    Anonymous,  // no client certificate
    Device,     // OU=iotdevice, CN = its deviceID
    Admin,      // OU=admin
    Plugin,     // OU=plugin
    Untrusted,  // a certificate that does not verify (another CA, expired) or has another OU
};

struct PeerIdentity {
    PeerRole role = PeerRole::Anonymous;
    std::string commonName;
    std::string problem;  // Untrusted: why, e.g. "certificate has expired"
};

PeerIdentity identifyPeer(const std::optional<core::Certificate>& presented, const core::CertificateAuthority& ca);
std::string describe(const PeerIdentity& peer);  // "anonymous", "device 'x'", "admin 'y'", ...

}  // namespace steward::plugins::idprov
