#include "steward/device/device_certificates.hpp"

#include <openssl/crypto.h>

#include "steward/crypto/x509.hpp"

namespace steward::core {

std::optional<PkiCredentials> deviceCertificateCredentials(const CredResource& cred, const Uuid& self) {
    PkiCredentials pki;
    for (const auto& c : cred.creds) {
        if (c.credtype != credtype::kAsymmetricSigningWithCert || !c.publicdata) continue;
        try {
            if (c.credusage == credusage::kTrustCa) {
                for (const auto& cert : Certificate::parseChain(c.publicdata->data, "trustca publicdata")) pki.trustedCaPem += cert.pem();
            } else if (c.credusage == credusage::kCert && !c.subjectuuid.wildcard && c.subjectuuid.uuid == self && c.privatedata &&
                       pki.certificateChainPem.empty()) {
                const auto chain = Certificate::parseChain(c.publicdata->data, "cert publicdata");
                const auto key = PrivateKey::parse(c.privatedata->data, "cert privatedata");
                if (!key.matches(chain.front())) continue;
                pki.certificateChainPem = chainToPem(chain);
                pki.privateKeyPem = key.pem();
            }
        } catch (const CryptoError&) {
            continue;  // not ours to use
        }
    }
    if (pki.certificateChainPem.empty() || pki.trustedCaPem.empty()) return std::nullopt;
    return pki;
}

std::optional<Uuid> uuidFromCertificateCn(const std::string& commonName) {
    constexpr std::string_view prefix = "uuid:";
    if (commonName.size() != prefix.size() + 36 || commonName.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    return Uuid::parse(std::string_view(commonName).substr(prefix.size()));
}

}  // namespace steward::core
