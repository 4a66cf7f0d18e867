// Parses untrusted CBOR with libcbor's streaming decoder, one item header at a time.
// Nothing here allocates by a declared length before the bytes are there to back it, the
// nesting depth and the item count are bounded, and no exception crosses libcbor's C frames:
// callbacks record the first error and the loop throws it after cbor_stream_decode returns.
#include <cbor.h>

#include <optional>
#include <unordered_set>

#include "steward/cbor/cbor_value.hpp"
#include "steward/cbor/decode_error.hpp"
#include "utf8.hpp"

namespace steward::core {
namespace {

struct Frame {
    enum class Kind { Array, Map, IndefBytes, IndefText } kind;
    bool indefinite = false;
    std::uint64_t remaining = 0;  // items still expected (keys and values count separately)
    CborValue value;
    std::optional<CborValue> pendingKey;
    std::string chunks;                    // indefinite strings: the chunks so far
    std::unordered_set<std::string> keys;  // maps: keys seen, for the duplicate check
};

class Parser {
public:
    Parser(std::span<const std::uint8_t> input, std::string_view context, const CborLimits& limits)
        : input_(input), context_(context), limits_(limits) {}

    CborValue run() {
        if (input_.size() > limits_.maxInputBytes) {
            throw DecodeError(
                DecodeErrorKind::TooLarge, context_,
                "payload of " + std::to_string(input_.size()) + " bytes is over the limit of " + std::to_string(limits_.maxInputBytes));
        }
        const cbor_callbacks callbacks = makeCallbacks();
        while (!root_) {
            if (offset_ >= input_.size()) {
                throw DecodeError(DecodeErrorKind::Truncated, context_, "input ended inside an item", offset_);
            }
            const auto result = cbor_stream_decode(input_.data() + offset_, input_.size() - offset_, &callbacks, this);
            if (result.status == CBOR_DECODER_NEDATA) {
                throw DecodeError(DecodeErrorKind::Truncated, context_, "input ended inside an item", offset_);
            }
            if (result.status != CBOR_DECODER_FINISHED) {
                throw DecodeError(DecodeErrorKind::Malformed, context_, "not well-formed", offset_);
            }
            if (error_) throw *error_;
            offset_ += result.read;
        }
        if (offset_ != input_.size()) {
            throw DecodeError(DecodeErrorKind::TrailingBytes, context_, std::to_string(input_.size() - offset_) + " bytes after the item",
                              offset_);
        }
        return std::move(*root_);
    }

private:
    void fail(DecodeErrorKind kind, std::string detail) {
        if (!error_) error_.emplace(kind, context_, std::move(detail), offset_);
    }

    bool countItem() {
        if (++itemCount_ > limits_.maxItems) {
            fail(DecodeErrorKind::TooLarge, "more than " + std::to_string(limits_.maxItems) + " items");
            return false;
        }
        return true;
    }

    bool insideIndefiniteString() const {
        return !stack_.empty() && (stack_.back().kind == Frame::Kind::IndefBytes || stack_.back().kind == Frame::Kind::IndefText);
    }

    // A finished item goes to the open container, or becomes the root.
    void emit(CborValue v) {
        if (error_) return;
        if (!countItem()) return;
        while (true) {
            if (stack_.empty()) {
                root_ = std::move(v);
                return;
            }
            Frame& top = stack_.back();
            if (top.kind == Frame::Kind::Array) {
                top.value.items().push_back(std::move(v));
            } else {  // Map
                if (!top.pendingKey) {
                    if (v.type() != CborValue::Type::Text) {
                        fail(DecodeErrorKind::InvalidValue, "map key is not a text string");
                        return;
                    }
                    if (!top.keys.insert(v.textValue()).second) {
                        fail(DecodeErrorKind::DuplicateKey, "key \"" + v.textValue() + "\" appears twice");
                        return;
                    }
                    top.pendingKey = std::move(v);
                } else {
                    top.value.entries().emplace_back(std::move(*top.pendingKey), std::move(v));
                    top.pendingKey.reset();
                }
            }
            if (top.indefinite) return;
            if (--top.remaining > 0) return;
            v = std::move(top.value);  // container complete: emit it to its parent
            stack_.pop_back();
        }
    }

