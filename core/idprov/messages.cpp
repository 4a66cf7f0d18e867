#include "steward/idprov/messages.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>

#include "steward/idprov/idprov_error.hpp"
#include "steward/idprov/oob_hash.hpp"

namespace steward::idprov {
namespace {

constexpr std::size_t kMaxUrlChars = 2048;
constexpr std::size_t kMaxEndpoints = 16;
constexpr std::size_t kMaxEndpointNameChars = 64;
constexpr std::size_t kMaxAlgorithms = 16;
constexpr std::size_t kMaxAlgorithmNameChars = 32;
constexpr std::size_t kMaxHashParamsChars = 64;
constexpr std::size_t kMaxAddressChars = 64;  // ip (IPv6 with a zone) and mac
constexpr std::size_t kMaxMessageChars = 1024;
constexpr std::int64_t kMaxRetrySec = 366LL * 24 * 3600;
// Our bodies nest two levels (the endpoints object, the oobsHashAlg array); anything much deeper is
// refused by the parser before it builds it.
constexpr std::size_t kMaxJsonDepth = 8;

constexpr std::string_view kCertificateBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kPublicKeyBegin = "-----BEGIN PUBLIC KEY-----";

using Poco::JSON::Object;

// Reads one message's fields, naming the message and the field in every error.
class Reader {
public:
    Reader(std::string_view what, std::string_view body) : what_(what) {
        if (body.size() > kMaxBodyBytes) fail("body larger than " + std::to_string(kMaxBodyBytes) + " bytes");
        Poco::Dynamic::Var parsed;
        try {
            Poco::JSON::Parser parser;
            parser.setAllowComments(false);
            parser.setDepth(kMaxJsonDepth);
            parsed = parser.parse(std::string(body));
        } catch (const Poco::Exception&) {
            // Poco's message may quote bytes of the body, which can hold a secret.
            fail("body is not valid JSON");
        } catch (const std::exception&) {
            fail("body is not valid JSON");
        }
        if (parsed.type() != typeid(Object::Ptr)) fail("body must be a JSON object");
        object_ = parsed.extract<Object::Ptr>();
        if (object_.isNull()) fail("body must be a JSON object");
    }

    [[noreturn]] void fail(const std::string& why) const { throw IdprovError(std::string(what_) + ": " + why); }
    [[noreturn]] void failField(std::string_view field, const std::string& why) const { fail("'" + std::string(field) + "' " + why); }

    bool has(const std::string& field) const { return object_->has(field) && !object_->isNull(field); }

    std::optional<std::string> optionalString(const std::string& field, std::size_t maxChars) const {
        if (!has(field)) return std::nullopt;
        const Poco::Dynamic::Var v = object_->get(field);
        if (!v.isString()) failField(field, "must be a string");
        std::string s = v.extract<std::string>();
        if (s.size() > maxChars) failField(field, "is longer than " + std::to_string(maxChars) + " characters");
        return s;
    }

    std::string requiredString(const std::string& field, std::size_t maxChars) const {
        auto s = optionalString(field, maxChars);
        if (!s) fail("missing '" + field + "'");
        return std::move(*s);
    }

    std::string deviceId(bool required) const {
        // No length limit here: deviceIdProblem() says what is wrong.
        auto id = required ? requiredString("deviceID", kMaxBodyBytes) : optionalString("deviceID", kMaxBodyBytes);
        if (!id || (!required && id->empty())) return "";
        if (const auto problem = deviceIdProblem(*id); !problem.empty()) failField("deviceID", problem);
        return std::move(*id);
    }

    // A string of printable ASCII without spaces (addresses, algorithm names, hashes), may be empty.
    std::string token(const std::string& field, std::size_t maxChars, bool required) const {
        auto s = required ? requiredString(field, maxChars) : optionalString(field, maxChars).value_or("");
        for (const char c : s) {
            if (c < 0x21 || c > 0x7E) failField(field, "must be printable ASCII without spaces");
        }
        return s;
    }

    // A PEM text (one or more blocks) of at most kMaxPemChars, starting with `begin` somewhere.
    std::string pem(const std::string& field, std::string_view begin, bool required) const {
        auto s = required ? requiredString(field, kMaxPemChars) : optionalString(field, kMaxPemChars).value_or("");
        if (required && s.empty()) failField(field, "must not be empty");
        if (!s.empty() && s.find(begin) == std::string::npos) {
            failField(field, "must be PEM text with a \"" + std::string(begin) + "\" block");
        }
        return s;
    }

