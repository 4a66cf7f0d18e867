#include "server_tls.hpp"

#include <Poco/Net/NetSSL.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <mutex>
#include <stdexcept>

namespace steward::plugins::idprov {
namespace {

// Any certificate passes the handshake (OpenSSL still checks the client's CertificateVerify, so
// the client does hold the key); PeerIdentity decides what it is worth.
int acceptAnyClientCertificate(int, X509_STORE_CTX*) { return 1; }

std::vector<std::string> subjectAltNames(const std::vector<std::string>& configured) {
    std::vector<std::string> names{"localhost", "127.0.0.1", "::1"};
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof host) == 0 && host[0] != '\0') names.emplace_back(host);
    for (const auto& n : configured) {
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
    return names;
}

}  // namespace

void initializeTls() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

Poco::Net::Context::Ptr makeServerContext(core::CertificateAuthority& ca, const std::vector<std::string>& serverNames) {
    initializeTls();
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
    params.loadDefaultCAs = false;
    params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4";
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    // Poco's "extended verification" matches a client certificate's names against the client's IP
    // address (and exempts only 127.0.0.1), which drops every device with a certificate that
    // connects from the network. Client certificates name devices, not hosts; PeerIdentity checks
    // them.
    context->enableExtendedCertificateVerification(false);

    core::CertificateProfile profile;
    profile.commonName = "Steward IDProv server";
    profile.organizationalUnit = "idprov";
    profile.usage = core::CertificateUsage::Server;
    profile.validity = std::chrono::hours(24 * 365);
    profile.subjectAltNames = subjectAltNames(serverNames);
    const core::IssuedIdentity identity = ca.issueWithNewKey(profile);

    SSL_CTX* raw = context->sslContext();
    if (SSL_CTX_use_certificate(raw, identity.certificate.native()) != 1 || SSL_CTX_use_PrivateKey(raw, identity.key.native()) != 1 ||
        SSL_CTX_check_private_key(raw) != 1) {
        throw std::runtime_error("idprov: cannot load the server certificate into the TLS context");
    }
    // Tells clients which CA's certificate to present (admins, devices renewing).
    if (SSL_CTX_add_client_CA(raw, ca.certificate().native()) != 1) {
        throw std::runtime_error("idprov: cannot set the client CA list");
    }
    SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, acceptAnyClientCertificate);
    return context;
}

}  // namespace steward::plugins::idprov
