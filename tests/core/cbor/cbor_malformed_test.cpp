// Hostile and broken CBOR: every case must end in a typed DecodeError, never a crash.
#include <gtest/gtest.h>

#include "steward/cbor/cbor_value.hpp"
#include "steward/cbor/decode_error.hpp"
#include "support/bytes.hpp"

using namespace steward::core;
using steward::test::Bytes;
using steward::test::fromHex;

namespace {

DecodeErrorKind kindOf(const Bytes& input, const CborLimits& limits = {}) {
    try {
        parseCbor(input, "payload", limits);
    } catch (const DecodeError& e) {
        EXPECT_EQ(e.property(), "payload");
        return e.kind();
    }
    ADD_FAILURE() << "no error for " << steward::test::toHex(input);
    return DecodeErrorKind::Malformed;
}

TEST(CborMalformed, EmptyInputIsTruncated) { EXPECT_EQ(kindOf({}), DecodeErrorKind::Truncated); }

TEST(CborMalformed, TruncatedItems) {
    EXPECT_EQ(kindOf(fromHex("19 03")), DecodeErrorKind::Truncated);       // uint16 missing a byte
    EXPECT_EQ(kindOf(fromHex("44 0102")), DecodeErrorKind::Truncated);     // 4-byte string, 2 given
    EXPECT_EQ(kindOf(fromHex("a2 6161 01")), DecodeErrorKind::Truncated);  // map missing an entry
    EXPECT_EQ(kindOf(fromHex("9f 01 02")), DecodeErrorKind::Truncated);    // indefinite array, no break
    EXPECT_EQ(kindOf(fromHex("7f 6161")), DecodeErrorKind::Truncated);     // indefinite text, no break
}

TEST(CborMalformed, HugeDeclaredLengthsAreRefusedBeforeAllocating) {
    // Array and map of 2^64-1 entries, byte string of 2^64-1 and 2^32 bytes.
    EXPECT_EQ(kindOf(fromHex("9b ffffffffffffffff 00")), DecodeErrorKind::TooLarge);
    EXPECT_EQ(kindOf(fromHex("bb ffffffffffffffff 00")), DecodeErrorKind::TooLarge);
    EXPECT_EQ(kindOf(fromHex("9a 7fffffff 00")), DecodeErrorKind::TooLarge);
    const auto bigString = kindOf(fromHex("5b ffffffffffffffff 00"));
    EXPECT_TRUE(bigString == DecodeErrorKind::Truncated || bigString == DecodeErrorKind::TooLarge);
    EXPECT_EQ(kindOf(fromHex("5a 00010000 0102")), DecodeErrorKind::Truncated);
}

TEST(CborMalformed, DeepNestingIsRefused) {
    Bytes deep(10000, 0x81);  // [[[[...]]]]
    deep.push_back(0x00);
    EXPECT_EQ(kindOf(deep), DecodeErrorKind::TooDeep);
    Bytes deepIndef(10000, 0x9f);
    EXPECT_EQ(kindOf(deepIndef), DecodeErrorKind::TooDeep);
    Bytes deepMaps;
    for (int i = 0; i < 100; ++i) {
        deepMaps.push_back(0xa1);
        deepMaps.push_back(0x61);
        deepMaps.push_back('k');
    }
    deepMaps.push_back(0x00);
    EXPECT_EQ(kindOf(deepMaps), DecodeErrorKind::TooDeep);
}

TEST(CborMalformed, DepthLimitIsExactlyAsConfigured) {
    CborLimits limits;
    limits.maxDepth = 3;
    EXPECT_NO_THROW(parseCbor(fromHex("81 81 81 00"), "payload", limits));
    EXPECT_EQ(kindOf(fromHex("81 81 81 81 00"), limits), DecodeErrorKind::TooDeep);
}

TEST(CborMalformed, ItemCountAndInputSizeLimits) {
    CborLimits limits;
    limits.maxItems = 10;
    Bytes many{0x9f};
    many.insert(many.end(), 20, 0x00);
    many.push_back(0xff);
    EXPECT_EQ(kindOf(many, limits), DecodeErrorKind::TooLarge);
    limits = {};
    limits.maxInputBytes = 4;
    EXPECT_EQ(kindOf(fromHex("4401020304"), limits), DecodeErrorKind::TooLarge);
}

TEST(CborMalformed, TrailingBytes) { EXPECT_EQ(kindOf(fromHex("01 02")), DecodeErrorKind::TrailingBytes); }

TEST(CborMalformed, ReservedAndInvalidEncodings) {
    EXPECT_EQ(kindOf(fromHex("1c")), DecodeErrorKind::Malformed);        // reserved additional info 28
    EXPECT_EQ(kindOf(fromHex("ff")), DecodeErrorKind::Malformed);        // break with nothing open
    EXPECT_EQ(kindOf(fromHex("82 01 ff")), DecodeErrorKind::Malformed);  // break inside a definite array
}

TEST(CborMalformed, StringRules) {
    EXPECT_EQ(kindOf(fromHex("62 c328")), DecodeErrorKind::InvalidValue);    // invalid UTF-8
    EXPECT_EQ(kindOf(fromHex("63 eda080")), DecodeErrorKind::InvalidValue);  // UTF-16 surrogate
    EXPECT_EQ(kindOf(fromHex("62 c080")), DecodeErrorKind::InvalidValue);    // overlong
    EXPECT_EQ(kindOf(fromHex("5f 6161 ff")), DecodeErrorKind::Malformed);    // text chunk in bytes
    EXPECT_EQ(kindOf(fromHex("5f 01 ff")), DecodeErrorKind::Malformed);      // int chunk in bytes
    EXPECT_EQ(kindOf(fromHex("5f 5f ff ff")), DecodeErrorKind::Malformed);   // nested indefinite
    EXPECT_EQ(kindOf(fromHex("7f 80 ff")), DecodeErrorKind::Malformed);      // array inside text
}

TEST(CborMalformed, MapRules) {
    EXPECT_EQ(kindOf(fromHex("a2 6161 01 6161 02")), DecodeErrorKind::DuplicateKey);
    EXPECT_EQ(kindOf(fromHex("a1 01 02")), DecodeErrorKind::InvalidValue);  // integer key
    EXPECT_EQ(kindOf(fromHex("bf 6161 ff")), DecodeErrorKind::Malformed);   // key without value
}

TEST(CborMalformed, TagsAreRefused) { EXPECT_EQ(kindOf(fromHex("c1 1a514b67b0")), DecodeErrorKind::InvalidValue); }

TEST(CborMalformed, ErrorNamesTheByteOffset) {
    try {
        parseCbor(fromHex("83 01 02 1c"), "payload");
        FAIL();
    } catch (const DecodeError& e) {
        EXPECT_EQ(e.offset(), 3u);
        EXPECT_NE(std::string(e.what()).find("at byte 3"), std::string::npos) << e.what();
    }
}

}  // namespace
