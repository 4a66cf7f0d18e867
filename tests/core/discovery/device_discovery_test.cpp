// discoverDevices() against fake devices on loopback (unicast only: tests never multicast).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "fake_device.hpp"
#include "steward/discovery/device_discovery.hpp"
#include "support/free_port.hpp"

using namespace steward::core;
using namespace std::chrono_literals;
using steward::test::FakeBehaviour;
using steward::test::FakeDevice;
using testing::HasSubstr;

namespace {

using Clock = std::chrono::steady_clock;

Uuid uuid(const char* text) { return *Uuid::parse(text); }

const Uuid kGateway = uuid("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f");
const Uuid kOtherOwner = uuid("99999999-8888-7777-6666-555555555555");

FakeBehaviour unowned(const char* id) {
    FakeBehaviour b;
    b.doxm.oxms = {0, 1};
    b.doxm.oxmsel = 0;
    b.doxm.owned = false;
    b.doxm.deviceuuid = uuid(id);
    return b;
}

FakeBehaviour owned(const char* id, const Uuid& owner) {
    FakeBehaviour b = unowned(id);
    b.doxm.owned = true;
    b.doxm.oxmsel = 1;
    b.doxm.devowneruuid = owner;
    b.doxm.rowneruuid = owner;
    return b;
}

bool ipv6Available() {
    try {
        UdpSocket::bind("::1", 0);
        return true;
    } catch (const TransportException&) {
        return false;
    }
}

struct Run {
    DiscoveryResult result;
    std::vector<std::string> log;
    Clock::duration elapsed{};
};

Run discover(DiscoveryScope scope, std::vector<PeerAddress> targets, std::chrono::milliseconds timeout = 10s,
             std::optional<Uuid> owner = std::nullopt) {
    Run run;
    DiscoveryOptions options;
    options.scope = scope;
    options.timeout = timeout;
    options.unicastTargets = std::move(targets);
    options.owner = owner;
    options.log = [&run](const std::string& line) { run.log.push_back(line); };
    const auto start = Clock::now();
    run.result = discoverDevices(options);
    run.elapsed = Clock::now() - start;
    return run;
}

const DiscoveredDevice* find(const DiscoveryResult& result, const char* id) {
    for (const auto& d : result.devices) {
        if (d.deviceId == uuid(id)) return &d;
    }
    return nullptr;
}

TEST(DeviceDiscovery, FindsEveryDeviceOverUnicastAndFollowsUp) {
    FakeDevice light("127.0.0.1", unowned("11111111-1111-1111-1111-111111111111"));
    FakeBehaviour doorBehaviour = owned("22222222-2222-2222-2222-222222222222", kGateway);
    doorBehaviour.name = "door";
    doorBehaviour.deviceTypes = {"oic.d.door", "oic.wk.d"};
    doorBehaviour.securePort = 40002;
    FakeDevice door("127.0.0.1", doorBehaviour);

    const auto run = discover(DiscoveryScope::All, {light.address(), door.address()});
    ASSERT_EQ(run.result.devices.size(), 2u) << testing::PrintToString(run.result.rejected);
    EXPECT_TRUE(run.result.rejected.empty()) << testing::PrintToString(run.result.rejected);
    // Every target and follow-up answered: no need to wait for the 10 s budget.
    EXPECT_LT(run.elapsed, 5s);

    const auto* l = find(run.result, "11111111-1111-1111-1111-111111111111");
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->oxms, (std::vector<int>{0, 1}));
    EXPECT_FALSE(l->owned);
    EXPECT_TRUE(l->owner.isNil());
    EXPECT_EQ(l->address, "127.0.0.1");
    EXPECT_EQ(l->port, light.address().port);
    EXPECT_EQ(l->securePort, 49999);
    EXPECT_EQ(l->endpoints, (std::vector<std::string>{light.ep("coap", light.address().port), light.ep("coaps", 49999)}));
    EXPECT_EQ(l->name, "fake light");
    EXPECT_EQ(l->deviceTypes, (std::vector<std::string>{"oic.d.light"}));

