// The Direct Pairing plugin's checks of a configuration: everything a device would refuse is
// refused before any device is touched, and the PIN never appears in a message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_check.hpp"

namespace steward::test {
namespace {

using namespace steward::core;
using steward::plugins::directpairing::configError;
using steward::plugins::directpairing::methodNames;
using ::testing::HasSubstr;
using ::testing::Not;

AceResource href(const std::string& h) {
    AceResource r;
    r.href = h;
    return r;
}

AceResource wildcard(Wildcard w) {
    AceResource r;
    r.wc = w;
    return r;
}

DirectPairingConfig valid() {
    DirectPairingConfig c;
    c.methods = {pairing_method::kPreconfiguredPin, pairing_method::kRandomPin};
    c.pin = SecretBytes::fromText("12345678");
    c.pdacl = {PdAce{{href("/a/light")}, permission::kRead | permission::kUpdate, {}, {}}};
    return c;
}

TEST(DirectPairingConfigCheck, AcceptsAGoodConfigurationAndAnEmptyPin) {
    EXPECT_EQ(configError(valid()), "");
    auto c = valid();
    c.pin = SecretBytes();  // the provider makes one
    EXPECT_EQ(configError(c), "");
    c.methods = {pairing_method::kRandomPin};
    EXPECT_EQ(configError(c), "");
    c.pdacl[0].resources = {wildcard(Wildcard::All), href("/a/door")};
    c.pdacl[0].permission = permission::kAll;
    EXPECT_EQ(configError(c), "");
}

TEST(DirectPairingConfigCheck, NeedsOneOrTwoKnownMethodsEachOnce) {
    auto c = valid();
    c.methods.clear();
    EXPECT_THAT(configError(c), HasSubstr("no pairing method"));
    c.methods = {3};
    EXPECT_THAT(configError(c), HasSubstr("3 is not a pairing method"));
    c.methods = {0};
    EXPECT_THAT(configError(c), HasSubstr("0 is not a pairing method"));
    c.methods = {1, 1};
    EXPECT_THAT(configError(c), HasSubstr("listed twice"));
}

TEST(DirectPairingConfigCheck, APinIsExactlyEightDigitsAndNeverQuoted) {
    for (const char* pin : {"1234567", "123456789", "1234567a", "12 45678", "abcdefgh"}) {
        auto c = valid();
        c.pin = SecretBytes::fromText(pin);
        const auto error = configError(c);
        EXPECT_THAT(error, HasSubstr("exactly 8 digits")) << pin;
        EXPECT_THAT(error, Not(HasSubstr(pin))) << pin;
    }
}

TEST(DirectPairingConfigCheck, NeedsAnAclTemplateWithResourcesAndAPermission) {
    auto c = valid();
    c.pdacl.clear();
    EXPECT_THAT(configError(c), HasSubstr("no ACL template"));
    c = valid();
    c.pdacl[0].resources.clear();
    EXPECT_THAT(configError(c), HasSubstr("pdacl[0]: no resources"));
    for (const int bad : {0, 32, -1}) {
        c = valid();
        c.pdacl[0].permission = bad;
        EXPECT_THAT(configError(c), HasSubstr("not a CRUDN bit mask")) << bad;
    }
    c = valid();
    c.pdacl[0].resources = {href("light")};
    EXPECT_THAT(configError(c), HasSubstr("is not a resource href"));
    c.pdacl[0].resources = {href("")};
    EXPECT_THAT(configError(c), HasSubstr("is not a resource href"));
}

TEST(DirectPairingConfigCheck, NeverGrantsASecurityResource) {
    for (const char* h : {"/oic/sec/cred", "/oic/sec/pconf", "/oic/sec/acl2", "/oic/sec"}) {
        auto c = valid();
        c.pdacl.push_back(PdAce{{href("/a/door"), href(h)}, permission::kRead, {}, {}});
        EXPECT_THAT(configError(c), HasSubstr(std::string("pdacl[1]: ") + h + " is a security resource")) << h;
    }
    auto c = valid();
    c.pdacl[0].resources = {href("/oic/secret")};  // only /oic/sec itself and below
    EXPECT_EQ(configError(c), "");
}

TEST(DirectPairingConfigCheck, NamesTheMethods) {
    EXPECT_EQ(methodNames({1, 2}), "pre-configured PIN, random PIN");
    EXPECT_EQ(methodNames({2}), "random PIN");
}

}  // namespace
}  // namespace steward::test
