// steward-enroll: an IDProv device client. Enrols a device with the gateway's IDProv server through
// an out-of-band secret, renews its certificate over mutual TLS, or asks for its status; what is
// issued goes to a credentials directory (key.pem, cert.pem, ca.pem). The protocol lives in
// steward_idprov; this file only reads the command line and reports.
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include "args.hpp"
#include "errors.hpp"
#include "steward/idprov/dnssd_browser.hpp"
#include "steward/idprov/idprov_client.hpp"
#include "steward/idprov/idprov_error.hpp"
#include "steward/model/resource_json.hpp"
#include "steward/util/atomic_file.hpp"

namespace {

using steward::tools::Args;
using steward::tools::InputError;
using steward::tools::UsageError;
namespace idprov = steward::idprov;

constexpr int kExitApproved = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRejected = 3;
constexpr int kExitWaiting = 4;
constexpr int kMaxWaitSec = 3600;  // a --wait retry never sleeps longer, whatever the server says

const char* const kUsage = R"(usage: steward-enroll --device-id ID (--oob-secret S | --oob-secret-file F) --out DIR
                      [--url URL | --discover [--discover-timeout MS]] [--hash-alg Argon2id|PBKDF2]
                      [--wait] [--any-server] [--json]
       steward-enroll --device-id ID --out DIR --renew [--url URL | --discover] [--json]
       steward-enroll --device-id ID --out DIR --status [--url URL | --discover] [--json]
       steward-enroll --version

Enrols this device with an IDProv server (the gateway): fetches the directory, sends a provisioning
request carrying a hash of the out-of-band secret and a new public key, checks the server's own
hash of the secret, and stores the issued certificate, its key and the CA in DIR (0700; files 0600).

  --device-id ID        the deviceID (letters, digits, . _ : -; at most 128)
  --oob-secret S        the out-of-band secret (prefer --oob-secret-file: argv is visible to others)
  --oob-secret-file F   read the secret from F (one line; a trailing newline is ignored)
  --out DIR             the credentials directory
  --url URL             the directory URL, e.g. https://gateway:43776/idprov/directory
  --discover            find the server by DNS-SD (_idprov._tcp, through avahi-daemon)
  --discover-timeout MS how long to browse (default 3000)
  --hash-alg ALG        Argon2id (default) or PBKDF2, at the cost the server's directory advertises
  --renew               renew the stored certificate over mutual TLS (no secret needed)
  --status              ask the server for this device's status (nothing is stored)
  --wait                when the server answers Waiting (or is busy: HTTP 429/503), retry after its
                        retrySec until decided
  --any-server          accept any server certificate of the CA with serverAuth (another IDProv
                        implementation); by default it must carry OU=idprov, as Steward's does, so
                        an OCF device certified by the same CA cannot pose as the server
  --json                one JSON object on stdout: {"status": "Approved"|"Waiting"|"Rejected"|"error", ...}

Exit status: 0 approved, 1 error, 2 usage, 3 rejected, 4 waiting (without --wait).
)";

const std::vector<steward::tools::OptionSpec> kOptions = {
    {"--device-id", true, false},
    {"--oob-secret", true, false},
    {"--oob-secret-file", true, false},
    {"--out", true, false},
    {"--url", true, false},
    {"--discover", false, false},
    {"--discover-timeout", true, false},
    {"--hash-alg", true, false},
    {"--renew", false, false},
    {"--status", false, false},
    {"--wait", false, false},
    {"--any-server", false, false},
    {"--version", false, false},
};

struct Reporter {
    bool json = false;

    // Progress for people: stdout normally, stderr with --json (stdout holds only the document).
    void progress(const std::string& line) const { (json ? std::cerr : std::cout) << line << std::endl; }

    int error(const std::string& message, int code) const {
        std::cerr << "steward-enroll: " << message << '\n';
        if (json) {
            Poco::JSON::Object::Ptr doc = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            doc->set("status", std::string("error"));
            doc->set("error", message);
            std::cout << steward::core::jsonText(doc) << std::endl;
        }
        return code;
    }
};