    const auto* d = find(run.result, "22222222-2222-2222-2222-222222222222");
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(d->owned);
    EXPECT_EQ(d->owner, kGateway);
    EXPECT_EQ(d->oxmsel, 1);
    EXPECT_EQ(d->securePort, 40002);
    EXPECT_EQ(d->name, "door");
    EXPECT_EQ(d->deviceTypes, (std::vector<std::string>{"oic.d.door"}));
}

TEST(DeviceDiscovery, ProbesAndFollowUpsCarryTheOcfOptions) {
    FakeDevice light("127.0.0.1", unowned("11111111-1111-1111-1111-111111111111"));
    discover(DiscoveryScope::All, {light.address()});
    const auto probes = light.requests("/oic/sec/doxm");
    ASSERT_EQ(probes.size(), 1u);
    EXPECT_FALSE(probes[0].confirmable);
    EXPECT_EQ(probes[0].method, CoapMethod::Get);
    EXPECT_TRUE(probes[0].query.empty());
    EXPECT_EQ(probes[0].accept, kContentFormatOcfCbor);
    EXPECT_EQ(probes[0].ocfAcceptContentFormatVersion, kOcfVersion1_0);
    EXPECT_EQ(probes[0].ocfContentFormatVersion, kOcfVersion1_0);
    const auto res = light.requests("/oic/res");
    ASSERT_EQ(res.size(), 1u);
    EXPECT_EQ(res[0].query, (std::vector<std::string>{"rt=oic.r.doxm"}));
    EXPECT_FALSE(res[0].confirmable);
    const auto info = light.requests("/oic/d");
    ASSERT_EQ(info.size(), 1u);
    // iotivity-lite gives `rt` only in the baseline representation.
    EXPECT_EQ(info[0].query, (std::vector<std::string>{"if=oic.if.baseline"}));
    // Each request has its own token.
    const auto messages = light.received();
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages[0].token.size(), 8u);
    EXPECT_NE(messages[0].token, messages[1].token);
    EXPECT_NE(messages[1].token, messages[2].token);
}

// An owned iotivity-lite device refuses anonymous doxm reads: a gateway that holds its owner
// credential still finds it by its /oic/res doxm link, as owned by it but not yet confirmed.
TEST(DeviceDiscovery, OwnedDeviceSilentOnDoxmIsFoundByItsResourceLink) {
    FakeBehaviour behaviour = owned("33333333-3333-3333-3333-333333333333", kGateway);
    behaviour.answerDoxm = false;
    behaviour.securePort = 40003;
    FakeDevice lite("127.0.0.1", behaviour);
    FakeBehaviour strangerBehaviour = owned("44444444-4444-4444-4444-444444444444", kGateway);
    strangerBehaviour.answerDoxm = false;
    FakeDevice stranger("127.0.0.1", strangerBehaviour);  // no credential for it: its link is ignored

    DiscoveryOptions options;
    options.scope = DiscoveryScope::Owned;
    options.timeout = 3s;
    options.unicastTargets = {lite.address(), stranger.address()};
    options.owner = kGateway;
    options.ownedDevices = {uuid("33333333-3333-3333-3333-333333333333")};
    const auto result = discoverDevices(options);
    ASSERT_EQ(result.devices.size(), 1u) << testing::PrintToString(result.rejected);
    const auto& d = result.devices[0];
    EXPECT_EQ(d.deviceId, uuid("33333333-3333-3333-3333-333333333333"));
    EXPECT_TRUE(d.owned);
    EXPECT_EQ(d.owner, kGateway);
    EXPECT_FALSE(d.ownerConfirmed);  // only an owner session can confirm it
    EXPECT_EQ(d.securePort, 40003);
    EXPECT_EQ(d.name, "fake light");
    EXPECT_EQ(d.deviceTypes, (std::vector<std::string>{"oic.d.light"}));
    EXPECT_TRUE(result.rejected.empty()) << testing::PrintToString(result.rejected);
    const auto probes = lite.requests("/oic/res");
    ASSERT_FALSE(probes.empty());
    EXPECT_EQ(probes[0].query, (std::vector<std::string>{"rt=oic.r.doxm"}));
}

