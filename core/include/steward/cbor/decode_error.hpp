#pragma once
// The one error every decoder of untrusted bytes throws. It names what was wrong and where.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace steward::core {

enum class DecodeErrorKind {
    Malformed,        // not well-formed CBOR
    Truncated,        // input ended inside an item
    TrailingBytes,    // bytes after the top-level item
    TooLarge,         // a declared length larger than the input can hold, or over a limit
    TooDeep,          // nesting deeper than the limit
    WrongType,        // a property of the wrong CBOR type
    MissingProperty,  // a required property is absent
    InvalidValue,     // right type, value out of range or not allowed
    DuplicateKey,     // the same map key twice
};

std::string_view decodeErrorKindName(DecodeErrorKind kind);

class DecodeError : public std::runtime_error {
public:
    // `property` is a path such as "acl2.aclist2[0].permission"; `offset` is the byte offset for
    // errors found while parsing CBOR (npos otherwise).
    DecodeError(DecodeErrorKind kind, std::string property, std::string detail, std::size_t offset = npos);

    DecodeErrorKind kind() const { return kind_; }
    const std::string& property() const { return property_; }
    const std::string& detail() const { return detail_; }
    std::size_t offset() const { return offset_; }

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

private:
    DecodeErrorKind kind_;
    std::string property_;
    std::string detail_;
    std::size_t offset_;
};

}  // namespace steward::core
