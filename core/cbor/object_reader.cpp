#include "object_reader.hpp"

#include <limits>

namespace steward::core {

std::string_view cborTypeName(CborValue::Type t) {
    switch (t) {
        case CborValue::Type::Unsigned:
            return "an unsigned integer";
        case CborValue::Type::Negative:
            return "a negative integer";
        case CborValue::Type::Bytes:
            return "a byte string";
        case CborValue::Type::Text:
            return "a text string";
        case CborValue::Type::Array:
            return "an array";
        case CborValue::Type::Map:
            return "a map";
        case CborValue::Type::Bool:
            return "a boolean";
        case CborValue::Type::Null:
            return "null";
        case CborValue::Type::Undefined:
            return "undefined";
        case CborValue::Type::Float:
            return "a float";
    }
    return "an unknown item";
}

void throwWrongType(const CborValue& v, const std::string& path, std::string_view expected) {
    throw DecodeError(DecodeErrorKind::WrongType, path,
                      "expected " + std::string(expected) + ", got " + std::string(cborTypeName(v.type())));
}

long long readInteger(const CborValue& v, const std::string& path, long long min, long long max) {
    if (!v.isInteger()) throwWrongType(v, path, "an integer");
    const std::uint64_t arg = v.integerArgument();
    long long value;
    if (v.type() == CborValue::Type::Unsigned) {
        if (arg > static_cast<std::uint64_t>(max)) {
            throw DecodeError(DecodeErrorKind::InvalidValue, path, std::to_string(arg) + " is above the maximum " + std::to_string(max));
        }
        value = static_cast<long long>(arg);
    } else {
        // -1 - arg; anything below LLONG_MIN is certainly below `min`.
        if (arg > static_cast<std::uint64_t>(std::numeric_limits<long long>::max())) {
            throw DecodeError(DecodeErrorKind::InvalidValue, path, "negative value out of range");
        }
        value = -1 - static_cast<long long>(arg);
    }
    if (value < min || value > max) {
        throw DecodeError(DecodeErrorKind::InvalidValue, path,
                          std::to_string(value) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    }
    return value;
}

bool readBool(const CborValue& v, const std::string& path) {
    if (v.type() != CborValue::Type::Bool) throwWrongType(v, path, "a boolean");
    return v.boolValue();
}

const std::string& readText(const CborValue& v, const std::string& path) {
    if (v.type() != CborValue::Type::Text) throwWrongType(v, path, "a text string");
    return v.textValue();
}

const std::vector<std::uint8_t>& readBytes(const CborValue& v, const std::string& path) {
    if (v.type() != CborValue::Type::Bytes) throwWrongType(v, path, "a byte string");
    return v.byteValue();
}

Uuid readUuid(const CborValue& v, const std::string& path) {
    const std::string& s = readText(v, path);
    auto u = Uuid::parse(s);
    if (!u) {
        throw DecodeError(DecodeErrorKind::InvalidValue, path, "not a UUID (expected 36 characters xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
    }
    return *u;
}

CredSubject readCredSubject(const CborValue& v, const std::string& path) {
    if (v.type() == CborValue::Type::Text && v.textValue() == "*") return CredSubject::any();
    return CredSubject{readUuid(v, path), false};
}

void forEachItem(const CborValue& v, const std::string& path, const std::function<void(const CborValue&, const std::string&)>& fn) {
    if (v.type() != CborValue::Type::Array) throwWrongType(v, path, "an array");
    std::size_t i = 0;
    for (const auto& item : v.items()) fn(item, path + "[" + std::to_string(i++) + "]");
}

ObjectReader::ObjectReader(const CborValue& value, std::string path) : value_(value), path_(std::move(path)) {
    if (value_.type() != CborValue::Type::Map) throwWrongType(value_, path_, "a map");
}

std::string ObjectReader::childPath(std::string_view key) const { return path_ + "." + std::string(key); }

const CborValue& ObjectReader::require(std::string_view key) const {
    const CborValue* v = value_.find(key);
    if (v == nullptr) throw DecodeError(DecodeErrorKind::MissingProperty, childPath(key), "");
    return *v;
}

long long ObjectReader::integer(std::string_view key, long long min, long long max) const {
    return readInteger(require(key), childPath(key), min, max);
}

std::optional<long long> ObjectReader::optInteger(std::string_view key, long long min, long long max) const {
    const CborValue* v = find(key);
    if (v == nullptr) return std::nullopt;
    return readInteger(*v, childPath(key), min, max);
}

bool ObjectReader::boolean(std::string_view key) const { return readBool(require(key), childPath(key)); }

std::optional<bool> ObjectReader::optBoolean(std::string_view key) const {
    const CborValue* v = find(key);
    if (v == nullptr) return std::nullopt;
    return readBool(*v, childPath(key));
}

std::string ObjectReader::text(std::string_view key) const { return readText(require(key), childPath(key)); }

std::optional<std::string> ObjectReader::optText(std::string_view key) const {
    const CborValue* v = find(key);
    if (v == nullptr) return std::nullopt;
    return readText(*v, childPath(key));
}

std::optional<std::vector<std::uint8_t>> ObjectReader::optBytes(std::string_view key) const {
    const CborValue* v = find(key);
    if (v == nullptr) return std::nullopt;
    return readBytes(*v, childPath(key));
}

Uuid ObjectReader::uuid(std::string_view key) const { return readUuid(require(key), childPath(key)); }

std::optional<Uuid> ObjectReader::optUuid(std::string_view key) const {
    const CborValue* v = find(key);
    if (v == nullptr) return std::nullopt;
    return readUuid(*v, childPath(key));
}

std::vector<int> ObjectReader::intArray(std::string_view key, long long min, long long max) const {
    std::vector<int> out;
    forEachItem(require(key), childPath(key),
                [&](const CborValue& item, const std::string& p) { out.push_back(static_cast<int>(readInteger(item, p, min, max))); });
    return out;
}

std::vector<std::string> ObjectReader::textArray(std::string_view key) const {
    std::vector<std::string> out;
    const CborValue* v = find(key);
    if (v == nullptr) return out;
    forEachItem(*v, childPath(key), [&](const CborValue& item, const std::string& p) { out.push_back(readText(item, p)); });
    return out;
}

ObjectReader ObjectReader::object(std::string_view key) const { return ObjectReader(require(key), childPath(key)); }

void ObjectReader::forEach(std::string_view key, bool required, const std::function<void(const CborValue&, const std::string&)>& fn) const {
    const CborValue* v = required ? &require(key) : find(key);
    if (v == nullptr) return;
    forEachItem(*v, childPath(key), fn);
}

CborValue intArrayValue(const std::vector<int>& values) {
    std::vector<CborValue> items;
    items.reserve(values.size());
    for (int v : values) items.push_back(CborValue::integer(v));
    return CborValue::array(std::move(items));
}

CborValue textArrayValue(const std::vector<std::string>& values) {
    std::vector<CborValue> items;
    items.reserve(values.size());
    for (const auto& v : values) items.push_back(CborValue::text(v));
    return CborValue::array(std::move(items));
}

}  // namespace steward::core
