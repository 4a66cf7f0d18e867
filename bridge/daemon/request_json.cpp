#include "request_json.hpp"

#include <Poco/JSON/Parser.h>

#include <limits>

#include "policy/policy_values.hpp"
#include "steward/crypto/ocf_kdf.hpp"
#include "steward/model/ace_text.hpp"
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

namespace {

// A JSON whole number, nullopt for anything else: a boolean too (Poco counts true as 1, which would
// grant Create). One above the range of long long (an unsigned 64-bit value: Poco would throw a
// RangeException, not the RequestError promised) becomes its maximum, which every range refuses.
std::optional<long long> wholeNumber(const Poco::Dynamic::Var& v) {
    if (!v.isInteger() || v.isBoolean()) return std::nullopt;
    try {
        return v.convert<long long>();
    } catch (const Poco::RangeException&) {
        return std::numeric_limits<long long>::max();
    }
}

}  // namespace

std::optional<long long> optionalInteger(const Poco::JSON::Object::Ptr& body, const std::string& name, long long min, long long max) {
    if (!body->has(name) || body->isNull(name)) return std::nullopt;
    const auto n = wholeNumber(body->get(name));
    if (!n) throw RequestError("'" + name + "' must be a whole number");
    if (*n < min || *n > max) throw RequestError("'" + name + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
    return n;
}

namespace {

// A field's value as core reads it (the same rules as the CLI and the policies), or its error.
template <typename T>
T accepted(const core::AceTextResult<T>& parsed, const std::string& field) {
    if (!parsed.ok()) throw RequestError("'" + field + "': " + parsed.error());
    return parsed.value();
}

}  // namespace

int permissionField(const Poco::JSON::Object::Ptr& body, const std::string& name) {
    if (!body->has(name)) throw RequestError("missing field '" + name + "'");
    const auto v = body->get(name);
    if (const auto bits = wholeNumber(v)) return accepted(core::permissionFromBits(*bits), name);
    if (!v.isString()) throw RequestError("'" + name + "' must be letters from CRUDN or a number");
    return accepted(core::permissionFromText(v.convert<std::string>()), name);
}

std::vector<core::AceResource> resourcesField(const Poco::JSON::Object::Ptr& body, const std::string& name) {
    if (!body->has(name)) throw RequestError("missing field '" + name + "'");
    const auto array = body->getArray(name);
    if (!array || array->size() == 0) throw RequestError("'" + name + "' must be a non-empty array of hrefs or wildcards");
    std::vector<core::AceResource> out;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const auto item = array->get(static_cast<unsigned>(i));
        const std::string itemName = name + "[" + std::to_string(i) + "]";
        if (!item.isString()) throw RequestError("'" + itemName + "' must be a string: an href (\"/a/light\") or a wildcard (*, +, -)");
        out.push_back(accepted(core::aceResourceFromText(item.convert<std::string>()), itemName));
    }
    return out;
}

core::AceSubject subjectField(const Poco::JSON::Object::Ptr& body, const std::string& name) {
    return accepted(core::aceSubjectFromText(textField(body, name)), name);
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
