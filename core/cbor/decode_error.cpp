#include "steward/cbor/decode_error.hpp"

namespace steward::core {

std::string_view decodeErrorKindName(DecodeErrorKind kind) {
    switch (kind) {
        case DecodeErrorKind::Malformed:
            return "malformed CBOR";
        case DecodeErrorKind::Truncated:
            return "truncated";
        case DecodeErrorKind::TrailingBytes:
            return "trailing bytes";
        case DecodeErrorKind::TooLarge:
            return "too large";
        case DecodeErrorKind::TooDeep:
            return "nested too deep";
        case DecodeErrorKind::WrongType:
            return "wrong type";
        case DecodeErrorKind::MissingProperty:
            return "missing property";
        case DecodeErrorKind::InvalidValue:
            return "invalid value";
        case DecodeErrorKind::DuplicateKey:
            return "duplicate key";
    }
    return "decode error";
}

namespace {
std::string formatMessage(DecodeErrorKind kind, const std::string& property, const std::string& detail, std::size_t offset) {
    std::string msg = property + ": " + std::string(decodeErrorKindName(kind));
    if (!detail.empty()) msg += ": " + detail;
    if (offset != DecodeError::npos) msg += " (at byte " + std::to_string(offset) + ")";
    return msg;
}
}  // namespace

DecodeError::DecodeError(DecodeErrorKind kind, std::string property, std::string detail, std::size_t offset)
    : std::runtime_error(formatMessage(kind, property, detail, offset)),
      kind_(kind),
      property_(std::move(property)),
      detail_(std::move(detail)),
      offset_(offset) {}

}  // namespace steward::core
