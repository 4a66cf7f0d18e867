// The library-independent CoAP codec: exact bytes, extended option forms, round trips, every
// malformed datagram the decoder must refuse, and the request/response conversions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steward/transport/coap_wire.hpp"
#include "support/bytes.hpp"

using namespace steward::core;
using steward::test::ascii;
using steward::test::Bytes;
using steward::test::fromHex;
using steward::test::toHex;
using testing::HasSubstr;

namespace {

// NON GET /oic/sec/doxm?owned=FALSE, Accept 10000, 2049 = 2053 = 2048, MID 0x1234, token abcd.
const Bytes kDoxmProbe = fromHex(
    "52 01 1234 abcd"
    "b3 6f6963"                  // Uri-Path (11) "oic"
    "03 736563"                  // Uri-Path "sec"
    "04 646f786d"                // Uri-Path "doxm"
    "4b 6f776e65643d46414c5345"  // Uri-Query (15) "owned=FALSE"
    "22 2710"                    // Accept (17) 10000
    "e2 06e3 0800"               // 2049: delta 2032 = 269 + 0x06e3 (14 form)
    "42 0800");                  // 2053 = 2048

std::string decodeError(const Bytes& datagram) {
    try {
        decodeCoapMessage(datagram);
    } catch (const CoapWireError& e) {
        return e.what();
    }
    return "decoded without error";
}

CoapWireMessage sampleMessage() {
    CoapWireMessage m;
    m.type = CoapMessageType::NonConfirmable;
    m.code = 0x45;
    m.messageId = 0xBEEF;
    m.token = {1, 2, 3, 4, 5, 6, 7, 8};
    m.options = {{12, {0x27, 0x10}}, {60, Bytes(20, 0xAA)}, {60, Bytes(300, 0xBB)}, {2053, {0x08, 0x00}}};
    m.payload = {0xA0};
    return m;
}

TEST(CoapWire, EncodesTheDoxmProbeExactly) {
    CoapRequest probe = CoapRequest::get("/oic/sec/doxm");
    probe.query = {"owned=FALSE"};
    probe.confirmable = false;
    const auto m = requestToWire(probe, 0x1234, {0xAB, 0xCD});
    EXPECT_EQ(toHex(encodeCoapMessage(m)), toHex(kDoxmProbe));
}

TEST(CoapWire, DecodesTheDoxmProbe) {
    const auto m = decodeCoapMessage(kDoxmProbe);
    EXPECT_EQ(m.type, CoapMessageType::NonConfirmable);
    EXPECT_EQ(m.code, 0x01);
    EXPECT_EQ(m.messageId, 0x1234);
    EXPECT_EQ(m.token, (Bytes{0xAB, 0xCD}));
    ASSERT_EQ(m.options.size(), 7u);
    EXPECT_EQ(m.options[5].number, 2049);
    EXPECT_TRUE(m.payload.empty());

    const auto request = requestFromWire(m);
    EXPECT_EQ(request.method, CoapMethod::Get);
    EXPECT_FALSE(request.confirmable);
    EXPECT_EQ(request.path, "/oic/sec/doxm");
    EXPECT_EQ(request.query, (std::vector<std::string>{"owned=FALSE"}));
    EXPECT_EQ(request.accept, kContentFormatOcfCbor);
    EXPECT_EQ(request.ocfAcceptContentFormatVersion, kOcfVersion1_0);
    EXPECT_EQ(request.ocfContentFormatVersion, kOcfVersion1_0);
    EXPECT_FALSE(request.contentFormat);
    EXPECT_TRUE(request.otherOptions.empty());
}

TEST(CoapWire, ExtendedDeltaAndLengthForms) {
    const auto bytes = encodeCoapMessage(sampleMessage());
    // After the 4-byte header and the 8-byte token: Content-Format (delta 12, length 2).
    std::size_t i = 12;
    EXPECT_EQ(bytes[i], 0xC2);
    i += 3;
    // Option 60: delta 48 (13 form: 13 + 35), length 20 (13 form: 13 + 7).
    EXPECT_EQ(toHex(Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(i), bytes.begin() + static_cast<std::ptrdiff_t>(i) + 3)), "dd2307");
    i += 3 + 20;
    // Option 60 again: delta 0, length 300 (14 form: 269 + 0x001f).
    EXPECT_EQ(toHex(Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(i), bytes.begin() + static_cast<std::ptrdiff_t>(i) + 3)), "0e001f");
    i += 3 + 300;
    // 2053: delta 1993 (14 form: 269 + 0x06bc), length 2.
    EXPECT_EQ(toHex(Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(i), bytes.begin() + static_cast<std::ptrdiff_t>(i) + 5)),
              "e206bc0800");
    i += 5;
    EXPECT_EQ(toHex(Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(i), bytes.end())), "ffa0");
    EXPECT_EQ(decodeCoapMessage(bytes), sampleMessage());
}