// Without the gateway's records (no ownedDevices) nothing but doxm answers count, and a device
// whose doxm answer came is confirmed whatever its link says.
TEST(DeviceDiscovery, ResourceProbeNeedsOwnerAndCredentials) {
    FakeBehaviour silent = owned("33333333-3333-3333-3333-333333333333", kGateway);
    silent.answerDoxm = false;
    FakeDevice lite("127.0.0.1", silent);
    FakeDevice talkative("127.0.0.1", owned("55555555-5555-5555-5555-555555555555", kGateway));

    const auto plain = discover(DiscoveryScope::Owned, {lite.address(), talkative.address()}, 3s, kGateway);
    ASSERT_EQ(plain.result.devices.size(), 1u);
    EXPECT_TRUE(plain.result.devices[0].ownerConfirmed);
    EXPECT_TRUE(lite.requests("/oic/res").empty());  // no credentials given: no resource probe

    DiscoveryOptions options;
    options.scope = DiscoveryScope::All;
    options.timeout = 3s;
    options.unicastTargets = {lite.address(), talkative.address()};
    options.owner = kGateway;
    options.ownedDevices = {uuid("33333333-3333-3333-3333-333333333333"), uuid("55555555-5555-5555-5555-555555555555")};
    const auto both = discoverDevices(options);
    ASSERT_EQ(both.devices.size(), 2u) << testing::PrintToString(both.rejected);
    for (const auto& d : both.devices) {
        EXPECT_EQ(d.ownerConfirmed, d.deviceId == uuid("55555555-5555-5555-5555-555555555555")) << d.deviceId.toString();
    }
}

TEST(DeviceDiscovery, UnownedScopeKeepsOnlyUnownedDevices) {
    FakeDevice light("127.0.0.1", unowned("11111111-1111-1111-1111-111111111111"));
    FakeDevice door("127.0.0.1", owned("22222222-2222-2222-2222-222222222222", kGateway));
    const auto run = discover(DiscoveryScope::Unowned, {light.address(), door.address()});
    ASSERT_EQ(run.result.devices.size(), 1u);
    EXPECT_EQ(run.result.devices[0].deviceId, uuid("11111111-1111-1111-1111-111111111111"));
    EXPECT_EQ(light.requests("/oic/sec/doxm").at(0).query, (std::vector<std::string>{"owned=FALSE"}));
    // The owned device refused the query (4.00, as iotivity-lite does for unicast): one reason.
    ASSERT_EQ(run.result.rejected.size(), 1u);
    EXPECT_THAT(run.result.rejected[0], HasSubstr("4.00"));
    EXPECT_LT(run.elapsed, 5s);
}

TEST(DeviceDiscovery, OwnedScopeKeepsOnlyOurDevices) {
    FakeDevice ours("127.0.0.1", owned("22222222-2222-2222-2222-222222222222", kGateway));
    FakeDevice theirs("127.0.0.1", owned("33333333-3333-3333-3333-333333333333", kOtherOwner));
    FakeDevice fresh("127.0.0.1", unowned("11111111-1111-1111-1111-111111111111"));

    const auto all = discover(DiscoveryScope::Owned, {ours.address(), theirs.address(), fresh.address()});
    EXPECT_EQ(all.result.devices.size(), 2u);
    EXPECT_EQ(ours.requests("/oic/sec/doxm").at(0).query, (std::vector<std::string>{"owned=TRUE"}));

    const auto mine = discover(DiscoveryScope::Owned, {ours.address(), theirs.address(), fresh.address()}, 10s, kGateway);
    ASSERT_EQ(mine.result.devices.size(), 1u);
    EXPECT_EQ(mine.result.devices[0].deviceId, uuid("22222222-2222-2222-2222-222222222222"));
    EXPECT_EQ(mine.result.devices[0].owner, kGateway);
    EXPECT_THAT(testing::PrintToString(mine.result.rejected), HasSubstr("not by " + kGateway.toString()));
}