std::string readSecretFile(const std::string& path) {
    std::vector<std::uint8_t> bytes;
    try {
        bytes = steward::core::readWholeFile(path, idprov::kMaxOobSecretBytes + 2);
    } catch (const steward::core::FileError& e) {
        throw InputError(std::string("--oob-secret-file: ") + e.what());
    }
    std::string secret(bytes.begin(), bytes.end());
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (secret.empty()) throw InputError("--oob-secret-file: " + path + " holds no secret");
    return secret;
}

std::chrono::milliseconds discoverTimeout(const Args& args) {
    const auto text = args.value("--discover-timeout");
    if (!text) return std::chrono::milliseconds(3000);
    if (!args.has("--discover")) throw UsageError("--discover-timeout needs --discover");
    std::size_t used = 0;
    long long ms = 0;
    try {
        ms = std::stoll(*text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text->size() || ms < 1 || ms > 600000) throw UsageError("--discover-timeout must be 1..600000 milliseconds");
    return std::chrono::milliseconds(ms);
}

std::string discoverDirectoryUrl(std::chrono::milliseconds timeout, const Reporter& report) {
    const auto found = idprov::browseServices("_idprov._tcp", timeout);
    if (found.empty()) {
        throw std::runtime_error("no IDProv server found by DNS-SD (_idprov._tcp) within " + std::to_string(timeout.count()) + " ms");
    }
    const std::string url = idprov::idprovDirectoryUrl(found.front());
    report.progress("found '" + found.front().instanceName + "' on " + found.front().hostName + ": " + url);
    return url;
}

Poco::JSON::Object::Ptr resultDocument(const std::string& status, const idprov::IdprovClientOptions& options,
                                       const std::string& operation) {
    Poco::JSON::Object::Ptr doc = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    doc->set("status", status);
    doc->set("operation", operation);
    doc->set("deviceID", options.deviceId);
    doc->set("directory", options.directoryUrl);
    doc->set("store", options.storeDirectory.string());
    return doc;
}

int exitCodeOf(idprov::ProvisionStatus status) {
    switch (status) {
        case idprov::ProvisionStatus::Approved:
            return kExitApproved;
        case idprov::ProvisionStatus::Waiting:
            return kExitWaiting;
        case idprov::ProvisionStatus::Rejected:
            return kExitRejected;
    }
    return kExitError;
}

int reportEnrollment(const idprov::EnrollmentResult& result, const idprov::IdprovClientOptions& options, const std::string& operation,
                     const Reporter& report) {
    const std::string status(idprov::statusName(result.status));
    if (report.json) {
        auto doc = resultDocument(status, options, operation);
        doc->set("retrySec", result.retrySec);
        if (!result.notAfter.empty()) doc->set("notAfter", result.notAfter);
        if (!result.message.empty()) doc->set("message", result.message);
        std::cout << steward::core::jsonText(doc) << std::endl;
        return exitCodeOf(result.status);
    }
    switch (result.status) {
        case idprov::ProvisionStatus::Approved:
            std::cout << "approved: certificate for '" << options.deviceId << "' stored in " << options.storeDirectory.string()
                      << " (valid until " << result.notAfter << ")";
            if (result.retrySec > 0) std::cout << "; renew within " << result.retrySec << " s";
            std::cout << '\n';
            break;
        case idprov::ProvisionStatus::Waiting:
            std::cout << "waiting: " << (result.message.empty() ? "the server does not know the OOB secret yet" : result.message)
                      << " (retry in " << result.retrySec << " s)\n";
            break;
        case idprov::ProvisionStatus::Rejected:
            std::cout << "rejected: " << (result.message.empty() ? "no reason given" : result.message) << '\n';
            break;
    }
    return exitCodeOf(result.status);
}

int reportStatus(const idprov::StatusResponse& response, const idprov::IdprovClientOptions& options, const Reporter& report) {
    const std::string status(idprov::statusName(response.status));
    std::string notAfter;
    if (!response.clientCert.empty()) {
        try {
            const std::string& pem = response.clientCert;
            notAfter = steward::core::Certificate::parseChain({reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()}, "clientCert")
                           .front()
                           .summary()
                           .notAfter;
        } catch (const steward::core::CryptoError&) {
            notAfter.clear();  // shown without a date; the status itself is what was asked
        }
    }
    if (report.json) {
        auto doc = resultDocument(status, options, "status");
        if (!notAfter.empty()) doc->set("notAfter", notAfter);
        std::cout << steward::core::jsonText(doc) << std::endl;
    } else {
        std::cout << "status of '" << options.deviceId << "': " << status;
        if (!notAfter.empty()) std::cout << " (certificate valid until " << notAfter << ")";
        std::cout << '\n';
    }
    return exitCodeOf(response.status);
}

int run(const Args& args, const Reporter& report) {
    args.requirePositionals(0, 0, "no arguments");
    const auto deviceId = args.value("--device-id");
    if (!deviceId) throw UsageError("--device-id is required");
    if (const auto problem = idprov::deviceIdProblem(*deviceId); !problem.empty()) throw UsageError("--device-id " + problem);
    const auto out = args.value("--out");
    if (!out || out->empty()) throw UsageError("--out DIR is required");
    const bool renew = args.has("--renew");
    const bool status = args.has("--status");
    if (renew && status) throw UsageError("--renew and --status exclude each other");
    if (args.has("--url") == args.has("--discover")) throw UsageError("give exactly one of --url and --discover");
    if (args.has("--oob-secret") && args.has("--oob-secret-file")) {
        throw UsageError("give the secret once: --oob-secret or --oob-secret-file");
    }
    const bool haveSecret = args.has("--oob-secret") || args.has("--oob-secret-file");
    if (!renew && !status && !haveSecret) throw UsageError("enrolment needs --oob-secret or --oob-secret-file");
    const auto timeout = discoverTimeout(args);

    idprov::IdprovClientOptions options;
    options.deviceId = *deviceId;
    options.storeDirectory = *out;
    if (args.has("--any-server")) options.serverOrganizationalUnit.clear();
    if (const auto alg = args.value("--hash-alg")) {
        const auto parsed = idprov::parseAlgorithm(*alg);
        if (!parsed) throw UsageError("--hash-alg must be Argon2id or PBKDF2");
        options.hashAlgorithm = *parsed;
    }
    if (!renew && !status) {
        options.oobSecret = args.has("--oob-secret") ? *args.value("--oob-secret") : readSecretFile(*args.value("--oob-secret-file"));
        if (options.oobSecret.empty()) throw UsageError("--oob-secret must not be empty");
        if (options.oobSecret.size() > idprov::kMaxOobSecretBytes) {
            throw InputError("the OOB secret is longer than " + std::to_string(idprov::kMaxOobSecretBytes) + " bytes");
        }
    }
    options.directoryUrl = args.has("--url") ? *args.value("--url") : discoverDirectoryUrl(timeout, report);

    idprov::IdprovClient client(options);
    if (status) return reportStatus(client.status(), options, report);
    const std::string operation = renew ? "renew" : "enroll";
    for (;;) {
        const idprov::EnrollmentResult result = renew ? client.renew() : client.enroll();
        if (result.status != idprov::ProvisionStatus::Waiting || !args.has("--wait")) {
            return reportEnrollment(result, options, operation, report);
        }
        const int sleepSec = std::clamp(result.retrySec, 1, kMaxWaitSec);
        report.progress(
            "waiting: " + (result.message.empty() ? std::string("the server does not know the OOB secret yet") : result.message) +
            "; retrying in " + std::to_string(sleepSec) + " s");
        std::this_thread::sleep_for(std::chrono::seconds(sleepSec));
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> words(argv + 1, argv + argc);
    Reporter report{steward::tools::wantsJson(words)};
    if (words.empty()) {
        std::cerr << kUsage;
        return kExitUsage;
    }
    try {
        const Args args(words, kOptions, "steward-enroll");
        if (args.help()) {
            std::cout << kUsage;
            return 0;
        }
        if (args.has("--version")) {
            std::cout << steward::tools::versionLine("steward-enroll");
            return 0;
        }
        return run(args, report);
    } catch (const UsageError& e) {
        return report.error(std::string(e.what()) + " (see steward-enroll --help)", kExitUsage);
    } catch (const std::exception& e) {
        return report.error(e.what(), kExitError);
    }
}
