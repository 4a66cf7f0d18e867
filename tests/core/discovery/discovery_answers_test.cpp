// Discovery's readers of untrusted answers and its merge table, without any network.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cbor/object_reader.hpp"
#include "discovery/discovery_answers.hpp"
#include "discovery/discovery_merge.hpp"
#include "steward/model/resource_codec.hpp"

using namespace steward::core;
using namespace steward::core::detail;
using testing::HasSubstr;

namespace {

const Uuid kDevice = *Uuid::parse("11111111-1111-1111-1111-111111111111");
const Uuid kOther = *Uuid::parse("44444444-4444-4444-4444-444444444444");

CoapResponse content(const CborValue& value) { return CoapResponse::withPayload(CoapCode::Content, encodeCbor(value)); }

CborValue link(const std::string& href, const std::string& anchor, std::vector<std::string> eps) {
    std::vector<CborValue> items;
    for (auto& ep : eps) items.push_back(CborValue::map({entry("ep", CborValue::text(std::move(ep)))}));
    return CborValue::map(
        {entry("anchor", CborValue::text(anchor)), entry("href", CborValue::text(href)), entry("eps", CborValue::array(std::move(items)))});
}

// Runs `fn`, expecting AnswerRejected; returns "lying: reason" or "refused: reason".
template <typename Fn>
std::string rejection(Fn fn) {
    try {
        fn();
    } catch (const AnswerRejected& e) {
        return std::string(e.lying() ? "lying: " : "refused: ") + e.what();
    }
    return "accepted";
}

TEST(DiscoveryAnswers, ParsesLinkEndpoints) {
    const auto v4 = parseLinkEndpoint("coaps://192.168.1.7:5684");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->scheme, "coaps");
    EXPECT_EQ(v4->host, "192.168.1.7");
    EXPECT_EQ(v4->port, 5684);
    const auto zoned = parseLinkEndpoint("COAP://[fe80::1%25eth0]:5683");
    ASSERT_TRUE(zoned);
    EXPECT_EQ(zoned->scheme, "coap");
    EXPECT_EQ(zoned->host, "fe80::1%eth0");
    EXPECT_EQ(parseLinkEndpoint("coaps+tcp://[::1]:1")->port, 1);
    for (const char* bad :
         {"", "coaps://", "coaps://host.example:5684", "http://1.2.3.4:80", "coaps://1.2.3.4", "coaps://1.2.3.4:0", "coaps://1.2.3.4:65536",
          "coaps://[::1]", "coaps://[::1]5684", "coaps://::1:5684", "coaps://[1.2.3.4]:5", "coaps://1.2.3.4:5/path", "coaps://[::1%]:5"}) {
        EXPECT_FALSE(parseLinkEndpoint(bad)) << bad;
    }
}

TEST(DiscoveryAnswers, ComparesHostsAsAddresses) {
    EXPECT_TRUE(sameHost("127.0.0.1", "127.0.0.1"));
    EXPECT_TRUE(sameHost("0:0::1", "::1"));
    EXPECT_TRUE(sameHost("fe80::1", "fe80::1%lo"));  // a zone-less ep names any zone
    EXPECT_TRUE(sameHost("fe80::1%lo", "fe80::1%lo"));
    // The device's own interface name means nothing to us: the address decides.
    EXPECT_TRUE(sameHost("fe80::1%wlan0", "fe80::1%lo"));
    EXPECT_FALSE(sameHost("127.0.0.2", "127.0.0.1"));
    EXPECT_FALSE(sameHost("::ffff:127.0.0.1", "127.0.0.1"));
    EXPECT_FALSE(sameHost("not an address", "not an address"));
}

TEST(DiscoveryAnswers, ReadsTheDoxmLinkOfOicRes) {
    const auto answer = content(CborValue::array({
        link("/oic/res", "ocf://" + kOther.toString(), {}),  // other links are skipped
        link("/oic/sec/doxm", "ocf://" + kDevice.toString(),
             {"coap://127.0.0.1:5683", "coaps://10.0.0.9:5684", "coaps://127.0.0.1:5684", "coaps://127.0.0.1:5690", "gopher://127.0.0.1:70",
              "coap://127.0.0.1:5683"}),
    }));
    const auto secure = readResAnswer(answer, kDevice, "127.0.0.1");
    EXPECT_EQ(secure.endpoints, (std::vector<std::string>{"coap://127.0.0.1:5683", "coaps://127.0.0.1:5684", "coaps://127.0.0.1:5690"}));
    EXPECT_EQ(secure.securePort, 5684);
    ASSERT_EQ(secure.refused.size(), 2u);
    EXPECT_THAT(secure.refused[0], HasSubstr("not the answering address"));
    EXPECT_THAT(secure.refused[1], HasSubstr("gopher"));
}

