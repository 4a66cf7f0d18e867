#include "peer_identity.hpp"

#include <openssl/objects.h>
#include <openssl/x509.h>

namespace steward::plugins::idprov {
namespace {

std::string nameEntry(const core::Certificate& cert, int nid) {
    const X509_NAME* subject = X509_get_subject_name(cert.native());
    const int index = X509_NAME_get_index_by_NID(subject, nid, -1);
    if (index < 0) return {};
    // A second entry of the same kind would make the identity ambiguous: treat it as none.
    if (X509_NAME_get_index_by_NID(subject, nid, index) >= 0) return {};
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) return {};
    std::string value(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return value;
}

}  // namespace

PeerIdentity identifyPeer(const std::optional<core::Certificate>& presented, const core::CertificateAuthority& ca) {
    if (!presented) return {};
    PeerIdentity peer;
    peer.commonName = nameEntry(*presented, NID_commonName);
    std::string reason;
    if (!ca.verifies(*presented, &reason)) {
        peer.role = PeerRole::Untrusted;
        peer.problem = "client certificate not accepted: " + reason;
        return peer;
    }
    const std::string unit = nameEntry(*presented, NID_organizationalUnitName);
    if (unit == "iotdevice")
        peer.role = PeerRole::Device;
    else if (unit == "admin")
        peer.role = PeerRole::Admin;
    else if (unit == "plugin")
        peer.role = PeerRole::Plugin;
    else {
        peer.role = PeerRole::Untrusted;
        peer.problem = "client certificate has OU '" + unit + "', not iotdevice, admin or plugin";
    }
    if (peer.role != PeerRole::Untrusted && peer.commonName.empty()) {
        peer.role = PeerRole::Untrusted;
        peer.problem = "client certificate has no single CN";
    }
    return peer;
}

std::string describe(const PeerIdentity& peer) {
    switch (peer.role) {
        case PeerRole::Anonymous:
            return "anonymous";
        case PeerRole::Device:
            return "device '" + peer.commonName + "'";
        case PeerRole::Admin:
            return "admin '" + peer.commonName + "'";
        case PeerRole::Plugin:
            return "plugin '" + peer.commonName + "'";
        case PeerRole::Untrusted:
            return "untrusted certificate";
    }
    return "unknown";
}

}  // namespace steward::plugins::idprov
