#pragma once
// /oic/sec/cred: the device's credentials (pairwise PSKs, owner PSK, certificates and keys).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "steward/model/uuid.hpp"

namespace steward::core {

namespace credtype {
inline constexpr int kSymmetricPairwise = 1;
inline constexpr int kAsymmetricSigningWithCert = 8;
}  // namespace credtype

namespace encoding {
inline constexpr const char* kRaw = "oic.sec.encoding.raw";
inline constexpr const char* kBase64 = "oic.sec.encoding.base64";
inline constexpr const char* kPem = "oic.sec.encoding.pem";
inline constexpr const char* kDer = "oic.sec.encoding.der";
// pem and base64 travel as CBOR text strings; raw and der as byte strings.
bool isTextual(const std::string& encodingName);
}  // namespace encoding

namespace credusage {
inline constexpr const char* kTrustCa = "oic.sec.cred.trustca";
inline constexpr const char* kCert = "oic.sec.cred.cert";
inline constexpr const char* kMfgTrustCa = "oic.sec.cred.mfgtrustca";
inline constexpr const char* kMfgCert = "oic.sec.cred.mfgcert";
}  // namespace credusage

struct EncodedData {
    std::vector<std::uint8_t> data;
    std::string encoding = encoding::kRaw;
    friend bool operator==(const EncodedData&, const EncodedData&) = default;
};

struct RoleId {
    std::string role;
    std::string authority;  // empty when absent
    friend bool operator==(const RoleId&, const RoleId&) = default;
};

struct Cred {
    std::optional<int> credid;  // assigned by the device when absent
    int credtype = credtype::kSymmetricPairwise;
    CredSubject subjectuuid;
    std::optional<EncodedData> privatedata;
    std::optional<EncodedData> publicdata;
    std::string credusage;  // empty when absent
    std::optional<RoleId> roleid;

    friend bool operator==(const Cred&, const Cred&) = default;
};

struct CredResource {
    std::vector<Cred> creds;
    Uuid rowneruuid;
    friend bool operator==(const CredResource&, const CredResource&) = default;
};

// The symmetric pairwise key (credtype 1, non-empty privatedata) whose subject is exactly
// `subject` (never the "*" wildcard): what either side of an OCF pairwise or owner DTLS session
// uses. nullptr when there is none. The pointer is into `cred` and lives as long as it does.
const Cred* findPairwiseKey(const CredResource& cred, const Uuid& subject);

}  // namespace steward::core
