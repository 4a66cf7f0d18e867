#include <gtest/gtest.h>

#include "steward/transport/coap_message.hpp"
#include "steward/transport/transport_error.hpp"

using namespace steward::core;

namespace {

TEST(CoapTransportMessage, CodeNamesAndBytes) {
    EXPECT_EQ(CoapCode::Changed.toString(), "2.04");
    EXPECT_EQ(CoapCode::Content.describe(), "2.05 Content");
    EXPECT_EQ(CoapCode::UnsupportedContentFormat.toString(), "4.15");
    EXPECT_EQ(CoapCode::Content.toByte(), 0x45);
    EXPECT_EQ(CoapCode::fromByte(0x84), CoapCode::NotFound);
    EXPECT_EQ(CoapCode(2, 31).describe(), "2.31");
    EXPECT_TRUE(CoapCode::Deleted.isSuccess());
    EXPECT_TRUE(CoapCode::Forbidden.isClientError());
    EXPECT_TRUE(CoapCode::InternalServerError.isServerError());
}

TEST(CoapTransportMessage, ParsesDottedCodes) {
    EXPECT_EQ(CoapCode::parse("2.04"), CoapCode::Changed);
    EXPECT_EQ(CoapCode::parse("4.00"), CoapCode::BadRequest);
    EXPECT_FALSE(CoapCode::parse("2.4"));
    EXPECT_FALSE(CoapCode::parse("8.00"));
    EXPECT_FALSE(CoapCode::parse("2.32"));
    EXPECT_FALSE(CoapCode::parse("204"));
}

TEST(CoapTransportMessage, UintOptionsUseTheShortestForm) {
    EXPECT_TRUE(encodeUintOption(0).empty());
    EXPECT_EQ(encodeUintOption(2048), (std::vector<std::uint8_t>{0x08, 0x00}));
    EXPECT_EQ(encodeUintOption(10000), (std::vector<std::uint8_t>{0x27, 0x10}));
    EXPECT_EQ(encodeUintOption(0x01020304), (std::vector<std::uint8_t>{1, 2, 3, 4}));
    EXPECT_EQ(decodeUintOption({0x27, 0x10}), 10000u);
    EXPECT_EQ(decodeUintOption({}), 0u);
    EXPECT_FALSE(decodeUintOption({1, 2, 3, 4, 5}));
}

TEST(CoapTransportMessage, PathsAreNormalised) {
    EXPECT_EQ(normalisePath("oic/sec//doxm/"), "/oic/sec/doxm");
    EXPECT_EQ(normalisePath(""), "/");
    EXPECT_EQ(splitPath("/a/b"), (std::vector<std::string>{"a", "b"}));
}

TEST(CoapTransportMessage, RequestDefaultsFollowOcf) {
    const auto request = CoapRequest::post("/oic/sec/doxm", {0xA0});
    EXPECT_EQ(request.method, CoapMethod::Post);
    EXPECT_EQ(request.accept, kContentFormatOcfCbor);
    EXPECT_EQ(request.ocfContentFormatVersion, kOcfVersion1_0);
    EXPECT_EQ(request.ocfAcceptContentFormatVersion, kOcfVersion1_0);
    EXPECT_TRUE(request.confirmable);
    EXPECT_EQ(toString(CoapMethod::Delete), "DELETE");
}

TEST(CoapTransportMessage, ResultHoldsValueOrError) {
    TransportResult<int> good(5);
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(good.value(), 5);
    TransportResult<int> bad(TransportError{TransportErrorCode::Timeout, "slow"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, TransportErrorCode::Timeout);
    EXPECT_THROW(bad.value(), TransportException);
}

}  // namespace