    void scalar(CborValue v) {
        if (insideIndefiniteString()) {
            fail(DecodeErrorKind::Malformed, "indefinite string holds a non-string chunk");
            return;
        }
        emit(std::move(v));
    }

    bool checkDepth() {
        if (stack_.size() >= limits_.maxDepth) {
            fail(DecodeErrorKind::TooDeep, "more than " + std::to_string(limits_.maxDepth) + " levels");
            return false;
        }
        return true;
    }

    void openContainer(Frame::Kind kind, bool indefinite, std::uint64_t declared) {
        if (error_) return;
        if (insideIndefiniteString()) {
            fail(DecodeErrorKind::Malformed, "indefinite string holds a non-string chunk");
            return;
        }
        if (!checkDepth()) return;
        if (!indefinite) {
            // Each item takes at least one byte: a declared count beyond what is left is a lie.
            const std::uint64_t left = input_.size() - offset_;
            const std::uint64_t needed = kind == Frame::Kind::Map ? declared * 2 : declared;
            if (declared > limits_.maxItems) {
                fail(DecodeErrorKind::TooLarge,
                     "declares " + std::to_string(declared) + " entries, over the limit of " + std::to_string(limits_.maxItems));
                return;
            }
            if (needed > left) {
                fail(DecodeErrorKind::Truncated,
                     "declares " + std::to_string(declared) + " entries with " + std::to_string(left) + " bytes left");
                return;
            }
            if (declared == 0) {
                emit(kind == Frame::Kind::Map ? CborValue::map() : CborValue::array());
                return;
            }
        }
        Frame f{kind,
                indefinite,
                kind == Frame::Kind::Map ? declared * 2 : declared,
                kind == Frame::Kind::Map ? CborValue::map() : CborValue::array(),
                std::nullopt,
                {},
                {}};
        stack_.push_back(std::move(f));
    }

    void stringChunk(bool isText, const std::uint8_t* data, std::size_t length) {
        if (error_) return;
        std::string_view view(reinterpret_cast<const char*>(data), length);
        if (insideIndefiniteString()) {
            Frame& top = stack_.back();
            if ((top.kind == Frame::Kind::IndefText) != isText) {
                fail(DecodeErrorKind::Malformed, "indefinite string mixes chunk types");
                return;
            }
            if (!countItem()) return;
            // Each chunk of indefinite text must be valid UTF-8 on its own (RFC 8949 3.2.3).
            if (isText && !isValidUtf8(view)) {
                fail(DecodeErrorKind::InvalidValue, "text is not valid UTF-8");
                return;
            }
            top.chunks.append(view);
            return;
        }
        if (isText) {
            if (!isValidUtf8(view)) {
                fail(DecodeErrorKind::InvalidValue, "text is not valid UTF-8");
                return;
            }
            emit(CborValue::text(std::string(view)));
        } else {
            emit(CborValue::bytes(std::vector<std::uint8_t>(data, data + length)));
        }
    }

    void openIndefiniteString(bool isText) {
        if (error_) return;
        if (insideIndefiniteString()) {
            fail(DecodeErrorKind::Malformed, "indefinite string nested in another");
            return;
        }
        if (!checkDepth()) return;
        stack_.push_back(
            Frame{isText ? Frame::Kind::IndefText : Frame::Kind::IndefBytes, true, 0, CborValue::array(), std::nullopt, {}, {}});
    }

