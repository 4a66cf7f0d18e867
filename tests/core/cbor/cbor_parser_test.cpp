#include <gtest/gtest.h>

#include "steward/cbor/cbor_value.hpp"
#include "support/bytes.hpp"

using namespace steward::core;
using steward::test::fromHex;

namespace {

CborValue parse(std::string_view hex) { return parseCbor(fromHex(hex), "t"); }

TEST(CborParser, DecodesRfc8949Examples) {
    EXPECT_EQ(parse("00"), CborValue::unsignedInt(0));
    EXPECT_EQ(parse("1903e8"), CborValue::unsignedInt(1000));
    EXPECT_EQ(parse("1bffffffffffffffff"), CborValue::unsignedInt(UINT64_MAX));
    EXPECT_EQ(parse("3863"), CborValue::integer(-100));
    EXPECT_EQ(parse("3bffffffffffffffff").integerArgument(), UINT64_MAX);
    EXPECT_EQ(parse("f4"), CborValue::boolean(false));
    EXPECT_EQ(parse("f5"), CborValue::boolean(true));
    EXPECT_EQ(parse("f6"), CborValue::null());
    EXPECT_EQ(parse("f7"), CborValue::undefined());
    EXPECT_EQ(parse("fb3ff199999999999a"), CborValue::floating(1.1));
    EXPECT_EQ(parse("4401020304"), CborValue::bytes({1, 2, 3, 4}));
    EXPECT_EQ(parse("62c3bc"), CborValue::text("\xc3\xbc"));
    EXPECT_EQ(parse("83010203"), CborValue::array({CborValue::integer(1), CborValue::integer(2), CborValue::integer(3)}));
    const CborValue m = parse("a26161016162820203");
    ASSERT_EQ(m.type(), CborValue::Type::Map);
    EXPECT_EQ(*m.find("a"), CborValue::integer(1));
    EXPECT_EQ(m.find("b")->items().size(), 2u);
    EXPECT_EQ(m.find("c"), nullptr);
}

TEST(CborParser, AcceptsIndefiniteLengthItemsAsTinycborWritesThem) {
    // {_ "a": [_ 1, 2], "b": (_ h'0102', h'03'), "c": (_ "ab", "c")}
    const CborValue m = parse("bf 6161 9f0102ff 6162 5f42010241 03ff 6163 7f626162 6163ff ff");
    EXPECT_EQ(m.find("a")->items().size(), 2u);
    EXPECT_EQ(*m.find("b"), CborValue::bytes({1, 2, 3}));
    EXPECT_EQ(*m.find("c"), CborValue::text("abc"));
}

TEST(CborParser, EmptyContainersAndStrings) {
    EXPECT_EQ(parse("80"), CborValue::array());
    EXPECT_EQ(parse("a0"), CborValue::map());
    EXPECT_EQ(parse("40"), CborValue::bytes({}));
    EXPECT_EQ(parse("60"), CborValue::text(""));
    EXPECT_EQ(parse("5fff"), CborValue::bytes({}));
    EXPECT_EQ(parse("9fff"), CborValue::array());
}

TEST(CborParser, EncoderRoundTripsEveryType) {
    const CborValue v = CborValue::map({
        {CborValue::text("u"), CborValue::unsignedInt(1u << 20)},
        {CborValue::text("n"), CborValue::integer(-70000)},
        {CborValue::text("b"), CborValue::bytes(std::vector<std::uint8_t>(300, 7))},
        {CborValue::text("t"), CborValue::text(std::string(30, 'x'))},
        {CborValue::text("a"), CborValue::array({CborValue::boolean(true), CborValue::null(), CborValue::floating(0.5)})},
        {CborValue::text("m"), CborValue::map({{CborValue::text("x"), CborValue::undefined()}})},
    });
    EXPECT_EQ(parseCbor(encodeCbor(v), "t"), v);
}

TEST(CborParser, EncoderUsesShortestIntegerForms) {
    EXPECT_EQ(encodeCbor(CborValue::integer(23)), fromHex("17"));
    EXPECT_EQ(encodeCbor(CborValue::integer(24)), fromHex("1818"));
    EXPECT_EQ(encodeCbor(CborValue::integer(256)), fromHex("190100"));
    EXPECT_EQ(encodeCbor(CborValue::integer(-1)), fromHex("20"));
    EXPECT_EQ(encodeCbor(CborValue::integer(INT64_MIN)), fromHex("3b7fffffffffffffff"));
}

}  // namespace
