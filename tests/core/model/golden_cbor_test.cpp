// Expected bytes written by hand from the property tables of ocf-security.md, not produced by our
// encoder: a change of property name, type or order in the encoder fails here.
#include <gtest/gtest.h>

#include "steward/model/resource_codec.hpp"
#include "support/bytes.hpp"

using namespace steward::core;
using steward::test::ascii;
using steward::test::concat;
using steward::test::fromHex;

namespace {

const Uuid kDevice = *Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99");
const Uuid kGateway = *Uuid::parse("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f");

// text string of 36 characters: major type 3, one-byte length 0x24
steward::test::Bytes uuidText(const Uuid& u) { return concat({fromHex("78 24"), ascii(u.toString())}); }

const steward::test::Bytes kDoxmGolden = concat({
    fromHex("a7"),                                              // map, 7 pairs
    fromHex("64"), ascii("oxms"),         fromHex("82 00 01"),  // [0 Just-Works, 1 Random PIN]
    fromHex("66"), ascii("oxmsel"),       fromHex("01"),       fromHex("63"), ascii("sct"),        fromHex("01"),
    fromHex("65"), ascii("owned"),        fromHex("f5"),       fromHex("6a"), ascii("deviceuuid"), uuidText(kDevice),
    fromHex("6c"), ascii("devowneruuid"), uuidText(kGateway),  fromHex("6a"), ascii("rowneruuid"), uuidText(kGateway),
});

Doxm goldenDoxm() {
    Doxm d;
    d.oxms = {oxm::kJustWorks, oxm::kRandomPin};
    d.oxmsel = oxm::kRandomPin;
    d.sct = kSctSymmetricPairwise;
    d.owned = true;
    d.deviceuuid = kDevice;
    d.devowneruuid = kGateway;
    d.rowneruuid = kGateway;
    return d;
}

const steward::test::Bytes kPstatGolden = concat({
    fromHex("a7"), fromHex("63"), ascii("dos"),  fromHex("a2"), fromHex("61"),       ascii("p"),
    fromHex("f4"), fromHex("61"), ascii("s"),    fromHex("03"),  // RFNOP
    fromHex("62"), ascii("cm"),   fromHex("00"), fromHex("62"), ascii("tm"),         fromHex("00"),
    fromHex("62"), ascii("om"),   fromHex("04"), fromHex("62"), ascii("sm"),         fromHex("04"),
    fromHex("64"), ascii("isop"), fromHex("f5"), fromHex("6a"), ascii("rowneruuid"), uuidText(kGateway),
});

Pstat goldenPstat() {
    Pstat p;
    p.dos = Dos{false, DosState::Rfnop};
    p.cm = 0;
    p.tm = 0;
    p.om = operational_mode::kSingleServiceClientDriven;
    p.sm = operational_mode::kSingleServiceClientDriven;
    p.isop = true;
    p.rowneruuid = kGateway;
    return p;
}

TEST(GoldenCbor, DoxmEncodesToTheTableBytes) { EXPECT_EQ(encodeDoxm(goldenDoxm()), kDoxmGolden); }
TEST(GoldenCbor, DoxmDecodesFromTheTableBytes) { EXPECT_EQ(decodeDoxm(kDoxmGolden), goldenDoxm()); }
TEST(GoldenCbor, PstatEncodesToTheTableBytes) { EXPECT_EQ(encodePstat(goldenPstat()), kPstatGolden); }
TEST(GoldenCbor, PstatDecodesFromTheTableBytes) { EXPECT_EQ(decodePstat(kPstatGolden), goldenPstat()); }

TEST(GoldenCbor, DoxmFromAnotherStackDecodes) {
    // As tinycbor-based stacks answer a GET: indefinite-length map, properties in another order,
    // plus rt and if, which we ignore.
    const auto bytes = concat({
        fromHex("bf"),    fromHex("62"),         ascii("rt"),
        fromHex("81 6a"), ascii("oic.r.doxm"),   fromHex("62"),
        ascii("if"),      fromHex("81 6f"),      ascii("oic.if.baseline"),
        fromHex("65"),    ascii("owned"),        fromHex("f5"),
        fromHex("66"),    ascii("oxmsel"),       fromHex("01"),
        fromHex("6a"),    ascii("rowneruuid"),   uuidText(kGateway),
        fromHex("64"),    ascii("oxms"),         fromHex("9f 00 01 ff"),
        fromHex("63"),    ascii("sct"),          fromHex("01"),
        fromHex("6c"),    ascii("devowneruuid"), uuidText(kGateway),
        fromHex("6a"),    ascii("deviceuuid"),   uuidText(kDevice),
        fromHex("ff"),
    });
    EXPECT_EQ(decodeDoxm(bytes), goldenDoxm());
}

}  // namespace
