#pragma once
// Typed, path-aware access to a parsed CBOR map. Every failure is a DecodeError naming the
// property's full path, e.g. "acl2.aclist2[0].resources[1].href".

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "steward/cbor/cbor_value.hpp"
#include "steward/cbor/decode_error.hpp"
#include "steward/model/uuid.hpp"

namespace steward::core {

// Free accessors on one value at a path.
[[noreturn]] void throwWrongType(const CborValue& v, const std::string& path, std::string_view expected);
std::string_view cborTypeName(CborValue::Type t);
long long readInteger(const CborValue& v, const std::string& path, long long min, long long max);
bool readBool(const CborValue& v, const std::string& path);
const std::string& readText(const CborValue& v, const std::string& path);
const std::vector<std::uint8_t>& readBytes(const CborValue& v, const std::string& path);
Uuid readUuid(const CborValue& v, const std::string& path);
CredSubject readCredSubject(const CborValue& v, const std::string& path);
// Calls fn(item, "path[i]") for each element; the value must be an array.
void forEachItem(const CborValue& v, const std::string& path, const std::function<void(const CborValue&, const std::string&)>& fn);

class ObjectReader {
public:
    ObjectReader(const CborValue& value, std::string path);  // throws WrongType unless a map

    const std::string& path() const { return path_; }
    std::string childPath(std::string_view key) const;
    const CborValue* find(std::string_view key) const { return value_.find(key); }
    const CborValue& require(std::string_view key) const;

    long long integer(std::string_view key, long long min, long long max) const;
    std::optional<long long> optInteger(std::string_view key, long long min, long long max) const;
    bool boolean(std::string_view key) const;
    std::optional<bool> optBoolean(std::string_view key) const;
    std::string text(std::string_view key) const;
    std::optional<std::string> optText(std::string_view key) const;
    std::optional<std::vector<std::uint8_t>> optBytes(std::string_view key) const;
    Uuid uuid(std::string_view key) const;
    std::optional<Uuid> optUuid(std::string_view key) const;
    std::vector<int> intArray(std::string_view key, long long min, long long max) const;
    std::vector<std::string> textArray(std::string_view key) const;  // empty when absent
    ObjectReader object(std::string_view key) const;
    // Calls fn for every element of an array property; `required` decides whether absence fails.
    void forEach(std::string_view key, bool required, const std::function<void(const CborValue&, const std::string&)>& fn) const;

private:
    const CborValue& value_;
    std::string path_;
};

// Building maps for encoders.
inline CborValue::Pair entry(std::string key, CborValue value) { return {CborValue::text(std::move(key)), std::move(value)}; }
inline CborValue uuidValue(const Uuid& u) { return CborValue::text(u.toString()); }
CborValue intArrayValue(const std::vector<int>& values);
CborValue textArrayValue(const std::vector<std::string>& values);

}  // namespace steward::core
