#include "request_json.hpp"

#include <Poco/JSON/Parser.h>

#include "policy/policy_values.hpp"
#include "steward/crypto/ocf_kdf.hpp"
#include "steward/model/doxm.hpp"

namespace steward::bridge {

Poco::JSON::Object::Ptr parseRequestBody(const std::string& payload) {
    if (payload.find_first_not_of(" \t\r\n") == std::string::npos) return new Poco::JSON::Object;
    Poco::Dynamic::Var parsed;
    try {
        parsed = Poco::JSON::Parser().parse(payload);
    } catch (const Poco::Exception& e) {
        throw RequestError("malformed JSON: " + e.message());
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) throw RequestError("the request body must be a JSON object");
    return parsed.extract<Poco::JSON::Object::Ptr>();
}

std::optional<std::string> optionalText(const Poco::JSON::Object::Ptr& body, const std::string& name) {
    if (!body->has(name) || body->isNull(name)) return std::nullopt;
    const auto v = body->get(name);
    if (!v.isString()) throw RequestError("'" + name + "' must be a string");
    return v.convert<std::string>();
}

std::string textField(const Poco::JSON::Object::Ptr& body, const std::string& name) {
    auto v = optionalText(body, name);
    if (!v) throw RequestError("missing field '" + name + "'");
    return *v;
}

core::Uuid uuidField(const Poco::JSON::Object::Ptr& body, const std::string& name) {
    const auto text = textField(body, name);
    const auto id = core::Uuid::parse(text);
    if (!id) throw RequestError("'" + name + "' is not a device UUID: \"" + text + "\"");
    return *id;
}

std::optional<long long> optionalInteger(const Poco::JSON::Object::Ptr& body, const std::string& name, long long min, long long max) {
    if (!body->has(name) || body->isNull(name)) return std::nullopt;
    const auto v = body->get(name);
    if (!v.isInteger()) throw RequestError("'" + name + "' must be a whole number");
    const auto n = v.convert<long long>();
    if (n < min || n > max) throw RequestError("'" + name + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
    return n;
}

int permissionField(const Poco::JSON::Object::Ptr& body, const std::string& name) {
    if (!body->has(name)) throw RequestError("missing field '" + name + "'");
    const auto v = body->get(name);
    if (v.isInteger()) {
        const auto n = v.convert<long long>();
        if (n < 1 || n > core::permission::kAll) throw RequestError("'" + name + "' must be a CRUDN bit mask 1..31");
        return static_cast<int>(n);
    }
    if (!v.isString()) throw RequestError("'" + name + "' must be letters from CRUDN or a number");
    const auto bits = parsePermissionLetters(v.convert<std::string>());
    if (!bits) throw RequestError("'" + name + "': \"" + v.convert<std::string>() + "\" is not a permission (letters from CRUDN)");
    return *bits;
}

std::vector<core::AceResource> resourcesField(const Poco::JSON::Object::Ptr& body, const std::string& name) {
    if (!body->has(name)) throw RequestError("missing field '" + name + "'");
    const auto array = body->getArray(name);
    if (!array || array->size() == 0) throw RequestError("'" + name + "' must be a non-empty array of hrefs or wildcards");
    std::vector<core::AceResource> out;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const auto item = array->get(static_cast<unsigned>(i));
        const auto r = item.isString() ? parsePolicyResource(item.convert<std::string>()) : std::nullopt;
        if (!r) throw RequestError("'" + name + "[" + std::to_string(i) + "]' is not an href (\"/a/light\") or a wildcard (*, +, -)");
        out.push_back(*r);
    }
    return out;
}

core::AceSubject subjectField(const Poco::JSON::Object::Ptr& body, const std::string& name) {
    const auto text = textField(body, name);
    const auto colon = text.find(':');
    const std::string kind = colon == std::string::npos ? "uuid" : text.substr(0, colon);
    const std::string value = colon == std::string::npos ? text : text.substr(colon + 1);
    if (kind == "uuid") {
        if (auto id = core::Uuid::parse(value)) return *id;
    } else if (kind == "conntype") {
        if (auto c = parseConnTypeName(value)) return *c;
    } else if (kind == "role" && !value.empty()) {
        const auto at = value.find('@');
        return core::RoleSubject{value.substr(0, at), at == std::string::npos ? "" : value.substr(at + 1)};
    }
    throw RequestError("'" + name + "': \"" + text + "\" is not a subject (uuid:U, conntype:auth-crypt|anon-clear, role:R[@AUTHORITY])");
}

std::optional<int> methodField(const Poco::JSON::Object::Ptr& body, const std::string& name) {
    const auto text = optionalText(body, name);
    if (!text) return std::nullopt;
    const auto label = canonicalOtm(*text);
    if (!label) throw RequestError("'" + name + "': \"" + *text + "\" is not a method (justworks, randompin)");
    if (*label == core::kJustWorksLabel) return core::oxm::kJustWorks;
    if (*label == core::kRandomPinLabel) return core::oxm::kRandomPin;
    return core::oxm::kManufacturerCert;
}

}  // namespace steward::bridge
