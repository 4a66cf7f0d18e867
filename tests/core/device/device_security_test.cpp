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

}  // namespace
}  // namespace steward::core
