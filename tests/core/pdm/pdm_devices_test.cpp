// Devices: round trips, state changes, order, renames, removal with everything that hangs off it.
#include "pdm_test_support.hpp"

namespace steward::test {
namespace {

using core::DeviceRecordState;
using core::PdmError;
using ::testing::HasSubstr;

class PdmDevices : public PdmFixture {};

TEST_F(PdmDevices, RoundTripsEveryField) {
    auto d = sampleDevice(7, "kitchen light");
    d.otm = "oic.sec.doxm.rdp";
    d.address = "fe80::1%eth0";
    d.port = 0xffff;
    d.securePort = 1;
    const auto before = toStoredPrecision(std::chrono::system_clock::now());
    db_->putDevice(d);
    const auto after = std::chrono::system_clock::now();

    const auto got = db_->device(d.id);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, d.id);
    EXPECT_EQ(got->name, "kitchen light");
    EXPECT_EQ(got->otm, "oic.sec.doxm.rdp");
    EXPECT_EQ(got->address, "fe80::1%eth0");
    EXPECT_EQ(got->port, 0xffff);
    EXPECT_EQ(got->securePort, 1);
    EXPECT_EQ(got->deviceTypes, (std::vector<std::string>{"oic.d.light", "x.example.dimmer"}));
    EXPECT_EQ(got->state, DeviceRecordState::Pending);
    EXPECT_EQ(got->ownedAt, std::chrono::system_clock::time_point{});
    EXPECT_GE(got->updatedAt, before);
    EXPECT_LE(got->updatedAt, after);
    EXPECT_FALSE(db_->device(uuidNo(8)).has_value());
}

TEST_F(PdmDevices, PutReplacesByUuid) {
    db_->putDevice(sampleDevice(1, "old"));
    auto d = sampleDevice(1, "new");
    d.address = "10.0.0.9";
    db_->putDevice(d);
    const auto all = db_->devices();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].name, "new");
    EXPECT_EQ(all[0].address, "10.0.0.9");
}

TEST_F(PdmDevices, PutKeepsAGivenOwnedAtAndFillsAMissingOne) {
    auto owned = sampleDevice(1);
    owned.state = DeviceRecordState::Owned;
    owned.ownedAt = atMillis(1'700'000'000'123);
    db_->putDevice(owned);
    EXPECT_EQ(db_->device(owned.id)->ownedAt, atMillis(1'700'000'000'123));

    owned.ownedAt = {};  // a caller that does not know it keeps the stored one
    db_->putDevice(owned);
    EXPECT_EQ(db_->device(owned.id)->ownedAt, atMillis(1'700'000'000'123));

    auto fresh = sampleDevice(2);
    fresh.state = DeviceRecordState::Owned;
    db_->putDevice(fresh);
    EXPECT_NE(db_->device(fresh.id)->ownedAt, std::chrono::system_clock::time_point{});

    auto pending = sampleDevice(3);
    pending.ownedAt = atMillis(5);
    db_->putDevice(pending);
    EXPECT_EQ(db_->device(pending.id)->ownedAt, std::chrono::system_clock::time_point{});
}

TEST_F(PdmDevices, BecomingOwnedSetsOwnedAt) {
    db_->putDevice(sampleDevice(1));
    const auto before = toStoredPrecision(std::chrono::system_clock::now());
    db_->setDeviceState(uuidNo(1), DeviceRecordState::Owned);
    const auto after = std::chrono::system_clock::now();

    const auto owned = db_->device(uuidNo(1));
    ASSERT_TRUE(owned.has_value());
    EXPECT_EQ(owned->state, DeviceRecordState::Owned);
    EXPECT_GE(owned->ownedAt, before);
    EXPECT_LE(owned->ownedAt, after);
    EXPECT_GE(owned->updatedAt, before);

    // Confirming again keeps the first time; going back to pending clears it.
    db_->setDeviceState(uuidNo(1), DeviceRecordState::Owned);
    EXPECT_EQ(db_->device(uuidNo(1))->ownedAt, owned->ownedAt);
    db_->setDeviceState(uuidNo(1), DeviceRecordState::Pending);
    EXPECT_EQ(db_->device(uuidNo(1))->ownedAt, std::chrono::system_clock::time_point{});
}