    ProvisionStatus status() const {
        const std::string s = requiredString("status", 16);
        if (s == "Approved") return ProvisionStatus::Approved;
        if (s == "Waiting") return ProvisionStatus::Waiting;
        if (s == "Rejected") return ProvisionStatus::Rejected;
        failField("status", "must be \"Approved\", \"Waiting\" or \"Rejected\"");
    }

    std::int64_t integer(const std::string& field, std::int64_t min, std::int64_t max, std::int64_t absent) const {
        if (!has(field)) return absent;
        const Poco::Dynamic::Var v = object_->get(field);
        const std::string range = "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
        if (!v.isInteger() || v.isBoolean()) failField(field, range);
        std::int64_t n = 0;
        try {
            if (v.isSigned()) {
                n = v.convert<std::int64_t>();
            } else {
                const auto u = v.convert<std::uint64_t>();
                if (u > static_cast<std::uint64_t>(max)) failField(field, range);
                n = static_cast<std::int64_t>(u);
            }
        } catch (const Poco::Exception&) {
            failField(field, range);
        }
        if (n < min || n > max) failField(field, range);
        return n;
    }

    Object::Ptr object(const std::string& field) const {
        if (!has(field)) fail("missing '" + field + "'");
        const Poco::Dynamic::Var v = object_->get(field);
        if (v.type() != typeid(Object::Ptr) || v.extract<Object::Ptr>().isNull()) failField(field, "must be an object");
        return v.extract<Object::Ptr>();
    }

    Poco::JSON::Array::Ptr array(const std::string& field) const {
        if (!has(field)) fail("missing '" + field + "'");
        const Poco::Dynamic::Var v = object_->get(field);
        if (v.type() != typeid(Poco::JSON::Array::Ptr) || v.extract<Poco::JSON::Array::Ptr>().isNull()) {
            failField(field, "must be an array");
        }
        return v.extract<Poco::JSON::Array::Ptr>();
    }

private:
    std::string_view what_;
    Object::Ptr object_;
};

// Writes one message; fields in the order given.
class Writer {
public:
    Writer() : object_(new Object(Poco::JSON_PRESERVE_KEY_ORDER)) {}
    Writer& set(const std::string& field, const Poco::Dynamic::Var& value) {
        object_->set(field, value);
        return *this;
    }
    Writer& setIfNotEmpty(const std::string& field, const std::string& value) {
        if (!value.empty()) object_->set(field, value);
        return *this;
    }
    Object::Ptr object() const { return object_; }
    std::string text() const {
        std::ostringstream out;
        object_->stringify(out);
        return out.str();
    }

private:
    Object::Ptr object_;
};

bool isDigits(std::string_view s) {
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return !s.empty();
}

int number(std::string_view s) {
    int v = 0;
    for (const char c : s) v = v * 10 + (c - '0');
    return v;
}

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" with fields in range.
bool isIsoDateOrTime(std::string_view s) {
    if (s.size() != 10 && s.size() != 20) return false;
    if (!isDigits(s.substr(0, 4)) || s[4] != '-' || !isDigits(s.substr(5, 2)) || s[7] != '-' || !isDigits(s.substr(8, 2))) {
        return false;
    }
    const int month = number(s.substr(5, 2));
    const int day = number(s.substr(8, 2));
    if (month < 1 || month > 12 || day < 1 || day > 31) return false;
    if (s.size() == 10) return true;
    if (s[10] != 'T' || !isDigits(s.substr(11, 2)) || s[13] != ':' || !isDigits(s.substr(14, 2)) || s[16] != ':' ||
        !isDigits(s.substr(17, 2)) || s[19] != 'Z') {
        return false;
    }
    return number(s.substr(11, 2)) <= 23 && number(s.substr(14, 2)) <= 59 && number(s.substr(17, 2)) <= 60;
}

bool isPrintableUrl(std::string_view s) {
    for (const char c : s) {
        if (c < 0x21 || c > 0x7E) return false;
    }
    return true;
}

}  // namespace

std::string deviceIdProblem(std::string_view deviceId) {
    if (deviceId.empty()) return "is empty";
    if (deviceId.size() > kMaxDeviceIdChars) {
        return "is longer than " + std::to_string(kMaxDeviceIdChars) + " characters";
    }
    for (const char c : deviceId) {
        const bool ok =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok) return "may contain only letters, digits and . _ : -";
    }
    // It becomes a file name: "." and ".." name directories.
    if (deviceId == "." || deviceId == "..") return "must not be \".\" or \"..\"";
    // "uuid:..." is how OCF devices are named in certificates: IDProv identities stay apart from
    // them (issue 13.2), whatever the case.
    if (deviceId.size() >= 5) {
        std::string prefix(deviceId.substr(0, 5));
        for (auto& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (prefix == "uuid:") return "must not start with \"uuid:\" (the form of OCF device identities)";
    }
    return "";
}

std::string_view statusName(ProvisionStatus status) {
    switch (status) {
        case ProvisionStatus::Approved:
            return "Approved";
        case ProvisionStatus::Waiting:
            return "Waiting";
        case ProvisionStatus::Rejected:
            return "Rejected";
    }
    return "Rejected";
}

// --- serialisation -------------------------------------------------------------------------------

std::string toJson(const Directory& message) {
    Object::Ptr endpoints = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [name, url] : message.endpoints) endpoints->set(name, url);
    Poco::JSON::Array::Ptr algorithms = new Poco::JSON::Array;
    for (const auto& name : message.oobsHashAlg) algorithms->add(name);
    Writer writer;
    writer.set("endpoints", endpoints).set("oobsHashAlg", algorithms);
    if (!message.oobsHashParams.empty()) {
        Object::Ptr params = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        for (const auto& [name, value] : message.oobsHashParams) params->set(name, value);
        writer.set("oobsHashParams", params);
    }
    return writer.set("caCert", message.caCert).set("version", message.version).text();
}