TEST(DeviceDiscovery, DuplicateAnswersMergeIntoOneDevice) {
    FakeBehaviour twice = unowned("11111111-1111-1111-1111-111111111111");
    twice.doxmCopies = 2;
    FakeDevice light("127.0.0.1", twice);
    // The same device listed twice, answering every probe twice.
    const auto run = discover(DiscoveryScope::All, {light.address(), light.address()});
    ASSERT_EQ(run.result.devices.size(), 1u);
    EXPECT_TRUE(run.result.rejected.empty()) << testing::PrintToString(run.result.rejected);
    EXPECT_EQ(light.requests("/oic/res").size(), 1u);  // one follow-up per device and address
    EXPECT_EQ(light.requests("/oic/d").size(), 1u);
}

TEST(DeviceDiscovery, IPv4AndIPv6AnswersMergeWithEndpointsUnioned) {
    if (!ipv6Available()) GTEST_SKIP() << "IPv6 loopback (::1) is not available here";
    // One device on both families; each side lists both families' eps, as a real device does.
    FakeBehaviour v4 = unowned("11111111-1111-1111-1111-111111111111");
    v4.securePort = 40004;
    v4.extraEps = {"coaps://[::1]:40006"};
    FakeBehaviour v6 = v4;
    v6.securePort = 40006;
    v6.extraEps = {"coaps://127.0.0.1:40004"};
    FakeDevice over4("127.0.0.1", v4);
    FakeDevice over6("::1", v6);

    const auto run = discover(DiscoveryScope::All, {over4.address(), over6.address()});
    ASSERT_EQ(run.result.devices.size(), 1u);
    const auto& d = run.result.devices[0];
    // The first answer's address is kept, with the secure port advertised for that address.
    if (d.address == "127.0.0.1") {
        EXPECT_EQ(d.port, over4.address().port);
        EXPECT_EQ(d.securePort, 40004);
    } else {
        EXPECT_EQ(d.address, "::1");
        EXPECT_EQ(d.port, over6.address().port);
        EXPECT_EQ(d.securePort, 40006);
    }
    EXPECT_THAT(d.endpoints, testing::UnorderedElementsAre(over4.ep("coap", over4.address().port), "coaps://127.0.0.1:40004",
                                                           over6.ep("coap", over6.address().port), "coaps://[::1]:40006"));
    EXPECT_EQ(over4.requests("/oic/res").size(), 1u);
    EXPECT_EQ(over6.requests("/oic/res").size(), 1u);
    // /oic/d once per device; an ep naming the other family's address is refused from each side.
    EXPECT_EQ(over4.requests("/oic/d").size() + over6.requests("/oic/d").size(), 1u);
    EXPECT_THAT(testing::PrintToString(run.log), HasSubstr("refused endpoint"));
    EXPECT_TRUE(run.result.rejected.empty()) << testing::PrintToString(run.result.rejected);
}

TEST(DeviceDiscovery, MalformedCborAnswerIsDroppedWithAReason) {
    FakeBehaviour broken = unowned("11111111-1111-1111-1111-111111111111");
    broken.doxmPayload = std::vector<std::uint8_t>{0xA1, 0x64, 'o', 'x'};  // a map cut short
    FakeDevice device("127.0.0.1", broken);
    FakeDevice good("127.0.0.1", unowned("22222222-2222-2222-2222-222222222222"));
    const auto run = discover(DiscoveryScope::All, {device.address(), good.address()});
    ASSERT_EQ(run.result.devices.size(), 1u);
    EXPECT_EQ(run.result.devices[0].deviceId, uuid("22222222-2222-2222-2222-222222222222"));
    ASSERT_EQ(run.result.rejected.size(), 1u);
    EXPECT_THAT(run.result.rejected[0], HasSubstr("127.0.0.1:" + std::to_string(device.address().port)));
    EXPECT_THAT(run.result.rejected[0], HasSubstr("doxm answer"));
    EXPECT_THAT(run.result.rejected[0], HasSubstr("truncated"));
    EXPECT_THAT(testing::PrintToString(run.log), HasSubstr("doxm answer"));
    EXPECT_LT(run.elapsed, 5s);  // a bad answer is still an answer
}

