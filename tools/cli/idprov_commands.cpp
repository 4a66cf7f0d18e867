#include "idprov_commands.hpp"

#include <Poco/JSON/Object.h>

#include "args.hpp"
#include "discovery_options.hpp"
#include "errors.hpp"
#include "local_context.hpp"
#include "steward/crypto/certificate_authority.hpp"
#include "steward/util/atomic_file.hpp"

namespace steward::tools {
namespace {

void writeText(const std::filesystem::path& file, const std::string& text, unsigned mode) {
    core::AtomicWriteOptions options;
    options.mode = mode;
    core::writeFileAtomically(file, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), options);
}

int issueCertificate(const std::vector<std::string>& words, std::ostream& out) {
    const Args args(words, {{"--out", true}, {"--role", true}, {"--days", true}, {"--san", true, true}, {"--state-dir", true}}, "ca-cert");
    if (args.help()) {
        out << "usage: steward ca-cert NAME --out DIR [--role admin|plugin|service] [--san NAME|IP]...\n"
               "                [--days N (default 365)] [--state-dir DIR] [--json]\n\n"
               "Issues a certificate from the gateway CA (CN = NAME, OU = the role) and writes DIR/NAME.key (0600),\n"
               "DIR/NAME.crt and DIR/ca.crt. admin and plugin are client certificates: with one, a tool may POST\n"
               "out-of-band secrets to the IDProv API. service is a server certificate (with the --san names), e.g. for\n"
               "the MQTT broker that IDProv devices connect to with their certificates.\n"
               "  curl --cacert DIR/ca.crt --cert DIR/NAME.crt --key DIR/NAME.key \\\n"
               "       -d '{\"deviceID\":\"...\",\"oobSecret\":\"...\"}' https://GATEWAY:43776/idprov/oobsecret\n"
               "Reads the CA key in the state directory, so it runs on the gateway (as the user stewardd runs as).\n"
               "Exit status: 0 ok, 1 error, 2 usage.\n";
        return 0;
    }
    args.requirePositionals(1, 1, "the certificate's name (its CN)");
    const std::string name = args.positionals()[0];
    if (name.empty() || name.size() > 64 || name.find_first_of("/\\") != std::string::npos || name[0] == '.') {
        throw UsageError("NAME must be 1 to 64 characters, without '/' and not starting with '.'");
    }
    const auto role = args.value("--role").value_or("admin");
    if (role != "admin" && role != "plugin" && role != "service") throw UsageError("--role must be admin, plugin or service");
    const auto sans = args.values("--san");
    if (!sans.empty() && role != "service") throw UsageError("--san is for --role service");
    const auto outDir = args.value("--out");
    if (!outDir) throw UsageError("--out DIR is required");
    const auto days = parseBoundedInt(args.value("--days").value_or("365"), "--days", 1, 3650);

    const auto paths = resolvePaths(args.value("--state-dir"), std::nullopt);
    auto ca = core::CertificateAuthority::openOrCreate(paths.stateDir / "ca");
    core::CertificateProfile profile;
    profile.commonName = name;
    profile.organizationalUnit = role;
    profile.usage = role == "service" ? core::CertificateUsage::Server : core::CertificateUsage::Client;
    profile.subjectAltNames = sans;
    profile.validity = std::chrono::hours(24 * days);
    const auto issued = ca.issueWithNewKey(profile);

    const std::filesystem::path dir(*outDir);
    std::filesystem::create_directories(dir);
    writeText(dir / (name + ".key"), issued.key.pem(), 0600);
    writeText(dir / (name + ".crt"), issued.certificate.pem(), 0644);
    writeText(dir / "ca.crt", ca.chainPem(), 0644);
    const auto summary = issued.certificate.summary();
    if (args.json()) {
        Poco::JSON::Object o;
        o.set("name", name);
        o.set("role", role);
        o.set("certificate", (dir / (name + ".crt")).string());
        o.set("key", (dir / (name + ".key")).string());
        o.set("ca", (dir / "ca.crt").string());
        o.set("not_after", summary.notAfter);
        o.stringify(out);
        out << '\n';
    } else {
        out << "issued " << role << " certificate '" << name << "' (serial " << summary.serialNumber << ", until " << summary.notAfter
            << ")\n  " << (dir / (name + ".crt")).string() << "\n  " << (dir / (name + ".key")).string() << " (0600)\n  "
            << (dir / "ca.crt").string() << '\n';
    }
    return 0;
}

}  // namespace

std::string idprovCommandsSummary() {
    return "  ca-cert     a certificate from the gateway CA: admin/plugin (IDProv API) or service (a broker)\n";
}

int runIdprovCommand(const std::string& command, const std::vector<std::string>& words, std::ostream& out, std::ostream&) {
    if (command == "ca-cert") return issueCertificate(words, out);
    return -1;
}

}  // namespace steward::tools