TEST(CoapWire, BoundaryLengthsRoundTrip) {
    for (std::size_t length : {0u, 12u, 13u, 268u, 269u, 65804u}) {
        CoapWireMessage m;
        m.code = 0x02;
        m.options = {{static_cast<std::uint16_t>(length % 65536), Bytes(length, 0x5A)}};
        EXPECT_EQ(decodeCoapMessage(encodeCoapMessage(m)), m) << length;
    }
    CoapWireMessage highest;
    highest.code = 0x01;
    highest.options = {{65535, {}}};
    EXPECT_EQ(toHex(encodeCoapMessage(highest)),
              "40010000"
              "e0fef2");  // 269 + 0xfef2 = 65535
    EXPECT_EQ(decodeCoapMessage(encodeCoapMessage(highest)), highest);
}

TEST(CoapWire, EncodingSortsOptionsStably) {
    CoapWireMessage m;
    m.code = 0x01;
    m.options = {{15, ascii("b=2")}, {11, ascii("x")}, {15, ascii("a=1")}, {11, ascii("y")}};
    const auto decoded = decodeCoapMessage(encodeCoapMessage(m));
    const std::vector<CoapOption> expected = {{11, ascii("x")}, {11, ascii("y")}, {15, ascii("b=2")}, {15, ascii("a=1")}};
    EXPECT_EQ(decoded.options, expected);
}

TEST(CoapWire, EmptyMessagesAreJustAHeader) {
    CoapWireMessage ping;
    ping.type = CoapMessageType::Confirmable;
    ping.messageId = 7;
    EXPECT_EQ(toHex(encodeCoapMessage(ping)), "40000007");
    CoapWireMessage reset;
    reset.type = CoapMessageType::Reset;
    reset.messageId = 0x0102;
    EXPECT_EQ(decodeCoapMessage(encodeCoapMessage(reset)), reset);
}

TEST(CoapWire, EncoderRefusesWhatCannotBeSent) {
    CoapWireMessage longToken;
    longToken.code = 0x01;
    longToken.token = Bytes(9, 1);
    EXPECT_THAT([&] { encodeCoapMessage(longToken); }, testing::ThrowsMessage<CoapWireError>(HasSubstr("token is at most 8 bytes")));
    CoapWireMessage longOption;
    longOption.code = 0x01;
    longOption.options = {{11, Bytes(65805, 'a')}};
    EXPECT_THROW(encodeCoapMessage(longOption), CoapWireError);
    CoapWireMessage emptyWithToken;
    emptyWithToken.token = {1};
    EXPECT_THROW(encodeCoapMessage(emptyWithToken), CoapWireError);
}

