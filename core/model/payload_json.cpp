#include "steward/model/payload_json.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace steward::core {
namespace {

CborValue fromJson(const Poco::Dynamic::Var& v) {
    if (v.isEmpty()) return CborValue::null();
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
        const auto object = v.extract<Poco::JSON::Object::Ptr>();
        std::vector<CborValue::Pair> entries;
        for (const auto& name : object->getNames()) entries.emplace_back(CborValue::text(name), fromJson(object->get(name)));
        return CborValue::map(std::move(entries));
    }
    if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
        const auto array = v.extract<Poco::JSON::Array::Ptr>();
        std::vector<CborValue> items;
        for (std::size_t i = 0; i < array->size(); ++i) items.push_back(fromJson(array->get(static_cast<unsigned>(i))));
        return CborValue::array(std::move(items));
    }
    if (v.isBoolean()) return CborValue::boolean(v.convert<bool>());  // before isInteger(): a bool is one to Poco
    if (v.isInteger())
        return v.isSigned() ? CborValue::integer(v.convert<Poco::Int64>()) : CborValue::unsignedInt(v.convert<Poco::UInt64>());
    if (v.isNumeric()) return CborValue::floating(v.convert<double>());
    return CborValue::text(v.convert<std::string>());
}

std::string base64(const std::vector<std::uint8_t>& bytes) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    encoder.close();
    return out.str();
}

std::string keyText(const CborValue& key) {
    if (key.type() == CborValue::Type::Text) return key.textValue();
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(cborToJson(key), out);
    return out.str();
}

}  // namespace

CborValue jsonObjectToCbor(const std::string& jsonText) {
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));  // keep the keys' order
        parsed = parser.parse(jsonText);
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("not valid JSON: " + e.message());
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) throw std::invalid_argument("not a JSON object: " + jsonText);
    return fromJson(parsed);
}

CborValue jsonToCbor(const Poco::Dynamic::Var& value) { return fromJson(value); }

Poco::Dynamic::Var cborToJson(const CborValue& value) {
    switch (value.type()) {
        case CborValue::Type::Unsigned:
            return Poco::UInt64(value.integerArgument());
        case CborValue::Type::Negative: {
            const auto n = value.integerArgument();
            if (n <= static_cast<std::uint64_t>(std::numeric_limits<Poco::Int64>::max())) return -1 - static_cast<Poco::Int64>(n);
            return -1.0 - static_cast<double>(n);  // below int64: JSON readers use doubles there anyway
        }
        case CborValue::Type::Bytes:
            return base64(value.byteValue());
        case CborValue::Type::Text:
            return value.textValue();
        case CborValue::Type::Array: {
            Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
            for (const auto& item : value.items()) array->add(cborToJson(item));
            return array;
        }
        case CborValue::Type::Map: {
            Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            for (const auto& [k, v] : value.entries()) object->set(keyText(k), cborToJson(v));
            return object;
        }
        case CborValue::Type::Bool:
            return value.boolValue();
        case CborValue::Type::Float:
            if (std::isfinite(value.floatValue())) return value.floatValue();
            return Poco::Dynamic::Var();
        case CborValue::Type::Null:
        case CborValue::Type::Undefined:
            break;
    }
    return Poco::Dynamic::Var();
}

}  // namespace steward::core
