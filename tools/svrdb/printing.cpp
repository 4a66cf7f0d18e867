#include "printing.hpp"

#include "steward/crypto/x509.hpp"
#include "steward/model/resource_json.hpp"

namespace steward::tools {
namespace {

// Every value starts in this column, whatever its nesting, so a block reads as one table.
constexpr std::size_t kValueColumn = 20;

void field(std::ostream& out, std::size_t indent, std::string_view label, const std::string& value) {
    std::string padded(label);
    if (indent + padded.size() < kValueColumn) padded.resize(kValueColumn - indent, ' ');
    out << std::string(indent, ' ') << padded << ": " << value << '\n';
}

void heading(std::ostream& out, std::string_view name, std::string_view href, const std::string& note = "") {
    out << name << "  " << href << (note.empty() ? "" : "  (" + note + ")") << '\n';
}

std::string yesNo(bool b) { return b ? "true" : "false"; }

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

template <typename T, typename F>
std::string joined(const std::vector<T>& items, F describe, std::string_view separator = ", ") {
    std::string s;
    for (const auto& item : items) {
        if (!s.empty()) s += separator;
        s += describe(item);
    }
    return s.empty() ? "(none)" : s;
}

// A bitmask with the names of its set bits: "3 (MULTI_SERVICE_SERVER_DRIVEN|...)".
std::string bits(int value, const std::vector<std::string_view>& names) {
    std::string set;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if ((value & (1 << i)) == 0) continue;
        if (!set.empty()) set += "|";
        set += names[i].empty() ? std::to_string(1 << i) : std::string(names[i]);
    }
    return std::to_string(value) + (set.empty() ? "" : " (" + set + ")");
}

std::string provisioningModes(int value) {
    return bits(value, {"RESET", "TAKE_OWNER", "BOOTSTRAP", "SECURITY_MANAGEMENT", "PROVISION_CREDENTIALS", "PROVISION_ACLS"});
}

std::string operationalModes(int value) {
    return bits(value, {"MULTI_SERVICE_SERVER_DRIVEN", "SINGLE_SERVICE_SERVER_DRIVEN", "SINGLE_SERVICE_CLIENT_DRIVEN"});
}

std::string oxmText(int id) {
    const std::string_view name = core::oxm::name(id);
    return std::to_string(id) + (name.empty() ? "" : " (" + std::string(name) + ")");
}

std::string aceResourceText(const core::AceResource& r) {
    if (r.wc) {
        switch (*r.wc) {
            case core::Wildcard::All:
                return "* (all)";
            case core::Wildcard::Secured:
                return "+ (all secured)";
            case core::Wildcard::Public:
                return "- (all public)";
        }
    }
    return r.href;
}

std::string permissionText(int bitsValue) { return core::permission::toString(bitsValue) + " (" + std::to_string(bitsValue) + ")"; }

std::string credtypeText(int credtype) {
    switch (credtype) {
        case core::credtype::kSymmetricPairwise:
            return "1 (symmetric pair-wise key)";
        case core::credtype::kAsymmetricSigningWithCert:
            return "8 (asymmetric signing key with certificate)";
        default:
            return std::to_string(credtype);
    }
}

std::string secretText(std::string_view kind, const core::EncodedData& d) {
    return std::string(kind) + " " + std::to_string(d.data.size()) + " bytes " + core::kMaskedSecret + " (" + d.encoding + ")";
}

void printCertificate(std::ostream& out, std::size_t index, const core::Certificate& cert) {
    const core::CertificateSummary s = cert.summary();
    field(out, 4, "certificate " + std::to_string(index), s.subject);
    field(out, 6, "issuer", s.issuer);
    field(out, 6, "validity", s.notBefore + " to " + s.notAfter);
    field(out, 6, "key", s.keyType);
    field(out, 6, "sha256", s.sha256Fingerprint);
    field(out, 6, "CA", s.isCa ? "yes" : "no");
}

void printPublicData(std::ostream& out, const core::EncodedData& d) {
    std::vector<core::Certificate> chain;
    try {
        chain = core::Certificate::parseChain(d.data, "publicdata");
    } catch (const core::CryptoError&) {
        // opaque data: its size is all a reader can use
    }
    field(out, 4, "publicdata",
          d.encoding + ", " + (chain.empty() ? "" : plural(chain.size(), "certificate", "certificates") + ", ") +
              std::to_string(d.data.size()) + " bytes");
    for (std::size_t i = 0; i < chain.size(); ++i) printCertificate(out, i + 1, chain[i]);
}

void printCredFields(std::ostream& out, const core::Cred& c) {
    field(out, 4, "credtype", credtypeText(c.credtype));
    if (!c.credusage.empty()) field(out, 4, "credusage", c.credusage);
    field(out, 4, "subjectuuid", c.subjectuuid.toString());
    if (c.roleid) {
        field(out, 4, "roleid", c.roleid->role + (c.roleid->authority.empty() ? "" : "@" + c.roleid->authority));
    }
    if (c.privatedata) {
        const bool psk = c.credtype == core::credtype::kSymmetricPairwise;
        field(out, 4, "privatedata", secretText(psk ? "psk" : "private key", *c.privatedata));
    }
    if (c.publicdata) printPublicData(out, *c.publicdata);
}

void printOneCred(std::ostream& out, const core::Cred& c) {
    out << "  credid " << (c.credid ? std::to_string(*c.credid) : "(none)") << '\n';
    printCredFields(out, c);
}

std::string validityText(const core::Validity& v) {
    std::string s = v.period;
    for (std::size_t i = 0; i < v.recurrence.size(); ++i) s += (i == 0 ? " repeating " : ", ") + v.recurrence[i];
    return s;
}

}  // namespace

