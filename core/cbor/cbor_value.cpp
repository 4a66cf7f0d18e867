#include "steward/cbor/cbor_value.hpp"

#include <limits>

namespace steward::core {

CborValue CborValue::unsignedInt(std::uint64_t v) {
    CborValue c(Type::Unsigned);
    c.uint_ = v;
    return c;
}

CborValue CborValue::negativeFromArgument(std::uint64_t n) {
    CborValue c(Type::Negative);
    c.uint_ = n;
    return c;
}

CborValue CborValue::integer(std::int64_t v) {
    if (v >= 0) return unsignedInt(static_cast<std::uint64_t>(v));
    // -1 - n == v  =>  n == -(v + 1), which cannot overflow for any int64 v < 0
    return negativeFromArgument(static_cast<std::uint64_t>(-(v + 1)));
}

CborValue CborValue::bytes(std::vector<std::uint8_t> b) {
    CborValue c(Type::Bytes);
    c.bytes_ = std::move(b);
    return c;
}

CborValue CborValue::text(std::string s) {
    CborValue c(Type::Text);
    c.text_ = std::move(s);
    return c;
}

CborValue CborValue::array(std::vector<CborValue> items) {
    CborValue c(Type::Array);
    c.items_ = std::move(items);
    return c;
}

CborValue CborValue::map(std::vector<Pair> entries) {
    CborValue c(Type::Map);
    c.entries_ = std::move(entries);
    return c;
}

CborValue CborValue::boolean(bool b) {
    CborValue c(Type::Bool);
    c.uint_ = b ? 1 : 0;
    return c;
}

CborValue CborValue::null() { return CborValue(Type::Null); }
CborValue CborValue::undefined() { return CborValue(Type::Undefined); }

CborValue CborValue::floating(double d) {
    CborValue c(Type::Float);
    c.float_ = d;
    return c;
}

const CborValue* CborValue::find(std::string_view key) const {
    if (type_ != Type::Map) return nullptr;
    for (const auto& [k, v] : entries_) {
        if (k.type_ == Type::Text && k.text_ == key) return &v;
    }
    return nullptr;
}

}  // namespace steward::core
