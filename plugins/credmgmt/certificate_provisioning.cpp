// Certificates for an owned device: the gateway CA as its trust anchor and a fresh certificate
// (CN "uuid:<device>") with its key, so that it can be reached over certificate-based DTLS.
#include "operations.hpp"
#include "steward/crypto/certificate_authority.hpp"
#include "steward/crypto/certificate_creds.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::plugins::credmgmt {

ProvisioningOutcome provisionCertificate(ProvisioningContext& ctx, const Uuid& id, std::chrono::hours validity) {
    return runOperation([&] {
        if (ctx.ca == nullptr) throw InvalidRequest("this gateway has no certificate authority configured");
        if (validity.count() <= 0) throw InvalidRequest("the validity must be positive");
        const auto device = ownedDevice(ctx, id);
        CertificateProfile profile;
        profile.commonName = "uuid:" + id.toString();
        profile.validity = validity;
        profile.usage = CertificateUsage::ClientAndServer;
        profile.ocfIdentity = true;  // what devices require of a "uuid:" peer (issue 13.2)
        IssuedIdentity issued = [&] {
            try {
                return ctx.ca->issueWithNewKey(profile);
            } catch (const CryptoError& e) {
                throw InvalidRequest(std::string("the CA could not issue the certificate: ") + e.what());
            }
        }();
        const auto caCert = ctx.ca->certificate();
        const auto fingerprint = caCert.summary().sha256Fingerprint;

        auto session = openOwnerSession(ctx, device);
        int added = 0;
        session.whileProvisioning([&] {
            // The trust anchor once; a new identity replaces any older one of ours.
            CredResource cred = session.readCred();
            bool anchorPresent = false;
            for (const auto& c : cred.creds) {
                if (c.credusage == credusage::kTrustCa && c.publicdata) {
                    try {
                        for (const auto& cert : Certificate::parseChain(c.publicdata->data, "publicdata")) {
                            anchorPresent = anchorPresent || cert.summary().sha256Fingerprint == fingerprint;
                        }
                    } catch (const CryptoError&) {  // NOLINT(bugprone-empty-catch): not ours, not a certificate
                    }
                }
                if (c.credusage == credusage::kCert && c.credid) session.del("/oic/sec/cred", {"credid=" + std::to_string(*c.credid)});
            }
            CredResource post;
            if (!anchorPresent) post.creds.push_back(trustAnchorCred(caCert));
            post.creds.push_back(identityCred({issued.certificate}, issued.key, id));
            added = static_cast<int>(post.creds.size());
            const CborValue body = credToCbor(post, PrivateData::Include);
            session.post("/oic/sec/cred", CborValue::map({{CborValue::text("creds"), *body.find("creds")}}));
        });
        CredentialRecord record;
        record.device = id;
        record.subject = id;
        record.credtype = credtype::kAsymmetricSigningWithCert;
        record.keyBits = 256;  // EC P-256
        ctx.pdm.addCredential(record);

        ProvisioningOutcome outcome;
        outcome.ok = true;
        const auto summary = issued.certificate.summary();
        outcome.done.push_back("certificate " + summary.serialNumber + " (" + summary.subject + ", valid until " + summary.notAfter +
                               ") and its key installed on " + id.toString() + (added == 2 ? ", with the gateway CA as trust anchor" : ""));
        return outcome;
    });
}

}  // namespace steward::plugins::credmgmt