TEST(DeviceDiscovery, LyingAnchorDropsTheDevice) {
    FakeBehaviour liar = unowned("11111111-1111-1111-1111-111111111111");
    liar.anchor = uuid("44444444-4444-4444-4444-444444444444");
    FakeDevice device("127.0.0.1", liar);
    const auto run = discover(DiscoveryScope::All, {device.address()});
    EXPECT_TRUE(run.result.devices.empty());
    ASSERT_EQ(run.result.rejected.size(), 1u);
    EXPECT_THAT(run.result.rejected[0], HasSubstr("anchor names 44444444-4444-4444-4444-444444444444"));
    EXPECT_THAT(run.result.rejected[0], HasSubstr("dropped"));
}

TEST(DeviceDiscovery, LyingDeviceIdDropsTheDevice) {
    FakeBehaviour liar = unowned("11111111-1111-1111-1111-111111111111");
    liar.di = uuid("44444444-4444-4444-4444-444444444444");
    FakeDevice device("127.0.0.1", liar);
    const auto run = discover(DiscoveryScope::All, {device.address()});
    EXPECT_TRUE(run.result.devices.empty());
    ASSERT_EQ(run.result.rejected.size(), 1u);
    EXPECT_THAT(run.result.rejected[0], HasSubstr("/oic/d answer: di names"));
}

TEST(DeviceDiscovery, OwnedAnswerToAnUnownedProbeIsDropped) {
    FakeBehaviour liar = owned("22222222-2222-2222-2222-222222222222", kGateway);
    liar.honestAboutOwned = false;
    FakeDevice device("127.0.0.1", liar);
    const auto run = discover(DiscoveryScope::Unowned, {device.address()});
    EXPECT_TRUE(run.result.devices.empty());
    ASSERT_EQ(run.result.rejected.size(), 1u);
    EXPECT_THAT(run.result.rejected[0], HasSubstr("says owned=true to a query for owned=FALSE"));
    EXPECT_TRUE(device.requests("/oic/res").empty());  // no follow-up for a liar
}

TEST(DeviceDiscovery, ContradictingSecondAnswerIsIgnored) {
    FakeDevice first("127.0.0.1", unowned("11111111-1111-1111-1111-111111111111"));
    FakeDevice second("127.0.0.1", owned("11111111-1111-1111-1111-111111111111", kGateway));
    const auto run = discover(DiscoveryScope::All, {first.address(), second.address()}, 3s);
    ASSERT_EQ(run.result.devices.size(), 1u);
    ASSERT_EQ(run.result.rejected.size(), 1u);
    EXPECT_THAT(run.result.rejected[0], HasSubstr("contradicting its first answer"));
}

TEST(DeviceDiscovery, DeviceWithSilentFollowUpsIsStillReported) {
    FakeBehaviour quiet = unowned("11111111-1111-1111-1111-111111111111");
    quiet.answerRes = false;
    quiet.answerDevice = false;
    FakeDevice device("127.0.0.1", quiet);
    const auto run = discover(DiscoveryScope::All, {device.address()}, 1200ms);
    ASSERT_EQ(run.result.devices.size(), 1u);
    EXPECT_FALSE(run.result.devices[0].securePort);
    EXPECT_TRUE(run.result.devices[0].name.empty());
    // Unanswered follow-ups are resent (every 500 ms) until the deadline.
    EXPECT_GE(device.requests("/oic/res").size(), 2u);
}

