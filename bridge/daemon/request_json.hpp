#pragma once
// Reading the JSON body of an MQTT request: every problem is a RequestError whose message the
// response carries ("missing field 'device'", "'device' is not a UUID"), never a crash.
#include <Poco/JSON/Object.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/model/acl2.hpp"

namespace steward::bridge {

class RequestError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The request body: an empty payload is {}; anything but a JSON object is a RequestError.
Poco::JSON::Object::Ptr parseRequestBody(const std::string& payload);
// The "transaction" of a body parseRequestBody() refused, if it can still be read (a string or a
// number after the key), so that the error response reaches the requester.
std::optional<Poco::Dynamic::Var> salvageTransaction(const std::string& payload);

std::string textField(const Poco::JSON::Object::Ptr& body, const std::string& name);
std::optional<std::string> optionalText(const Poco::JSON::Object::Ptr& body, const std::string& name);
core::Uuid uuidField(const Poco::JSON::Object::Ptr& body, const std::string& name);
std::optional<long long> optionalInteger(const Poco::JSON::Object::Ptr& body, const std::string& name, long long min, long long max);
// ACE fields, read by core's ACE text parser (steward/model/ace_text.hpp), as the CLI and the
// policies read them. A permission: "RUN", "-RU-N", or a JSON integer 1..31 (the bit mask).
int permissionField(const Poco::JSON::Object::Ptr& body, const std::string& name);
// A non-empty array of hrefs or wildcards.
std::vector<core::AceResource> resourcesField(const Poco::JSON::Object::Ptr& body, const std::string& name);
// "uuid:U", "conntype:auth-crypt|anon-clear", "role:R[@AUTHORITY]".
core::AceSubject subjectField(const Poco::JSON::Object::Ptr& body, const std::string& name);
// "justworks"/"randompin"/OCF label -> oxm id.
std::optional<int> methodField(const Poco::JSON::Object::Ptr& body, const std::string& name);

// The body of a direct_pairing request:
//   {"device": UUID, "enabled": true (optional), "methods": ["preconfigured"|"random", ...],
//    "pin": "12345678" (optional; only with "preconfigured"), "resources": [HREF or wildcard, ...],
//    "permission": "RU" (optional, CRUDN letters or 1..31; default RU)}
// or {"device": UUID, "enabled": false} to disable (no other field then). Hrefs under /oic/sec/
// are refused (a paired client never gets those). A PIN's value never appears in an error.
struct DirectPairingRequest {
    core::Uuid device;
    bool enabled = true;
    std::vector<int> methods;              // core::pairing_method ids, each once, in the order given
    std::optional<core::SecretBytes> pin;  // 8 digits; nullopt: not given (the router makes one)
    std::vector<core::AceResource> resources;
    int permission = 0;
};
DirectPairingRequest directPairingRequest(const Poco::JSON::Object::Ptr& body);

}  // namespace steward::bridge