void printDoxm(std::ostream& out, const core::Doxm& doxm) {
    heading(out, "doxm", "/oic/sec/doxm");
    field(out, 2, "deviceuuid", doxm.deviceuuid.toString());
    field(out, 2, "owned", yesNo(doxm.owned));
    field(out, 2, "oxms", joined(doxm.oxms, oxmText));
    field(out, 2, "oxmsel", oxmText(doxm.oxmsel));
    field(out, 2, "sct", bits(doxm.sct, {"SYMMETRIC_PAIR_WISE", "", "", "SIGNED_ASYMMETRIC_KEY"}));
    field(out, 2, "devowneruuid", doxm.devowneruuid.toString());
    field(out, 2, "rowneruuid", doxm.rowneruuid.toString());
}

void printPstat(std::ostream& out, const core::Pstat& pstat) {
    heading(out, "pstat", "/oic/sec/pstat");
    field(out, 2, "dos",
          std::string(core::dosStateName(pstat.dos.state)) + " (s=" + std::to_string(static_cast<int>(pstat.dos.state)) +
              ", p=" + yesNo(pstat.dos.pending) + ")");
    field(out, 2, "isop", yesNo(pstat.isop));
    field(out, 2, "cm", provisioningModes(pstat.cm));
    field(out, 2, "tm", provisioningModes(pstat.tm));
    field(out, 2, "om", operationalModes(pstat.om));
    field(out, 2, "sm", operationalModes(pstat.sm));
    field(out, 2, "rowneruuid", pstat.rowneruuid.toString());
}

void printCred(std::ostream& out, const core::CredResource& cred) {
    heading(out, "cred", "/oic/sec/cred", plural(cred.creds.size(), "credential", "credentials"));
    field(out, 2, "rowneruuid", cred.rowneruuid.toString());
    for (const auto& c : cred.creds) printOneCred(out, c);
}

void printOwnerKeys(std::ostream& out, const OwnerKeyListing& listing) {
    heading(out, "owner-key log", listing.file.string(),
            plural(listing.creds.size(), "credential", "credentials") + ", read-only: the gateway's owner credentials");
    for (const auto& c : listing.creds) {
        out << "  owner credential (no credid)\n";
        printCredFields(out, c);
    }
}

void printAcl(std::ostream& out, const core::Acl2& acl) {
    heading(out, "acl2", "/oic/sec/acl2", plural(acl.aclist2.size(), "ACE", "ACEs"));
    field(out, 2, "rowneruuid", acl.rowneruuid.toString());
    for (const auto& ace : acl.aclist2) {
        out << "  aceid " << ace.aceid << '\n';
        field(out, 4, "subject", core::aceSubjectToString(ace.subject));
        field(out, 4, "resources", joined(ace.resources, aceResourceText));
        field(out, 4, "permission", permissionText(ace.permission));
        if (!ace.validity.empty()) field(out, 4, "validity", joined(ace.validity, validityText, " | "));
    }
}

void printPconf(std::ostream& out, const core::Pconf& pconf) {
    heading(out, "pconf", "/oic/sec/pconf");
    field(out, 2, "edp", yesNo(pconf.edp));
    field(out, 2, "prm", joined(pconf.prm, [](int m) {
              return std::to_string(m) + (m == core::pairing_method::kPreconfiguredPin ? " (pre-configured PIN)"
                                          : m == core::pairing_method::kRandomPin      ? " (random PIN)"
                                                                                       : "");
          }));
    field(out, 2, "pin", std::to_string(pconf.pin.size()) + " bytes " + core::kMaskedSecret);
    for (std::size_t i = 0; i < pconf.pdacl.size(); ++i) {
        const auto& entry = pconf.pdacl[i];
        out << "  pdacl " << (i + 1) << '\n';
        field(out, 4, "resources", joined(entry.resources, aceResourceText));
        field(out, 4, "permission", permissionText(entry.permission));
        if (!entry.prds.empty()) field(out, 4, "prds", joined(entry.prds, [](const std::string& s) { return s; }));
        if (!entry.recurrence.empty()) {
            field(out, 4, "recurrence", joined(entry.recurrence, [](const std::string& s) { return s; }));
        }
    }
    field(out, 2, "pddev", joined(pconf.pddev, [](const core::Uuid& u) { return u.toString(); }));
    field(out, 2, "deviceuuid", pconf.deviceuuid.toString());
    field(out, 2, "rowneruuid", pconf.rowneruuid.toString());
}

void printDpairing(std::ostream& out, const core::Dpairing& dpairing) {
    heading(out, "dpairing", "/oic/sec/dpairing");
    field(out, 2, "spm", std::to_string(dpairing.spm));
    field(out, 2, "pdeviceuuid", dpairing.pdeviceuuid.toString());
    field(out, 2, "rowneruuid", dpairing.rowneruuid.toString());
}

void printAll(std::ostream& out, const core::SecurityResources& resources, const OwnerKeyListing* ownerKeys) {
    printDoxm(out, resources.doxm);
    out << '\n';
    printPstat(out, resources.pstat);
    out << '\n';
    printCred(out, resources.cred);
    out << '\n';
    if (ownerKeys != nullptr) {
        printOwnerKeys(out, *ownerKeys);
        out << '\n';
    }
    printAcl(out, resources.acl);
    if (resources.pconf) {
        out << '\n';
        printPconf(out, *resources.pconf);
    }
    if (resources.dpairing) {
        out << '\n';
        printDpairing(out, *resources.dpairing);
    }
}

}  // namespace steward::tools
