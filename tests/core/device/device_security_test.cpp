// DeviceSecurity with a real SVR DB file: what it writes, and what it does at start.
#include <gtest/gtest.h>

#include "steward/device/device_security.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "support/temp_dir.hpp"

namespace steward::core {
namespace {

const Uuid kDevice = Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99").value();
const Uuid kOwner = Uuid::parse("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f").value();

TEST(DeviceSecurityStart, AHalfWrittenOwnershipInRfotmIsResetAtStart) {
    test::TempDir dir;
    const auto file = dir / "d.dat";
    auto resources = factoryResources(kDevice, DeviceProfile{});
    { SvrDatabase::create(file, resources); }
    {
        auto db = SvrDatabase::open(file);
        db.modify([](SecurityResources& r) { r.doxm.devowneruuid = kOwner; });  // as an older version left it
    }
    std::vector<std::string> lines;
    DeviceSecurityHooks hooks;
    hooks.log = [&](const std::string& l) { lines.push_back(l); };
    DeviceSecurity security(SvrDatabase::open(file), hooks);
    EXPECT_TRUE(security.snapshot().doxm.devowneruuid.isNil());
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines[0].find("interrupted"), std::string::npos);
}

TEST(DeviceSecurityStart, ChangesInRfotmStayInMemory) {
    test::TempDir dir;
    const auto file = dir / "d.dat";
    { SvrDatabase::create(file, factoryResources(kDevice, DeviceProfile{})); }
    DeviceSecurity security(SvrDatabase::open(file), {});
    CoapRequest select = CoapRequest::post("/oic/sec/doxm", {0xA1, 0x66, 'o', 'x', 'm', 's', 'e', 'l', 0x00});
    PeerInfo plain;
    ASSERT_EQ(security.handleSecurityRequest(select, plain).code, CoapCode::Changed);
    EXPECT_EQ(security.snapshot().doxm.oxmsel, oxm::kJustWorks);
    // The file still says "nothing selected": a restart in RFOTM starts clean.
    EXPECT_EQ(SvrDatabase::open(file, SvrAccess::ReadOnly).resources().doxm.oxmsel, oxm::kSelf);
}

// Issue 13.6: an anonymous oxmsel POST checked while the device was idle must not be applied once
// an ownership session has opened meanwhile; the decision is taken again where it is applied.
TEST(DeviceSecurityAccess, ARequestIsDecidedAgainWhereItIsApplied) {
    test::TempDir dir;
    const auto file = dir / "d.dat";
    { SvrDatabase::create(file, factoryResources(kDevice, DeviceProfile{{oxm::kJustWorks, oxm::kRandomPin}, false})); }
    DeviceSecurity security(SvrDatabase::open(file), {});
    PeerInfo plain;
    const CoapRequest selectJw = CoapRequest::post("/oic/sec/doxm", {0xA1, 0x66, 'o', 'x', 'm', 's', 'e', 'l', 0x00});
    ASSERT_EQ(security.handleSecurityRequest(selectJw, plain).code, CoapCode::Changed);

    const CoapRequest selectRdp = CoapRequest::post("/oic/sec/doxm", {0xA1, 0x66, 'o', 'x', 'm', 's', 'e', 'l', 0x01});
    ASSERT_TRUE(security.authorize(selectRdp, plain).granted);  // checked while nobody owns the device...
    SessionEvent opened;                                        // ...then the Just-Works ownership session opens on the DTLS thread
    opened.type = SessionEventType::Established;
    opened.peer.role = SessionRole::Server;
    opened.peer.secure = true;
    opened.peer.sessionId = 7;
    const std::string label = "oic.sec.doxm.jw";
    opened.peer.pskIdentity.assign(label.begin(), label.end());
    security.onSessionEvent(opened);
    EXPECT_TRUE(security.ownershipSessionOpen());
    EXPECT_EQ(security.handleSecurityRequest(selectRdp, plain).code, CoapCode::Unauthorized);
    EXPECT_EQ(security.snapshot().doxm.oxmsel, oxm::kJustWorks);
}

// Issue 20.4: wrong PINs from anyone spend the PIN shown; the device then shows a new one, and
// the key it hands out is the new PIN's.
TEST(DeviceSecurityPin, ThePinShownChangesAfterItsWrongGuesses) {
    test::TempDir dir;
    const auto file = dir / "d.dat";
    { SvrDatabase::create(file, factoryResources(kDevice, DeviceProfile{{oxm::kJustWorks, oxm::kRandomPin}, false})); }
    std::vector<std::string> shown;
    DeviceSecurityHooks hooks;
    hooks.showPin = [&](std::string_view pin) { shown.emplace_back(pin); };
    DeviceSecurityOptions options;
    options.pinGuesses.freeFailuresPerAddress = 100;  // this test is about rotation, not back-off
    DeviceSecurity security(SvrDatabase::open(file), hooks, options);
    PeerInfo plain;
    ASSERT_EQ(
        security.handleSecurityRequest(CoapRequest::post("/oic/sec/doxm", {0xA1, 0x66, 'o', 'x', 'm', 's', 'e', 'l', 0x01}), plain).code,
        CoapCode::Changed);
    ASSERT_EQ(shown.size(), 1U);

    const std::string label = "oic.sec.doxm.rdp";
    const std::vector<std::uint8_t> identity(label.begin(), label.end());
    auto guess = [&](SessionId id, const std::string& address) {
        PeerInfo peer;
        peer.role = SessionRole::Server;
        peer.secure = true;
        peer.sessionId = id;
        peer.remoteAddress = address;
        peer.pskIdentity = identity;
        auto key = security.keyForIdentity(identity, peer);
        SessionEvent failed;
        failed.type = SessionEventType::Failed;
        failed.peer = peer;
        security.onSessionEvent(failed);
        return key;
    };
    const auto firstKey = guess(1, "10.0.0.66");
    ASSERT_TRUE(firstKey);
    for (SessionId id = 2; id <= 4; ++id) ASSERT_TRUE(guess(id, id % 2 ? "10.0.0.66" : "10.0.0.67"));
    EXPECT_EQ(shown.size(), 1U) << "four wrong PINs leave it";
    ASSERT_TRUE(guess(5, "10.0.0.68"));
    ASSERT_EQ(shown.size(), 2U) << "the fifth spends it";
    EXPECT_NE(shown[1], shown[0]);
    const auto nextKey = guess(6, "10.0.0.1");
    ASSERT_TRUE(nextKey);
    EXPECT_FALSE(*nextKey == *firstKey) << "the key handed out now is the new PIN's";
}

}  // namespace
}  // namespace steward::core