    void indefiniteBreak() {
        if (error_) return;
        if (stack_.empty() || !stack_.back().indefinite) {
            fail(DecodeErrorKind::Malformed, "break outside an indefinite item");
            return;
        }
        Frame top = std::move(stack_.back());
        stack_.pop_back();
        switch (top.kind) {
            case Frame::Kind::IndefText:
                emit(CborValue::text(std::move(top.chunks)));
                return;
            case Frame::Kind::IndefBytes:
                emit(CborValue::bytes(std::vector<std::uint8_t>(top.chunks.begin(), top.chunks.end())));
                return;
            case Frame::Kind::Map:
                if (top.pendingKey) {
                    fail(DecodeErrorKind::Malformed, "map ends between a key and its value");
                    return;
                }
                emit(std::move(top.value));
                return;
            case Frame::Kind::Array:
                emit(std::move(top.value));
                return;
        }
    }

    static Parser& self(void* ctx) { return *static_cast<Parser*>(ctx); }

    static cbor_callbacks makeCallbacks() {
        cbor_callbacks cb = cbor_empty_callbacks;
        cb.uint8 = [](void* c, std::uint8_t v) { self(c).scalar(CborValue::unsignedInt(v)); };
        cb.uint16 = [](void* c, std::uint16_t v) { self(c).scalar(CborValue::unsignedInt(v)); };
        cb.uint32 = [](void* c, std::uint32_t v) { self(c).scalar(CborValue::unsignedInt(v)); };
        cb.uint64 = [](void* c, std::uint64_t v) { self(c).scalar(CborValue::unsignedInt(v)); };
        cb.negint8 = [](void* c, std::uint8_t v) { self(c).scalar(CborValue::negativeFromArgument(v)); };
        cb.negint16 = [](void* c, std::uint16_t v) { self(c).scalar(CborValue::negativeFromArgument(v)); };
        cb.negint32 = [](void* c, std::uint32_t v) { self(c).scalar(CborValue::negativeFromArgument(v)); };
        cb.negint64 = [](void* c, std::uint64_t v) { self(c).scalar(CborValue::negativeFromArgument(v)); };
        cb.byte_string = [](void* c, cbor_data d, std::size_t n) { self(c).stringChunk(false, d, n); };
        cb.string = [](void* c, cbor_data d, std::size_t n) { self(c).stringChunk(true, d, n); };
        cb.byte_string_start = [](void* c) { self(c).openIndefiniteString(false); };
        cb.string_start = [](void* c) { self(c).openIndefiniteString(true); };
        cb.array_start = [](void* c, std::size_t n) { self(c).openContainer(Frame::Kind::Array, false, n); };
        cb.indef_array_start = [](void* c) { self(c).openContainer(Frame::Kind::Array, true, 0); };
        cb.map_start = [](void* c, std::size_t n) { self(c).openContainer(Frame::Kind::Map, false, n); };
        cb.indef_map_start = [](void* c) { self(c).openContainer(Frame::Kind::Map, true, 0); };
        cb.tag = [](void* c, std::uint64_t) { self(c).fail(DecodeErrorKind::InvalidValue, "CBOR tags are not used in OCF payloads"); };
        cb.float2 = [](void* c, float f) { self(c).scalar(CborValue::floating(f)); };
        cb.float4 = [](void* c, float f) { self(c).scalar(CborValue::floating(f)); };
        cb.float8 = [](void* c, double d) { self(c).scalar(CborValue::floating(d)); };
        cb.undefined = [](void* c) { self(c).scalar(CborValue::undefined()); };
        cb.null = [](void* c) { self(c).scalar(CborValue::null()); };
        cb.boolean = [](void* c, bool b) { self(c).scalar(CborValue::boolean(b)); };
        cb.indef_break = [](void* c) { self(c).indefiniteBreak(); };
        return cb;
    }

    std::span<const std::uint8_t> input_;
    std::string context_;
    CborLimits limits_;
    std::size_t offset_ = 0;
    std::size_t itemCount_ = 0;
    std::vector<Frame> stack_;
    std::optional<CborValue> root_;
    std::optional<DecodeError> error_;
};

}  // namespace

CborValue parseCbor(std::span<const std::uint8_t> input, std::string_view context, const CborLimits& limits) {
    return Parser(input, context, limits).run();
}

}  // namespace steward::core
