// Serialises a CborValue with libcbor's encoding primitives.
#include <cbor.h>

#include <stdexcept>

#include "steward/cbor/cbor_value.hpp"

namespace steward::core {
namespace {

using Out = std::vector<std::uint8_t>;

// Every libcbor header encoder writes at most 9 bytes.
template <typename Fn>
void appendHeader(Out& out, Fn&& encode) {
    unsigned char buf[9];
    const std::size_t n = encode(buf, sizeof buf);
    if (n == 0) throw std::logic_error("libcbor failed to encode a header");
    out.insert(out.end(), buf, buf + n);
}

void encodeInto(Out& out, const CborValue& v) {
    using T = CborValue::Type;
    switch (v.type()) {
        case T::Unsigned:
            appendHeader(out, [&](unsigned char* b, std::size_t s) { return cbor_encode_uint(v.integerArgument(), b, s); });
            return;
        case T::Negative:
            appendHeader(out, [&](unsigned char* b, std::size_t s) { return cbor_encode_negint(v.integerArgument(), b, s); });
            return;
        case T::Bytes:
            appendHeader(out, [&](unsigned char* b, std::size_t s) { return cbor_encode_bytestring_start(v.byteValue().size(), b, s); });
            out.insert(out.end(), v.byteValue().begin(), v.byteValue().end());
            return;
        case T::Text:
            appendHeader(out, [&](unsigned char* b, std::size_t s) { return cbor_encode_string_start(v.textValue().size(), b, s); });
            out.insert(out.end(), v.textValue().begin(), v.textValue().end());
            return;
        case T::Array:
            appendHeader(out, [&](unsigned char* b, std::size_t s) { return cbor_encode_array_start(v.items().size(), b, s); });
            for (const auto& item : v.items()) encodeInto(out, item);
            return;
        case T::Map:
            appendHeader(out, [&](unsigned char* b, std::size_t s) { return cbor_encode_map_start(v.entries().size(), b, s); });
            for (const auto& [k, val] : v.entries()) {
                encodeInto(out, k);
                encodeInto(out, val);
            }
            return;
        case T::Bool:
            appendHeader(out, [&](unsigned char* b, std::size_t s) { return cbor_encode_bool(v.boolValue(), b, s); });
            return;
        case T::Null:
            appendHeader(out, [](unsigned char* b, std::size_t s) { return cbor_encode_null(b, s); });
            return;
        case T::Undefined:
            appendHeader(out, [](unsigned char* b, std::size_t s) { return cbor_encode_undef(b, s); });
            return;
        case T::Float:
            appendHeader(out, [&](unsigned char* b, std::size_t s) { return cbor_encode_double(v.floatValue(), b, s); });
            return;
    }
}

}  // namespace

std::vector<std::uint8_t> encodeCbor(const CborValue& value) {
    Out out;
    encodeInto(out, value);
    return out;
}

}  // namespace steward::core
