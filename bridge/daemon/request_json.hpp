#pragma once
// Reading the JSON body of an MQTT request: every problem is a RequestError whose message the
// response carries ("missing field 'device'", "'device' is not a UUID"), never a crash.
#include <Poco/JSON/Object.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "steward/model/acl2.hpp"

namespace steward::bridge {

class RequestError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The request body: an empty payload is {}; anything but a JSON object is a RequestError.
Poco::JSON::Object::Ptr parseRequestBody(const std::string& payload);

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

}  // namespace steward::bridge
