#include "request_json.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <limits>
#include <string_view>

#include "policy/policy_values.hpp"
#include "steward/crypto/ocf_kdf.hpp"
#include "steward/model/ace_text.hpp"
#include "steward/model/doxm.hpp"
#include "steward/model/pconf.hpp"

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

std::optional<Poco::Dynamic::Var> salvageTransaction(const std::string& payload) {
    const auto key = payload.find("\"transaction\"");
    if (key == std::string::npos) return std::nullopt;
    auto at = payload.find_first_not_of(" \t\r\n", key + 13);
    if (at == std::string::npos || payload[at] != ':') return std::nullopt;
    at = payload.find_first_not_of(" \t\r\n", at + 1);
    if (at == std::string::npos) return std::nullopt;
    std::size_t end = at;
    if (payload[at] == '"') {
        for (end = at + 1; end < payload.size() && payload[end] != '"'; ++end) {
            if (payload[end] == '\\') ++end;
        }
        if (end >= payload.size()) return std::nullopt;
        ++end;
    } else {
        while (end < payload.size() && std::string_view("-+.0123456789eE").find(payload[end]) != std::string_view::npos) ++end;
    }
    if (end == at || end - at > 256) return std::nullopt;
    try {
        // In an array: Poco's parser takes only objects and arrays at the top.
        const auto list = Poco::JSON::Parser().parse("[" + payload.substr(at, end - at) + "]").extract<Poco::JSON::Array::Ptr>();
        if (!list || list->size() != 1) return std::nullopt;
        return std::optional<Poco::Dynamic::Var>(std::in_place, list->get(0));
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
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

DirectPairingRequest directPairingRequest(const Poco::JSON::Object::Ptr& body) {
    DirectPairingRequest r;
    r.device = uuidField(body, "device");
    if (body->has("enabled")) {
        const auto v = body->get("enabled");
        if (!v.isBoolean()) throw RequestError("'enabled' must be true or false");
        r.enabled = v.convert<bool>();
    }
    if (!r.enabled) {
        for (const char* other : {"methods", "pin", "resources", "permission"}) {
            if (body->has(other)) throw RequestError(std::string("'enabled': false takes no '") + other + "' (disabling offers nothing)");
        }
        return r;
    }
    if (!body->has("methods")) throw RequestError("missing field 'methods'");
    const auto methods = body->getArray("methods");
    if (!methods || methods->size() == 0) throw RequestError("'methods' must be a non-empty array of \"preconfigured\" and/or \"random\"");
    for (std::size_t i = 0; i < methods->size(); ++i) {
        const auto item = methods->get(static_cast<unsigned>(i));
        const std::string itemName = "methods[" + std::to_string(i) + "]";
        const std::string text = item.isString() ? item.convert<std::string>() : std::string();
        int method = 0;
        if (text == "preconfigured") {
            method = core::pairing_method::kPreconfiguredPin;
        } else if (text == "random") {
            method = core::pairing_method::kRandomPin;
        } else {
            throw RequestError("'" + itemName + "' must be \"preconfigured\" or \"random\"");
        }
        if (std::find(r.methods.begin(), r.methods.end(), method) == r.methods.end()) r.methods.push_back(method);
    }
    if (body->has("pin") && !body->isNull("pin")) {
        const bool preconfigured =
            std::find(r.methods.begin(), r.methods.end(), core::pairing_method::kPreconfiguredPin) != r.methods.end();
        if (!preconfigured) throw RequestError("'pin' is the pre-configured PIN: it needs \"preconfigured\" in 'methods'");
        const auto v = body->get("pin");
        std::string pin = v.isString() ? v.convert<std::string>() : std::string();
        const bool digits = pin.size() == 8 && std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits) {
            core::SecretBytes::adoptText(std::move(pin));  // wiped
            throw RequestError("'pin' must be a string of exactly 8 digits");
        }
        r.pin = core::SecretBytes::adoptText(std::move(pin));
    }
    r.resources = resourcesField(body, "resources");
    for (std::size_t i = 0; i < r.resources.size(); ++i) {
        const auto& href = r.resources[i].href;
        if (href == "/oic/sec" || href.rfind("/oic/sec/", 0) == 0) {
            throw RequestError("'resources[" + std::to_string(i) + "]': \"" + href +
                               "\" is a security resource: a paired client is never granted /oic/sec/*");
        }
    }
    // As `steward --local direct-pairing`: read and update, enough to read and switch a light.
    r.permission = body->has("permission") ? permissionField(body, "permission") : (core::permission::kRead | core::permission::kUpdate);
    return r;
}

}  // namespace steward::bridge
