// SecretBytes: moved, never copied by accident; empty once moved from or wiped; compared in
// constant time; a vector or string handed over is wiped.
#include "steward/crypto/secret_bytes.hpp"

#include <gtest/gtest.h>

#include <type_traits>

namespace steward::core {
namespace {

static_assert(!std::is_copy_constructible_v<SecretBytes>, "a secret is copied only through clone()");
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);

TEST(SecretBytes, AMoveLeavesTheSourceEmpty) {
    auto a = SecretBytes::fromText("53306964");
    const auto* buffer = a.data();
    SecretBytes b = std::move(a);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the point of the test
    EXPECT_EQ(a.data(), nullptr);
    EXPECT_EQ(b.data(), buffer) << "moved, not copied";
    EXPECT_EQ(b.text(), "53306964");
    SecretBytes c;
    c = std::move(b);
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(c.text(), "53306964");
}

TEST(SecretBytes, CloneIsTheOnlyCopyAndIsIndependent) {
    const auto a = SecretBytes::fromText("key");
    auto b = a.clone();
    EXPECT_NE(a.data(), b.data());
    EXPECT_EQ(a, b);
    b.wipe();
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(a.text(), "key");
}

TEST(SecretBytes, AVectorOrStringHandedOverIsWiped) {
    std::vector<std::uint8_t> v = {1, 2, 3, 4};
    const SecretBytes fromVector(std::move(v));
    EXPECT_TRUE(v.empty());  // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(fromVector.equals(std::vector<std::uint8_t>{1, 2, 3, 4}));

    std::string typed = "12345678";
    const char* buffer = typed.data();
    const auto pin = SecretBytes::adoptText(std::move(typed));
    EXPECT_TRUE(typed.empty());  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(std::string(buffer, 8), std::string(8, '\0')) << "the string's own buffer was cleansed";
    EXPECT_EQ(pin.text(), "12345678");
}

TEST(SecretBytes, EqualityNeedsTheSameLengthAndBytes) {
    const auto a = SecretBytes::fromText("abcd");
    EXPECT_TRUE(a.equals(std::vector<std::uint8_t>{'a', 'b', 'c', 'd'}));
    EXPECT_FALSE(a.equals(std::vector<std::uint8_t>{'a', 'b', 'c'}));
    EXPECT_FALSE(a.equals(std::vector<std::uint8_t>{'a', 'b', 'c', 'e'}));
    EXPECT_TRUE(SecretBytes().equals({}));
}

TEST(SecretBytes, SizedSecretsStartZeroed) {
    SecretBytes s(16);
    ASSERT_EQ(s.size(), 16U);
    for (auto b : s) EXPECT_EQ(b, 0);
}

}  // namespace
}  // namespace steward::core