TEST(CoapWire, RefusesMalformedDatagrams) {
    EXPECT_THAT(decodeError({}), HasSubstr("too short"));
    EXPECT_THAT(decodeError(fromHex("400100")), HasSubstr("too short"));
    EXPECT_THAT(decodeError(fromHex("00010000")), HasSubstr("version 0"));
    EXPECT_THAT(decodeError(fromHex("80010000")), HasSubstr("version 2"));
    EXPECT_THAT(decodeError(fromHex("49010000 010203040506070809")), HasSubstr("token length 9 is reserved"));
    EXPECT_THAT(decodeError(fromHex("4f010000 010203040506070809")), HasSubstr("token length 15 is reserved"));
    EXPECT_THAT(decodeError(fromHex("44010000 0102")), HasSubstr("the token runs past the end"));
    EXPECT_THAT(decodeError(fromHex("40010000 f100")), HasSubstr("reserved nibble 15"));
    EXPECT_THAT(decodeError(fromHex("40010000 1f")), HasSubstr("reserved nibble 15"));
    EXPECT_THAT(decodeError(fromHex("40010000 b361")), HasSubstr("option value runs past the end"));
    EXPECT_THAT(decodeError(fromHex("40010000 d0")), HasSubstr("extended option delta runs past"));
    EXPECT_THAT(decodeError(fromHex("40010000 e001")), HasSubstr("extended option delta runs past"));
    EXPECT_THAT(decodeError(fromHex("40010000 0d")), HasSubstr("extended option length runs past"));
    EXPECT_THAT(decodeError(fromHex("40010000 0e01")), HasSubstr("extended option length runs past"));
    EXPECT_THAT(decodeError(fromHex("40010000 e0ffff")), HasSubstr("exceeds 65535"));
    EXPECT_THAT(decodeError(fromHex("40010000 e0fef2 10")), HasSubstr("exceeds 65535"));
    EXPECT_THAT(decodeError(fromHex("40010000 ff")), HasSubstr("payload marker followed by no payload"));
    EXPECT_THAT(decodeError(fromHex("40010000 b3616263 ff")), HasSubstr("payload marker followed by no payload"));
    EXPECT_THAT(decodeError(fromHex("41000000 aa")), HasSubstr("empty message"));
    EXPECT_THAT(decodeError(fromHex("40000000 b0")), HasSubstr("empty message"));
    EXPECT_THAT(decodeError(fromHex("40000000 ff01")), HasSubstr("empty message"));
}

TEST(CoapWire, RequestRoundTrip) {
    CoapRequest request = CoapRequest::post("/oic/sec/pstat", {0xA1, 0x61, 0x73, 0x01});
    request.query = {"if=oic.if.baseline", "x"};
    request.otherOptions = {{60, {0x10}}, {2000, ascii("v")}, {4, {}}};
    const auto m = requestToWire(request, 9, {7, 7});
    EXPECT_EQ(m.type, CoapMessageType::Confirmable);
    const auto back = requestFromWire(decodeCoapMessage(encodeCoapMessage(m)));
    EXPECT_EQ(back.method, CoapMethod::Post);
    EXPECT_EQ(back.path, "/oic/sec/pstat");
    EXPECT_EQ(back.query, request.query);
    EXPECT_EQ(back.payload, request.payload);
    EXPECT_EQ(back.contentFormat, kContentFormatOcfCbor);  // defaulted: there is a payload
    EXPECT_EQ(back.accept, kContentFormatOcfCbor);
    EXPECT_EQ(back.ocfAcceptContentFormatVersion, kOcfVersion1_0);
    EXPECT_EQ(back.ocfContentFormatVersion, kOcfVersion1_0);
    EXPECT_TRUE(back.confirmable);
    // Wire order: by number.
    EXPECT_EQ(back.otherOptions, (std::vector<CoapOption>{{4, {}}, {60, {0x10}}, {2000, ascii("v")}}));
}

TEST(CoapWire, RequestOptionsFollowTheEndpointsRules) {
    CoapRequest request = CoapRequest::del("");
    request.accept.reset();  // then 2049 is not sent either
    request.ocfContentFormatVersion.reset();
    const auto m = requestToWire(request, 1, {});
    EXPECT_TRUE(m.options.empty());
    EXPECT_EQ(m.code, 0x04);
    const auto back = requestFromWire(m);
    EXPECT_EQ(back.path, "/");
    EXPECT_FALSE(back.accept);
    EXPECT_FALSE(back.ocfAcceptContentFormatVersion);
    EXPECT_FALSE(back.ocfContentFormatVersion);

    CoapRequest typedInOthers = CoapRequest::get("/a");
    typedInOthers.otherOptions = {{12, {}}};
    EXPECT_THAT([&] { requestToWire(typedInOthers, 1, {}); },
                testing::ThrowsMessage<CoapWireError>(HasSubstr("Content-Format belongs in its typed field")));
}

TEST(CoapWire, RequestFromWireRefusesNonRequests) {
    CoapWireMessage m;
    m.type = CoapMessageType::NonConfirmable;
    for (std::uint8_t code : std::vector<std::uint8_t>{0x00, 0x05, 0x45, 0x84, 0x21}) {
        m.code = code;
        EXPECT_THROW(requestFromWire(m), CoapWireError) << int{code};
    }
    m.code = 0x01;
    m.type = CoapMessageType::Acknowledgement;
    EXPECT_THAT([&] { requestFromWire(m); }, testing::ThrowsMessage<CoapWireError>(HasSubstr("confirmable or non-confirmable")));
}