std::string toJson(const OobSecretPost& message) {
    return Writer()
        .set("deviceID", message.deviceId)
        .set("oobSecret", message.oobSecret)
        .setIfNotEmpty("validUntil", message.validUntil)
        .text();
}

std::string toJson(const ProvisionRequest& message) {
    return Writer()
        .set("deviceID", message.deviceId)
        .set("ip", message.ip)
        .set("mac", message.mac)
        .set("publicKeyPEM", message.publicKeyPem)
        .setIfNotEmpty("oobsHash", message.oobsHash)
        .setIfNotEmpty("oobsHashAlg", message.oobsHashAlg)
        .text();
}

std::string toJson(const ProvisionResponse& message) {
    return Writer()
        .setIfNotEmpty("deviceID", message.deviceId)
        .set("status", std::string(statusName(message.status)))
        .set("retrySec", message.retrySec)
        .setIfNotEmpty("caCert", message.caCert)
        .setIfNotEmpty("clientCert", message.clientCert)
        .setIfNotEmpty("oobsHash", message.oobsHash)
        .setIfNotEmpty("message", message.message)
        .text();
}

std::string toJson(const StatusResponse& message) {
    return Writer()
        .set("deviceID", message.deviceId)
        .set("status", std::string(statusName(message.status)))
        .setIfNotEmpty("caCert", message.caCert)
        .setIfNotEmpty("clientCert", message.clientCert)
        .text();
}

// --- parsing -------------------------------------------------------------------------------------

Directory parseDirectory(std::string_view body) {
    const Reader r("directory", body);
    Directory out;
    const std::string version = r.requiredString("version", 16);
    if (version != kProtocolVersion) r.failField("version", "must be \"" + std::string(kProtocolVersion) + "\"");
    out.version = version;

    const Object::Ptr endpoints = r.object("endpoints");
    if (endpoints->size() > kMaxEndpoints) r.failField("endpoints", "has more than " + std::to_string(kMaxEndpoints) + " entries");
    for (const auto& [name, value] : *endpoints) {
        const std::string field = "endpoints." + name;
        if (name.empty() || name.size() > kMaxEndpointNameChars) r.failField("endpoints", "has an invalid endpoint name");
        if (!value.isString()) r.failField(field, "must be a string");
        const std::string url = value.extract<std::string>();
        if (url.size() > kMaxUrlChars) r.failField(field, "is longer than " + std::to_string(kMaxUrlChars) + " characters");
        if (!url.starts_with("https://") || url.size() <= 8 || !isPrintableUrl(url)) {
            r.failField(field, "must be an absolute https:// URL");
        }
        out.endpoints[name] = url;
    }
    for (const auto name : {endpoint::kDirectory, endpoint::kStatus, endpoint::kPostOob, endpoint::kPostProvisionRequest}) {
        if (!out.endpoints.contains(std::string(name))) r.fail("missing 'endpoints." + std::string(name) + "'");
    }
    if (out.endpoints[std::string(endpoint::kStatus)].find("{deviceID}") == std::string::npos) {
        r.failField("endpoints.status", "must contain \"{deviceID}\"");
    }

    const auto algorithms = r.array("oobsHashAlg");
    if (algorithms->size() > kMaxAlgorithms) r.failField("oobsHashAlg", "has more than " + std::to_string(kMaxAlgorithms) + " entries");
    for (std::size_t i = 0; i < algorithms->size(); ++i) {
        const std::string field = "oobsHashAlg[" + std::to_string(i) + "]";
        const Poco::Dynamic::Var v = algorithms->get(static_cast<unsigned>(i));
        if (!v.isString()) r.failField(field, "must be a string");
        const std::string name = v.extract<std::string>();
        if (name.empty() || name.size() > kMaxAlgorithmNameChars) {
            r.failField(field, "must be 1.." + std::to_string(kMaxAlgorithmNameChars) + " characters");
        }
        for (const char c : name) {
            if (c < 0x21 || c > 0x7E) r.failField(field, "must be printable ASCII without spaces");
        }
        out.oobsHashAlg.push_back(name);
    }
    if (r.has("oobsHashParams")) {
        const Object::Ptr params = r.object("oobsHashParams");
        if (params->size() > kMaxAlgorithms) r.failField("oobsHashParams", "has more than " + std::to_string(kMaxAlgorithms) + " entries");
        const auto printable = [](const std::string& s) {
            return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
        };
        for (const auto& [name, value] : *params) {
            if (name.empty() || name.size() > kMaxAlgorithmNameChars || !printable(name)) {
                r.failField("oobsHashParams", "has an invalid algorithm name");
            }
            const std::string field = "oobsHashParams." + name;
            if (!value.isString()) r.failField(field, "must be a string");
            const std::string text = value.extract<std::string>();
            if (text.empty() || text.size() > kMaxHashParamsChars || !printable(text)) {
                r.failField(field, "must be 1.." + std::to_string(kMaxHashParamsChars) + " characters of printable ASCII without spaces");
            }
            out.oobsHashParams[name] = text;
        }
    }
    out.caCert = r.pem("caCert", kCertificateBegin, true);
    return out;
}

