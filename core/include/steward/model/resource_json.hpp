#pragma once
// JSON views of the security resources, with OCF property names and values, for people and for
// anything that publishes device state (the SVR DB editor, the daemon's MQTT API).
//
// Secrets never appear: a credential's privatedata and pconf's pin show their encoding and length
// and "data":"********", whatever their content. These are views, not a codec: they carry extra
// readable members (pstat "dos.state", certificate summaries) and cannot be read back.
//
// Each call returns a fresh object the caller owns; key order follows ocf-security.md's tables.
// Thread-safe (no shared state). Never throws for any model value except std::bad_alloc.

#include <Poco/JSON/Object.h>

#include <string>

#include "steward/crypto/x509.hpp"
#include "steward/model/security_resources.hpp"

namespace steward::core {

// What stands in for secret bytes.
inline constexpr const char* kMaskedSecret = "********";

Poco::JSON::Object::Ptr doxmToJson(const Doxm& doxm);
// "dos": {"p", "s", "state": "RFOTM"}: the state name beside its number.
Poco::JSON::Object::Ptr pstatToJson(const Pstat& pstat);

// One credential. publicdata holding certificates (PEM or DER) shows "certificates": [summary...]
// instead of its bytes; other publicdata shows only its encoding and length.
Poco::JSON::Object::Ptr credentialToJson(const Cred& cred);
Poco::JSON::Object::Ptr credToJson(const CredResource& cred);  // {"creds": [...], "rowneruuid"}

Poco::JSON::Object::Ptr aceToJson(const Ace& ace);
Poco::JSON::Object::Ptr acl2ToJson(const Acl2& acl);  // {"aclist2": [...], "rowneruuid"}

Poco::JSON::Object::Ptr pconfToJson(const Pconf& pconf);
Poco::JSON::Object::Ptr dpairingToJson(const Dpairing& dpairing);

// {"doxm", "pstat", "cred", "acl2", and "pconf"/"dpairing" when the device has them}
Poco::JSON::Object::Ptr securityResourcesToJson(const SecurityResources& resources);

// {"subject", "issuer", "serialNumber", "notBefore", "notAfter", "keyType", "sha256", "isCa"}
Poco::JSON::Object::Ptr certificateSummaryToJson(const CertificateSummary& summary);

// Compact (indent 0) or pretty-printed text of a JSON object.
std::string jsonText(const Poco::JSON::Object::Ptr& object, unsigned indent = 0);

}  // namespace steward::core