TEST_F(PdmDevices, ChangingAnUnknownDeviceIsAnError) {
    try {
        db_->setDeviceState(uuidNo(9), DeviceRecordState::Owned);
        FAIL() << "no PdmError";
    } catch (const PdmError& e) {
        EXPECT_THAT(e.what(), HasSubstr(file_.string()));
        EXPECT_THAT(e.what(), HasSubstr("setDeviceState"));
        EXPECT_THAT(e.what(), HasSubstr(uuidNo(9).toString()));
        EXPECT_THAT(e.what(), HasSubstr("no such device"));
    }
    EXPECT_THROW(db_->renameDevice(uuidNo(9), "x"), PdmError);
    EXPECT_TRUE(db_->devices().empty());
}

TEST_F(PdmDevices, RefusesTheNilUuid) {
    core::DeviceRecord nil;
    EXPECT_THROW(db_->putDevice(nil), PdmError);
    EXPECT_TRUE(db_->devices().empty());
}

TEST_F(PdmDevices, ListsByOwnedAtThenUuidAndFiltersByState) {
    auto late = sampleDevice(1);
    late.state = DeviceRecordState::Owned;
    late.ownedAt = atMillis(3000);
    auto early = sampleDevice(2);
    early.state = DeviceRecordState::Owned;
    early.ownedAt = atMillis(1000);
    auto tie = sampleDevice(3);
    tie.state = DeviceRecordState::Owned;
    tie.ownedAt = atMillis(1000);
    db_->putDevice(late);
    db_->putDevice(tie);
    db_->putDevice(early);
    db_->putDevice(sampleDevice(5));
    db_->putDevice(sampleDevice(4));

    std::vector<core::Uuid> order;
    for (const auto& d : db_->devices()) order.push_back(d.id);
    EXPECT_EQ(order, (std::vector<core::Uuid>{uuidNo(4), uuidNo(5), uuidNo(2), uuidNo(3), uuidNo(1)}));

    order.clear();
    for (const auto& d : db_->devicesInState(DeviceRecordState::Owned)) order.push_back(d.id);
    EXPECT_EQ(order, (std::vector<core::Uuid>{uuidNo(2), uuidNo(3), uuidNo(1)}));
    order.clear();
    for (const auto& d : db_->devicesInState(DeviceRecordState::Pending)) order.push_back(d.id);
    EXPECT_EQ(order, (std::vector<core::Uuid>{uuidNo(4), uuidNo(5)}));
}

TEST_F(PdmDevices, Renames) {
    db_->putDevice(sampleDevice(1, "before"));
    db_->renameDevice(uuidNo(1), "after — with ünïcode and 'quotes'");
    EXPECT_EQ(db_->device(uuidNo(1))->name, "after — with ünïcode and 'quotes'");
}

TEST_F(PdmDevices, RemovingCascadesToLinksCredentialsAndAces) {
    for (std::uint8_t n = 1; n <= 3; ++n) db_->putDevice(sampleDevice(n));
    db_->putLink(uuidNo(1), uuidNo(2));
    db_->putLink(uuidNo(3), uuidNo(1));
    db_->putLink(uuidNo(2), uuidNo(3));
    core::CredentialRecord c;
    c.device = uuidNo(1);
    c.subject = uuidNo(2);
    db_->addCredential(c);
    c.device = uuidNo(2);
    c.subject = uuidNo(1);
    db_->addCredential(c);
    core::AceRecord a;
    a.device = uuidNo(1);
    a.subject = "uuid:" + uuidNo(2).toString();
    a.resources = {"/a/light"};
    a.permission = 6;
    db_->addAce(a);

    EXPECT_TRUE(db_->removeDevice(uuidNo(1)));
    EXPECT_FALSE(db_->device(uuidNo(1)).has_value());
    EXPECT_TRUE(db_->links(uuidNo(1)).empty());
    EXPECT_TRUE(db_->credentials(uuidNo(1)).empty());
    EXPECT_TRUE(db_->aces(uuidNo(1)).empty());
    // What belongs to the other devices stays.
    EXPECT_EQ(db_->links(uuidNo(2)).size(), 1u);
    EXPECT_EQ(db_->credentials(uuidNo(2)).size(), 1u);
    RawSqlite raw(file_);
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM links"), "1");
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM credentials"), "1");
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM aces"), "0");

    EXPECT_FALSE(db_->removeDevice(uuidNo(1)));
}

}  // namespace
}  // namespace steward::test