TEST(DeviceDiscovery, SilentTargetIsResentAndDoesNotOverrunTheTimeout) {
    FakeBehaviour silent = unowned("11111111-1111-1111-1111-111111111111");
    silent.answerDoxm = false;
    FakeDevice device("127.0.0.1", silent);
    FakeDevice light("127.0.0.1", unowned("22222222-2222-2222-2222-222222222222"));
    const auto run = discover(DiscoveryScope::All, {device.address(), light.address()}, 1200ms);
    EXPECT_EQ(run.result.devices.size(), 1u);
    EXPECT_GE(run.elapsed, 1s);              // waited for the silent one...
    EXPECT_LT(run.elapsed, 1200ms + 800ms);  // ...but not much past the budget
    const auto probes = device.received();
    ASSERT_GE(probes.size(), 2u);
    EXPECT_EQ(probes[0].token, probes[1].token);          // same request, resent
    EXPECT_NE(probes[0].messageId, probes[1].messageId);  // as a new message
}

TEST(DeviceDiscovery, AnswersWithAnUnknownTokenAreIgnored) {
    FakeBehaviour stray = unowned("11111111-1111-1111-1111-111111111111");
    stray.wrongToken = true;
    FakeDevice device("127.0.0.1", stray);
    const auto run = discover(DiscoveryScope::All, {device.address()}, 700ms);
    EXPECT_TRUE(run.result.devices.empty());
    EXPECT_TRUE(run.result.rejected.empty());
    EXPECT_THAT(testing::PrintToString(run.log), HasSubstr("no request of ours has its token"));
}

TEST(DeviceDiscovery, NothingToProbeReturnsAtOnce) {
    const auto run = discover(DiscoveryScope::All, {}, 5s);
    EXPECT_TRUE(run.result.devices.empty());
    EXPECT_LT(run.elapsed, 1s);
}

TEST(DeviceDiscovery, RefusesBadOptionsBeforeSending) {
    auto errorOf = [](DiscoveryOptions options) {
        try {
            discoverDevices(options);
        } catch (const TransportException& e) {
            return e.error().code;
        }
        return TransportErrorCode::Shutdown;
    };
    DiscoveryOptions unknownInterface;
    unknownInterface.multicastInterfaces = {"no-such-if0"};
    EXPECT_EQ(errorOf(unknownInterface), TransportErrorCode::InvalidArgument);
    DiscoveryOptions name;
    name.unicastTargets = {{"printer.local", 5683}};
    EXPECT_EQ(errorOf(name), TransportErrorCode::InvalidArgument);
    DiscoveryOptions group;
    group.unicastTargets = {{"224.0.1.187", 5683}};
    EXPECT_EQ(errorOf(group), TransportErrorCode::InvalidArgument);
    DiscoveryOptions group6;
    group6.unicastTargets = {{"[ff02::158]", 5683}};
    EXPECT_EQ(errorOf(group6), TransportErrorCode::InvalidArgument);
    DiscoveryOptions portZero;
    portZero.unicastTargets = {{"127.0.0.1", 0}};
    EXPECT_EQ(errorOf(portZero), TransportErrorCode::InvalidArgument);
    DiscoveryOptions negative;
    negative.timeout = -1ms;
    EXPECT_EQ(errorOf(negative), TransportErrorCode::InvalidArgument);
    DiscoveryOptions tooEager;  // a probe flood is no reprobe
    tooEager.reprobeInterval = 50ms;
    EXPECT_EQ(errorOf(tooEager), TransportErrorCode::InvalidArgument);
}

