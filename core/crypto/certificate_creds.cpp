#include "steward/crypto/certificate_creds.hpp"

namespace steward::core {
namespace {

std::vector<std::uint8_t> bytesOf(const std::string& text) { return {text.begin(), text.end()}; }

}  // namespace

Cred trustAnchorCred(const Certificate& ca) {
    if (!ca.isCa()) {
        throw CryptoError("certificate (subject \"" + ca.summary().subject +
                          "\") is not a CA certificate (no basicConstraints CA:TRUE); a trust anchor must be one");
    }
    Cred cred;
    cred.credtype = credtype::kAsymmetricSigningWithCert;
    cred.subjectuuid = CredSubject::any();
    cred.credusage = credusage::kTrustCa;
    cred.publicdata = EncodedData{bytesOf(ca.pem()), encoding::kPem};
    return cred;
}

Cred identityCred(const std::vector<Certificate>& chain, const PrivateKey& key, const Uuid& device) {
    if (chain.empty()) throw CryptoError("no certificate for the identity credential");
    if (chain.front().isCa()) {
        throw CryptoError("the first certificate (subject \"" + chain.front().summary().subject +
                          "\") is a CA certificate; the device's own certificate must come first");
    }
    if (!key.matches(chain.front())) throw CryptoError("the private key does not match the certificate");
    Cred cred;
    cred.credtype = credtype::kAsymmetricSigningWithCert;
    cred.subjectuuid = CredSubject{device, false};
    cred.credusage = credusage::kCert;
    cred.publicdata = EncodedData{bytesOf(chainToPem(chain)), encoding::kPem};
    cred.privatedata = EncodedData{key.der(), encoding::kRaw};
    return cred;
}

}  // namespace steward::core
