#pragma once
// A parsed CBOR item. The parser bounds its size and depth, so walking it is always safe.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace steward::core {

class CborValue {
public:
    enum class Type { Unsigned, Negative, Bytes, Text, Array, Map, Bool, Null, Undefined, Float };
    using Pair = std::pair<CborValue, CborValue>;

    CborValue() : type_(Type::Null) {}
    static CborValue unsignedInt(std::uint64_t v);
    // Negative integer -1 - n (CBOR major type 1 with argument n).
    static CborValue negativeFromArgument(std::uint64_t n);
    static CborValue integer(std::int64_t v);
    static CborValue bytes(std::vector<std::uint8_t> b);
    static CborValue text(std::string s);
    static CborValue array(std::vector<CborValue> items = {});
    static CborValue map(std::vector<Pair> entries = {});
    static CborValue boolean(bool b);
    static CborValue null();
    static CborValue undefined();
    static CborValue floating(double d);

    Type type() const { return type_; }
    bool isInteger() const { return type_ == Type::Unsigned || type_ == Type::Negative; }

    // Argument of an integer: the value for Unsigned, n for Negative (-1 - n).
    std::uint64_t integerArgument() const { return uint_; }
    bool boolValue() const { return uint_ != 0; }
    double floatValue() const { return float_; }
    const std::vector<std::uint8_t>& byteValue() const { return bytes_; }
    const std::string& textValue() const { return text_; }
    const std::vector<CborValue>& items() const { return items_; }
    std::vector<CborValue>& items() { return items_; }
    const std::vector<Pair>& entries() const { return entries_; }
    std::vector<Pair>& entries() { return entries_; }

    // Map lookup by text key; nullptr when absent or when this is not a map.
    const CborValue* find(std::string_view key) const;

    friend bool operator==(const CborValue&, const CborValue&) = default;

private:
    explicit CborValue(Type t) : type_(t) {}

    Type type_;
    std::uint64_t uint_ = 0;
    double float_ = 0;
    std::vector<std::uint8_t> bytes_;
    std::string text_;
    std::vector<CborValue> items_;
    std::vector<Pair> entries_;
};

struct CborLimits {
    std::size_t maxDepth = 16;     // OCF resources nest 4 deep at most
    std::size_t maxItems = 65536;  // items in one document
    std::size_t maxInputBytes = 1 << 20;
};

// Parses exactly one CBOR item covering all of `input`. Throws DecodeError (Malformed, Truncated,
// TrailingBytes, TooLarge, TooDeep, DuplicateKey, InvalidValue for bad UTF-8 or unsupported tags)
// with `context` as the property name. Never reads outside `input`.
CborValue parseCbor(std::span<const std::uint8_t> input, std::string_view context, const CborLimits& limits = {});

// Canonical-ish encoding: definite lengths, shortest integer forms, map entries in the order given.
std::vector<std::uint8_t> encodeCbor(const CborValue& value);

}  // namespace steward::core
