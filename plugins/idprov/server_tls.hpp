#pragma once
// The TLS side of the IDProv server: a certificate of its own from the gateway CA (OU idprov,
// serverAuth only, subjectAltName localhost/127.0.0.1/::1/this host/the configured names), made
// fresh at every start and kept in memory only; TLS 1.2 or newer; a client certificate is asked
// for but not required. The handshake accepts any client certificate: PeerIdentity checks it
// against the CA afterwards, so a wrong one gets an answer that says what is wrong.
#include <string>
#include <vector>

#include <Poco/Net/Context.h>

#include "steward/crypto/certificate_authority.hpp"

namespace steward::plugins::idprov {

// Calls Poco::Net::initializeSSL() once per process.
void initializeTls();

Poco::Net::Context::Ptr makeServerContext(core::CertificateAuthority& ca, const std::vector<std::string>& serverNames);

}  // namespace steward::plugins::idprov