OobSecretPost parseOobSecretPost(std::string_view body) {
    const Reader r("oobsecret", body);
    OobSecretPost out;
    out.deviceId = r.deviceId(true);
    out.oobSecret = r.requiredString("oobSecret", kMaxOobSecretBytes);
    if (out.oobSecret.empty()) r.failField("oobSecret", "must not be empty");
    out.validUntil = r.optionalString("validUntil", 32).value_or("");
    if (!out.validUntil.empty() && !isIsoDateOrTime(out.validUntil)) {
        r.failField("validUntil", "must be an ISO-8601 UTC date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM:SSZ)");
    }
    return out;
}

ProvisionRequest parseProvisionRequest(std::string_view body) {
    const Reader r("provreq", body);
    ProvisionRequest out;
    out.deviceId = r.deviceId(true);
    // The draft lists ip and mac, but a device may not know them (behind NAT, no MAC on the
    // interface); the server only compares and logs them, so their absence is not an error.
    out.ip = r.token("ip", kMaxAddressChars, false);
    out.mac = r.token("mac", kMaxAddressChars, false);
    out.publicKeyPem = r.pem("publicKeyPEM", kPublicKeyBegin, true);
    out.oobsHash = r.token("oobsHash", kMaxOobHashChars, false);
    out.oobsHashAlg = r.token("oobsHashAlg", kMaxAlgorithmNameChars, false);
    if (!out.oobsHash.empty() && out.oobsHashAlg.empty()) r.fail("'oobsHashAlg' is required with 'oobsHash'");
    if (out.oobsHash.empty() && !out.oobsHashAlg.empty()) r.fail("'oobsHash' is required with 'oobsHashAlg'");
    return out;
}

ProvisionResponse parseProvisionResponse(std::string_view body) {
    const Reader r("provreq response", body);
    ProvisionResponse out;
    out.status = r.status();
    // A rejection may answer a request whose deviceID could not be read.
    out.deviceId = r.deviceId(out.status != ProvisionStatus::Rejected);
    out.retrySec = static_cast<int>(r.integer("retrySec", 0, kMaxRetrySec, 0));
    const bool approved = out.status == ProvisionStatus::Approved;
    out.caCert = r.pem("caCert", kCertificateBegin, approved);
    out.clientCert = r.pem("clientCert", kCertificateBegin, approved);
    out.oobsHash = r.token("oobsHash", kMaxOobHashChars, false);
    out.message = r.optionalString("message", kMaxMessageChars).value_or("");
    return out;
}

StatusResponse parseStatusResponse(std::string_view body) {
    const Reader r("status response", body);
    StatusResponse out;
    out.deviceId = r.deviceId(true);
    out.status = r.status();
    const bool approved = out.status == ProvisionStatus::Approved;
    out.caCert = r.pem("caCert", kCertificateBegin, approved);
    // The certificate itself goes only to the device (or an admin); others learn the status.
    out.clientCert = r.pem("clientCert", kCertificateBegin, false);
    return out;
}

}  // namespace steward::idprov