// Streaming discovery (issue 19.5): each device reaches onFound once, as soon as it is followed
// up, long before a call that reprobes until its deadline returns.
TEST(DeviceDiscovery, OnFoundGetsEachDeviceOnceBeforeTheCallEnds) {
    FakeBehaviour twice = unowned("11111111-1111-1111-1111-111111111111");
    twice.doxmCopies = 2;  // every probe answered twice
    FakeDevice light("127.0.0.1", twice);
    FakeBehaviour quiet = unowned("22222222-2222-2222-2222-222222222222");
    quiet.answerRes = false;  // its follow-up never answers: reported at the end, as it is
    FakeDevice door("127.0.0.1", quiet);
    std::vector<std::pair<Uuid, Clock::duration>> found;
    DiscoveryOptions options;
    options.scope = DiscoveryScope::Unowned;
    options.timeout = 1500ms;
    options.reprobeInterval = 200ms;
    options.unicastTargets = {light.address(), door.address()};
    const auto start = Clock::now();
    options.onFound = [&](const DiscoveredDevice& d) { found.emplace_back(d.deviceId, Clock::now() - start); };
    const auto result = discoverDevices(options);
    const auto elapsed = Clock::now() - start;

    ASSERT_EQ(result.devices.size(), 2u);
    ASSERT_EQ(found.size(), 2u);  // once each, however many answers and reprobes
    EXPECT_EQ(found[0].first, uuid("11111111-1111-1111-1111-111111111111"));
    EXPECT_LT(found[0].second, 700ms);  // as soon as its follow-ups answered
    EXPECT_EQ(found[1].first, uuid("22222222-2222-2222-2222-222222222222"));
    EXPECT_GE(found[1].second, 1400ms);  // its /oic/res never answered: at the end of the call
    // Reprobing: the call lasts its whole budget, and answered targets are asked again.
    EXPECT_GE(elapsed, 1400ms);
    EXPECT_GE(light.requests("/oic/sec/doxm").size(), 4u);
    EXPECT_TRUE(light.requests("/oic/sec/doxm")[0].query == std::vector<std::string>{"owned=FALSE"});
}

TEST(DeviceDiscovery, AProbeFindsADeviceStartedAfterTheCallBegan) {
    const std::uint16_t port = steward::test::freeLoopbackUdpPort();
    std::optional<Clock::time_point> foundAt;
    DiscoveryOptions options;
    options.scope = DiscoveryScope::Unowned;
    options.timeout = 4s;
    options.reprobeInterval = 300ms;
    options.unicastTargets = {PeerAddress{"127.0.0.1", port}};
    options.onFound = [&](const DiscoveredDevice&) { foundAt = Clock::now(); };
    auto call = std::async(std::launch::async, [&] { return discoverDevices(options); });
    std::this_thread::sleep_for(800ms);  // the call is under way, its target silent
    const auto started = Clock::now();
    FakeDevice late("127.0.0.1", unowned("33333333-3333-3333-3333-333333333333"), port);
    const auto result = call.get();
    const auto ended = Clock::now();
    ASSERT_EQ(result.devices.size(), 1u);
    ASSERT_TRUE(foundAt);
    EXPECT_LT(*foundAt - started, 1500ms);  // within a resend of its start...
    EXPECT_GT(ended - *foundAt, 1s);        // ...and reported long before the call ended
}

TEST(DeviceDiscovery, CancelledEndsTheCallEarly) {
    FakeBehaviour silent = unowned("11111111-1111-1111-1111-111111111111");
    silent.answerDoxm = false;
    FakeDevice device("127.0.0.1", silent);
    DiscoveryOptions options;
    options.timeout = 10s;
    options.reprobeInterval = 1s;
    options.unicastTargets = {device.address()};
    const auto start = Clock::now();
    options.cancelled = [&] { return Clock::now() - start > 300ms; };
    discoverDevices(options);
    EXPECT_LT(Clock::now() - start, 1s);
}

TEST(DeviceDiscovery, ScopeNames) {
    EXPECT_EQ(toString(DiscoveryScope::All), "all");
    EXPECT_EQ(toString(DiscoveryScope::Unowned), "unowned");
    EXPECT_EQ(toString(DiscoveryScope::Owned), "owned");
}

}  // namespace
