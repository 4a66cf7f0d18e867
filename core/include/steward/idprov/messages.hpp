#pragma once
// The IDProv protocol's JSON bodies (protocol version "1"; ../shared/design/idprov.md), with
// strict parsers: every body comes from the network. A parser accepts exactly one JSON object of
// at most kMaxBodyBytes, requires the fields the protocol requires with the right JSON types and
// sizes, ignores unknown fields (forward compatibility), and throws IdprovError naming the message
// and the field, e.g. "provreq: 'publicKeyPEM' must be a string".
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace steward::idprov {

inline constexpr std::string_view kProtocolVersion = "1";
inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;
inline constexpr std::size_t kMaxPemChars = 16 * 1024;
inline constexpr std::size_t kMaxDeviceIdChars = 128;

// Endpoint names in the directory.
namespace endpoint {
inline constexpr std::string_view kDirectory = "directory";
inline constexpr std::string_view kStatus = "status";  // URL contains "{deviceID}"
inline constexpr std::string_view kPostOob = "postOOB";
inline constexpr std::string_view kPostProvisionRequest = "postProvisionRequest";
}  // namespace endpoint

// A deviceID is 1..kMaxDeviceIdChars of [A-Za-z0-9._:-] (it becomes a certificate CN, a URL path
// segment and a file name). Returns why not, or "" when valid.
std::string deviceIdProblem(std::string_view deviceId);

struct Directory {
    std::map<std::string, std::string> endpoints;  // name -> absolute URL
    std::vector<std::string> oobsHashAlg;          // protocol names, e.g. "Argon2id"
    // Not in the draft (Steward's extension, ignored by others): the one hash cost the server
    // accepts per algorithm, name -> PHC parameter string ("m=19456,t=2,p=1", "i=600000"); see
    // oob_hash_policy.hpp. Empty: the server does not say (another implementation).
    std::map<std::string, std::string> oobsHashParams;
    std::string caCert;  // PEM
    std::string version{kProtocolVersion};

    bool operator==(const Directory&) const = default;
};

struct OobSecretPost {
    std::string deviceId;
    std::string oobSecret;   // 1..kMaxOobSecretBytes
    std::string validUntil;  // ISO-8601 UTC ("2026-12-01T00:00:00Z" or a date "2026-12-01"); "" = server default

    bool operator==(const OobSecretPost&) const = default;
};

struct ProvisionRequest {
    std::string deviceId;
    std::string ip;            // what the device believes its address is ("" if unknown)
    std::string mac;           // "" if unknown
    std::string publicKeyPem;  // SubjectPublicKeyInfo PEM
    std::string oobsHash;      // "" on renewal over mutual TLS
    std::string oobsHashAlg;   // "" on renewal

    bool operator==(const ProvisionRequest&) const = default;
};

enum class ProvisionStatus { Approved, Waiting, Rejected };
std::string_view statusName(ProvisionStatus status);  // "Approved", "Waiting", "Rejected"

struct ProvisionResponse {
    std::string deviceId;
    ProvisionStatus status = ProvisionStatus::Rejected;
    int retrySec = 0;        // Waiting: retry after; Approved: recommended renewal interval
    std::string caCert;      // PEM ("" unless Approved)
    std::string clientCert;  // PEM ("" unless Approved)
    std::string oobsHash;    // the server's own hash of the secret ("" on renewal or unless Approved)
    std::string message;     // why, for a Rejected or Waiting answer (not in the draft; ignored by others)

    bool operator==(const ProvisionResponse&) const = default;
};

struct StatusResponse {
    std::string deviceId;
    ProvisionStatus status = ProvisionStatus::Waiting;
    std::string caCert;      // PEM ("" unless Approved)
    std::string clientCert;  // PEM ("" unless Approved)

    bool operator==(const StatusResponse&) const = default;
};

std::string toJson(const Directory& message);
std::string toJson(const OobSecretPost& message);
std::string toJson(const ProvisionRequest& message);
std::string toJson(const ProvisionResponse& message);
std::string toJson(const StatusResponse& message);

// Parsers. Every one throws IdprovError("<message>: ...") for a body over kMaxBodyBytes, one that
// is not a single JSON object (invalid UTF-8, comments and nesting deeper than 8 included), or a
// field that breaks its rule; a JSON null counts as a missing field. Error messages name the
// field but never quote a value that could be secret. The rules besides types:
//  - directory: endpoints (object, <= 16 entries) must map directory, status, postOOB and
//    postProvisionRequest to https:// URLs of printable ASCII (<= 2048 chars), status containing
//    "{deviceID}"; oobsHashAlg an array (<= 16) of 1..32-char names; caCert a PEM certificate
//    (<= kMaxPemChars); version "1"; oobsHashParams optional, an object (<= 16 entries) of
//    1..32-char names to 1..64-char strings, printable ASCII without spaces (checked further by
//    oob_hash_policy.hpp when used).
//  - oobsecret: deviceID (deviceIdProblem), oobSecret 1..kMaxOobSecretBytes bytes, validUntil
//    optional ISO-8601 date or UTC time.
//  - provreq: deviceID; ip and mac strings (may be empty, <= 64 chars of printable ASCII without
//    spaces); publicKeyPEM a PEM public key (<= kMaxPemChars); oobsHash (<= kMaxOobHashChars)
//    and oobsHashAlg (<= 32 chars) optional but only together. The hash itself is checked by
//    oob_hash.hpp, not here.
//  - provreq response: status Approved|Waiting|Rejected (exact case); deviceID required unless
//    Rejected; retrySec optional whole number 0..366 days; caCert and clientCert PEM
//    certificates, required when Approved; oobsHash optional; message optional (<= 1024 chars).
//  - status response: deviceID; status; caCert and clientCert required when Approved.
// Serialisers omit empty optional fields, so parse(toJson(x)) == x for every x a parser returns.
Directory parseDirectory(std::string_view body);
OobSecretPost parseOobSecretPost(std::string_view body);
ProvisionRequest parseProvisionRequest(std::string_view body);
ProvisionResponse parseProvisionResponse(std::string_view body);
StatusResponse parseStatusResponse(std::string_view body);

}  // namespace steward::idprov