// IoTivity 1.x devices answer in the OIC 1.1 form: the device named once ("di") for all its
// links, and the secure port in p {sec, port} instead of eps.
TEST(DiscoveryAnswers, ReadsTheOic11NestedForm) {
    const auto nested = [](const Uuid& di) {
        return content(CborValue::array({CborValue::map({
            entry("di", uuidValue(di)),
            entry("links",
                  CborValue::array({
                      CborValue::map({entry("href", CborValue::text("/oic/d"))}),
                      CborValue::map(
                          {entry("href", CborValue::text("/oic/sec/doxm")), entry("rt", CborValue::array({CborValue::text("oic.r.doxm")})),
                           entry("p", CborValue::map({entry("bm", CborValue::unsignedInt(1)), entry("sec", CborValue::boolean(true)),
                                                      entry("port", CborValue::unsignedInt(49152))}))}),
                  })),
        })}));
    };
    const auto secure = readResAnswer(nested(kDevice), kDevice, "127.0.0.1");
    EXPECT_EQ(secure.securePort, 49152);
    EXPECT_THAT(rejection([&] { readResAnswer(nested(kOther), kDevice, "127.0.0.1"); }),
                HasSubstr("lying: /oic/res answer: the doxm link's di names " + kOther.toString()));
}

TEST(DiscoveryAnswers, RefusesOrCatchesLiesInOicRes) {
    auto res = [](const CborValue& v) { return [v] { readResAnswer(content(v), kDevice, "127.0.0.1"); }; };
    EXPECT_THAT(rejection(res(CborValue::array({link("/oic/sec/doxm", "ocf://" + kOther.toString(), {})}))),
                HasSubstr("lying: /oic/res answer: the doxm link's anchor names " + kOther.toString()));
    EXPECT_THAT(rejection(res(CborValue::array({link("/oic/sec/doxm", kDevice.toString(), {})}))),
                HasSubstr("refused: /oic/res answer: res[0].anchor"));
    EXPECT_THAT(rejection(res(CborValue::array({link("/oic/d", "ocf://" + kDevice.toString(), {})}))),
                HasSubstr("refused: /oic/res answer: no link with href /oic/sec/doxm"));
    EXPECT_THAT(rejection(res(CborValue::map({}))), HasSubstr("refused: /oic/res answer: expected an array"));
    EXPECT_THAT(rejection(res(CborValue::array({CborValue::integer(3)}))), HasSubstr("refused: /oic/res answer: res[0]"));
    EXPECT_THAT(rejection([] { readResAnswer(CoapResponse::withCode(CoapCode::NotFound), kDevice, "127.0.0.1"); }),
                HasSubstr("refused: /oic/res answer: answered 4.04 Not Found"));
    EXPECT_THAT(rejection([] { readResAnswer(CoapResponse::withPayload(CoapCode::Content, {0x9F}), kDevice, "127.0.0.1"); }),
                HasSubstr("refused: /oic/res answer: res:"));
}

TEST(DiscoveryAnswers, ReadsOicD) {
    const auto info = readDeviceAnswer(content(CborValue::map({
                                           entry("di", CborValue::text(kDevice.toString())),
                                           entry("n", CborValue::text("lamp")),
                                           entry("rt", textArrayValue({"oic.wk.d", "oic.d.light"})),
                                       })),
                                       kDevice);
    EXPECT_EQ(info.name, "lamp");
    EXPECT_EQ(info.deviceTypes, (std::vector<std::string>{"oic.d.light"}));
    auto d = [](CborValue v) { return [v = std::move(v)] { readDeviceAnswer(content(v), kDevice); }; };
    EXPECT_THAT(rejection(d(CborValue::map({entry("di", CborValue::text(kOther.toString()))}))),
                HasSubstr("lying: /oic/d answer: di names"));
    EXPECT_THAT(rejection(d(CborValue::map({entry("n", CborValue::text("x"))}))), HasSubstr("refused: /oic/d answer: d.di"));
    EXPECT_THAT(rejection(d(CborValue::map({entry("di", CborValue::text(kDevice.toString())), entry("rt", CborValue::integer(1))}))),
                HasSubstr("refused: /oic/d answer: d.rt"));
}