TEST(CoapWire, RefusesMalformedTypedOptions) {
    CoapWireMessage m;
    m.type = CoapMessageType::Confirmable;
    m.code = 0x01;
    m.options = {{17, {0x01, 0x00, 0x00}}};
    EXPECT_THAT([&] { requestFromWire(m); }, testing::ThrowsMessage<CoapWireError>(HasSubstr("Accept is not a 16-bit unsigned integer")));
    m.options = {{12, {0x27, 0x10}}, {12, {0x00}}};
    EXPECT_THAT([&] { requestFromWire(m); }, testing::ThrowsMessage<CoapWireError>(HasSubstr("Content-Format appears more than once")));
    m.options = {{2053, {1, 2, 3, 4, 5}}};
    EXPECT_THROW(requestFromWire(m), CoapWireError);
    // A leading zero byte is still a valid unsigned integer (RFC 7252 section 3.2).
    m.options = {{17, {0x00, 0x3C}}};
    EXPECT_EQ(requestFromWire(m).accept, 60);
    // Path bytes are kept as given.
    m.options = {{11, {0xFF, 0xFE}}};
    EXPECT_EQ(requestFromWire(m).path, std::string("/\xFF\xFE"));

    CoapWireMessage response;
    response.code = 0x45;
    response.options = {{2053, {1, 2, 3}}};
    EXPECT_THROW(responseFromWire(response), CoapWireError);
}

TEST(CoapWire, ResponseRoundTripWithOcfDefaults) {
    const auto reply = CoapResponse::withPayload(CoapCode::Content, {0xA0});
    const auto m = responseToWire(reply, CoapMessageType::NonConfirmable, 0x4242, {9});
    EXPECT_EQ(toHex(encodeCoapMessage(m)),
              "51454242"
              "09"
              "c22710"
              "e206ec0800"
              "ffa0");
    const auto back = responseFromWire(decodeCoapMessage(encodeCoapMessage(m)));
    EXPECT_EQ(back.code, CoapCode::Content);
    EXPECT_EQ(back.payload, reply.payload);
    EXPECT_EQ(back.contentFormat, kContentFormatOcfCbor);
    EXPECT_EQ(back.ocfContentFormatVersion, kOcfVersion1_0);

    const auto empty = responseToWire(CoapResponse::withCode(CoapCode::NotFound), CoapMessageType::Acknowledgement, 1, {});
    EXPECT_TRUE(empty.options.empty());
    const auto notFound = responseFromWire(empty);
    EXPECT_EQ(notFound.code, CoapCode::NotFound);
    EXPECT_FALSE(notFound.contentFormat);
    EXPECT_FALSE(notFound.ocfContentFormatVersion);

    CoapResponse custom = CoapResponse::withPayload(CoapCode::Changed, {1});
    custom.contentFormat = 60;
    custom.otherOptions = {{23, {0x06}}};  // Block2 is kept: no block-wise transfer here
    const auto customBack = responseFromWire(responseToWire(custom, CoapMessageType::Confirmable, 2, {}));
    EXPECT_EQ(customBack.contentFormat, 60);
    EXPECT_EQ(customBack.otherOptions, custom.otherOptions);
}

TEST(CoapWire, ResponseFromWireRefusesNonResponses) {
    CoapWireMessage m;
    m.type = CoapMessageType::Acknowledgement;
    for (std::uint8_t code : std::vector<std::uint8_t>{0x00, 0x01, 0x21, 0x65, 0xC0, 0xE0}) {
        m.code = code;
        EXPECT_THROW(responseFromWire(m), CoapWireError) << int{code};
    }
    m.code = 0x45;
    m.type = CoapMessageType::Reset;
    EXPECT_THROW(responseFromWire(m), CoapWireError);
    // Request options in a response are ignored, as the libcoap transport does.
    m.type = CoapMessageType::NonConfirmable;
    m.options = {{11, ascii("x")}, {15, ascii("q")}, {17, {0x01, 0x02, 0x03}}};
    const auto response = responseFromWire(m);
    EXPECT_TRUE(response.otherOptions.empty());
    EXPECT_EQ(responseFromWire(CoapWireMessage{CoapMessageType::NonConfirmable, 0xA0, 0, {}, {}, {}}).code, CoapCode::InternalServerError);
}

}  // namespace
