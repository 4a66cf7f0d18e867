#pragma once
// A device's certificate credentials as the DTLS layer wants them: its own certificate chain and
// key (the cred with credusage "oic.sec.cred.cert" whose subject is the device) and the trust
// anchors it was given (credusage "oic.sec.cred.trustca"). Both the device's listener (server
// side) and its client calls use this.
#include <optional>

#include "steward/model/cred.hpp"
#include "steward/transport/pki.hpp"

namespace steward::core {

// nullopt when the device has no usable identity certificate or no trust anchor. A credential
// that does not parse is skipped (the device may hold foreign entries it cannot use).
std::optional<PkiCredentials> deviceCertificateCredentials(const CredResource& cred, const Uuid& self);

// The device UUID a certificate peer proved ("uuid:<uuid>" CN), or nullopt.
std::optional<Uuid> uuidFromCertificateCn(const std::string& commonName);

}  // namespace steward::core