TEST(DiscoveryAnswers, ReadsDoxmAndChecksTheQuery) {
    Doxm doxm;
    doxm.oxms = {0};
    doxm.deviceuuid = kDevice;
    EXPECT_EQ(readDoxmAnswer(CoapResponse::withPayload(CoapCode::Content, encodeDoxm(doxm))), doxm);
    EXPECT_THAT(rejection([] { readDoxmAnswer(CoapResponse::withCode(CoapCode::BadRequest)); }),
                HasSubstr("refused: doxm answer: answered 4.00"));
    Doxm nil = doxm;
    nil.deviceuuid = Uuid();
    EXPECT_THAT(rejection([&] { readDoxmAnswer(CoapResponse::withPayload(CoapCode::Content, encodeDoxm(nil))); }), HasSubstr("nil UUID"));
    EXPECT_NO_THROW(checkOwnedMatchesQuery(doxm, DiscoveryScope::Unowned));
    EXPECT_NO_THROW(checkOwnedMatchesQuery(doxm, DiscoveryScope::All));
    EXPECT_THAT(rejection([&] { checkOwnedMatchesQuery(doxm, DiscoveryScope::Owned); }),
                HasSubstr("lying: doxm answer from " + kDevice.toString() + " says owned=false"));
}

TEST(DiscoveryMerge, MergesByUuidAndRefusesContradictions) {
    Doxm doxm;
    doxm.deviceuuid = kDevice;
    DeviceTable table;
    EXPECT_EQ(table.add(doxm, "127.0.0.1", 5683), DeviceTable::Added::NewDevice);
    EXPECT_EQ(table.add(doxm, "127.0.0.1", 5683), DeviceTable::Added::Duplicate);
    EXPECT_EQ(table.add(doxm, "::1", 5683), DeviceTable::Added::NewAddress);
    SecureLink fromV6{{"coaps://[::1]:6000"}, 6000, {}};
    SecureLink fromV4{{"coaps://127.0.0.1:5684", "coaps://[::1]:6000"}, 5684, {}};
    table.addSecureLink(kDevice, "::1", fromV6);  // not the first address: no secure port from it
    table.addSecureLink(kDevice, "127.0.0.1", fromV4);
    table.setInfo(kDevice, DeviceInfo{"lamp", {"oic.d.light"}});

    Doxm contradicting = doxm;
    contradicting.owned = true;
    EXPECT_THAT(rejection([&] { table.add(contradicting, "127.0.0.1", 5683); }), HasSubstr("contradicting"));

    const auto devices = table.devices();
    ASSERT_EQ(devices.size(), 1u);
    EXPECT_EQ(devices[0].address, "127.0.0.1");
    EXPECT_EQ(devices[0].securePort, 5684);
    EXPECT_EQ(devices[0].endpoints, (std::vector<std::string>{"coaps://[::1]:6000", "coaps://127.0.0.1:5684"}));
    EXPECT_EQ(devices[0].name, "lamp");

    table.drop(kDevice);
    EXPECT_TRUE(table.devices().empty());
    EXPECT_THAT(rejection([&] { table.add(doxm, "127.0.0.1", 5683); }), HasSubstr("dropped earlier as lying"));
}

TEST(DiscoveryMerge, BoundsDevicesAndAddresses) {
    DeviceTable table;
    Doxm doxm;
    for (std::size_t i = 0; i < kMaxDiscoveredDevices; ++i) {
        Uuid::Bytes bytes{};
        bytes[0] = static_cast<std::uint8_t>(i >> 8);
        bytes[1] = static_cast<std::uint8_t>(i);
        bytes[15] = 1;
        doxm.deviceuuid = Uuid(bytes);
        ASSERT_EQ(table.add(doxm, "10.0.0.1", static_cast<std::uint16_t>(1000 + i)), DeviceTable::Added::NewDevice);
    }
    doxm.deviceuuid = kDevice;
    EXPECT_THAT(rejection([&] { table.add(doxm, "10.0.0.1", 1); }), HasSubstr("already 1024 devices"));

    DeviceTable one;
    for (std::uint16_t port = 1; port <= kMaxAddressesPerDevice; ++port) one.add(doxm, "10.0.0.2", port);
    EXPECT_EQ(one.add(doxm, "10.0.0.2", 999), DeviceTable::Added::Duplicate);  // no more follow-ups
}

}  // namespace
