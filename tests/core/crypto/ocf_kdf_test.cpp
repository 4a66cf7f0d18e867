// The key derivations against the independent test vectors of ocf-security.md.
#include "steward/crypto/ocf_kdf.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "support/bytes.hpp"

namespace steward::core {
namespace {

const Uuid kDevice = Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99").value();
const Uuid kGateway = Uuid::parse("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f").value();

std::vector<std::uint8_t> counting(std::uint8_t from, std::size_t count) {
    std::vector<std::uint8_t> out(count);
    std::iota(out.begin(), out.end(), from);
    return out;
}

struct VectorSecrets {
    std::vector<std::uint8_t> master = counting(0, 48);
    std::vector<std::uint8_t> server = counting(100, 32);
    std::vector<std::uint8_t> client = counting(200, 32);
    SessionSecrets view() const { return {master, server, client}; }
};

TEST(OcfKdf, PinPskMatchesVector) { EXPECT_EQ(test::toHex(derivePinPsk("53306964", kDevice)), "7e366cf8b067bc6d731d9a3093451bf3"); }

TEST(OcfKdf, KeyBlockMatchesVector) {
    const VectorSecrets s;
    const auto block = ocfKeyBlock(s.view());
    ASSERT_EQ(block.size(), 96U);
    EXPECT_EQ(test::toHex(block.bytes().first(16)), "fb398a851d762db4043efa7ebd36a284");
}

TEST(OcfKdf, OwnerPskForEachMethodMatchesVector) {
    const VectorSecrets s;
    EXPECT_EQ(test::toHex(deriveSessionBoundPsk(s.view(), kJustWorksLabel, kGateway, kDevice)), "aa0226f59137384e23d0c475e027c65e");
    EXPECT_EQ(test::toHex(deriveSessionBoundPsk(s.view(), kRandomPinLabel, kGateway, kDevice)), "977a6523d0b83c95325cebf32e0de0b3");
}

TEST(OcfKdf, PairingPskMatchesVector) {
    const VectorSecrets s;
    EXPECT_EQ(test::toHex(deriveSessionBoundPsk(s.view(), kDirectPairingLabel, kDevice, kGateway)), "e62cf842cc1676dcd348cce1486878f2");
}

TEST(OcfKdf, JustWorksPskMatchesVector) { EXPECT_EQ(test::toHex(justWorksPsk(kDevice)), "4bbb726f3c8eeba1897b74c4b840d307"); }

TEST(OcfKdf, UuidOrderMatters) {
    const VectorSecrets s;
    EXPECT_NE(deriveSessionBoundPsk(s.view(), kJustWorksLabel, kGateway, kDevice),
              deriveSessionBoundPsk(s.view(), kJustWorksLabel, kDevice, kGateway));
}

TEST(OcfKdf, RefusesWrongSecretSizes) {
    const VectorSecrets s;
    const auto shortMaster = counting(0, 47);
    EXPECT_THROW(ocfKeyBlock({shortMaster, s.server, s.client}), std::invalid_argument);
}

TEST(OcfKdf, RandomPinHintIsLabelColonRawUuid) {
    const auto hint = randomPinHint(kDevice);
    ASSERT_EQ(hint.size(), 17U + 16U);
    EXPECT_EQ(std::string(hint.begin(), hint.begin() + 17), "oic.sec.doxm.rdp:");
    EXPECT_TRUE(std::equal(kDevice.bytes().begin(), kDevice.bytes().end(), hint.begin() + 17));
}

}  // namespace
}  // namespace steward::core
