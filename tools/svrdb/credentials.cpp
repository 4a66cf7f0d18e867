#include "credentials.hpp"

#include <openssl/crypto.h>

#include "errors.hpp"
#include "steward/crypto/certificate_creds.hpp"

namespace steward::tools {
namespace {

std::string describe(const core::Certificate& cert, std::size_t index) {
    return "certificate " + std::to_string(index + 1) + " (subject \"" + cert.summary().subject + "\")";
}

}  // namespace

bool validPskLength(std::size_t bytes) { return bytes == 16 || bytes == 32; }

core::Cred makePskCred(const core::CredSubject& subject, std::vector<std::uint8_t> key) {
    if (!validPskLength(key.size())) {
        const std::size_t size = key.size();
        OPENSSL_cleanse(key.data(), key.size());
        throw InputError("a PSK must be 16 or 32 bytes, got " + std::to_string(size));
    }
    core::Cred cred;
    cred.credtype = core::credtype::kSymmetricPairwise;
    cred.subjectuuid = subject;
    cred.privatedata = core::EncodedData{std::move(key), core::encoding::kRaw};
    return cred;
}

std::vector<core::Cred> makeTrustCaCreds(const std::filesystem::path& chainFile) {
    const std::vector<core::Certificate> chain = core::Certificate::loadChain(chainFile);
    std::vector<core::Cred> creds;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        if (!chain[i].isCa()) {
            throw InputError(chainFile.string() + ": " + describe(chain[i], i) +
                             " is not a CA certificate (no basicConstraints CA:TRUE); a trust CA chain holds CA "
                             "certificates only");
        }
        creds.push_back(core::trustAnchorCred(chain[i]));
    }
    return creds;
}

core::Cred makeCertCred(const std::filesystem::path& certFile, const std::filesystem::path& keyFile, const core::Uuid& device) {
    const std::vector<core::Certificate> chain = core::Certificate::loadChain(certFile);
    const core::PrivateKey key = core::PrivateKey::load(keyFile);
    if (chain.front().isCa()) {
        throw InputError(certFile.string() + ": the first certificate (subject \"" + chain.front().summary().subject +
                         "\") is a CA certificate; the device's own certificate must come first (use add-trustca "
                         "for CA certificates)");
    }
    if (!key.matches(chain.front())) {
        throw InputError(keyFile.string() + ": private key does not match the certificate in " + certFile.string());
    }
    return core::identityCred(chain, key, device);
}

std::vector<std::string> certificateFingerprints(const core::Cred& cred) {
    std::vector<std::string> out;
    if (!cred.publicdata) return out;
    try {
        for (const auto& cert : core::Certificate::parseChain(cred.publicdata->data, "publicdata")) {
            out.push_back(cert.summary().sha256Fingerprint);
        }
    } catch (const core::CryptoError&) {
        // not certificates
    }
    return out;
}

}  // namespace steward::tools
