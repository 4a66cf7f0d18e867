// The text form of ACE subjects, permissions and resources: the parser is the printers' inverse,
// and the inputs on which the CLI, the policies and MQTT used to disagree have one verdict.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steward/model/ace_text.hpp"

using namespace steward::core;
using ::testing::HasSubstr;

namespace {

constexpr const char* kDevice = "8e745791-bc63-4a15-7e33-93e1b25fef99";

Uuid device() { return *Uuid::parse(kDevice); }

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

template <typename T>
std::string errorOf(const AceTextResult<T>& parsed) {
    EXPECT_FALSE(parsed.ok());
    return parsed.ok() ? std::string() : parsed.error();
}

// --- round trips: parse(print(v)) == v, and print(parse(s)) is canonical ---

TEST(AceText, EverySubjectKindRoundTrips) {
    const std::vector<AceSubject> subjects{device(),
                                           ConnType::AuthCrypt,
                                           ConnType::AnonClear,
                                           RoleSubject{"admin", ""},
                                           RoleSubject{"admin", "example.com"},
                                           RoleSubject{"oic.role.owner", "urn:ocf:authority"}};
    for (const auto& subject : subjects) {
        const std::string text = aceSubjectToString(subject);
        const auto parsed = aceSubjectFromText(text);
        ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error();
        EXPECT_EQ(parsed.value(), subject) << text;
        EXPECT_EQ(aceSubjectToString(parsed.value()), text);
    }
}

TEST(AceText, AllThirtyOnePermissionsRoundTripAndZeroIsRefused) {
    for (int bits = 1; bits <= permission::kAll; ++bits) {
        const std::string text = permission::toString(bits);
        const auto parsed = permissionFromText(text);
        ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error();
        EXPECT_EQ(parsed.value(), bits) << text;
        EXPECT_EQ(permissionFromBits(bits).value(), bits);
    }
    EXPECT_EQ(permission::toString(0), "-----");
    EXPECT_EQ(errorOf(permissionFromText("-----")), "\"-----\" grants nothing (at least one of CRUDN is needed)");
    EXPECT_EQ(errorOf(permissionFromBits(0)), "0 grants nothing (at least one of CRUDN is needed)");
}

TEST(AceText, WildcardsAndHrefsRoundTrip) {
    for (const auto& resource : {wildcard(Wildcard::All), wildcard(Wildcard::Secured), wildcard(Wildcard::Public), href("/a/light"),
                                 href("/oic/sec/acl2"), href("/a/x_y-z.1~%20")}) {
        const std::string text = aceResourceToString(resource);
        const auto parsed = aceResourceFromText(text);
        ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error();
        EXPECT_EQ(parsed.value(), resource) << text;
    }
    EXPECT_EQ(aceResourceToString(wildcard(Wildcard::All)), "*");
    EXPECT_EQ(aceResourceToString(wildcard(Wildcard::Secured)), "+");
    EXPECT_EQ(aceResourceToString(wildcard(Wildcard::Public)), "-");
}

TEST(AceText, NonCanonicalSpellingsPrintCanonically) {
    // Letters in any order, and UUID hex digits in either case, mean one value with one spelling.
    const std::vector<std::pair<std::string, std::string>> permissions{
        {"NR", "-R--N"}, {"RN", "-R--N"}, {"NDURC", "CRUDN"}, {"CRUDN", "CRUDN"}, {"U", "--U--"}};
    for (const auto& [text, canonical] : permissions) {
        const auto parsed = permissionFromText(text);
        ASSERT_TRUE(parsed.ok()) << text;
        EXPECT_EQ(permission::toString(parsed.value()), canonical) << text;
    }
    const auto upper = aceSubjectFromText("uuid:8E745791-BC63-4A15-7E33-93E1B25FEF99");
    ASSERT_TRUE(upper.ok()) << upper.error();
    EXPECT_EQ(aceSubjectToString(upper.value()), std::string("uuid:") + kDevice);
}

// --- the inputs the three parsers used to disagree on ---

TEST(AceText, PermissionsAreUpperCaseLettersOnly) {
    const std::string accepted = "(" + std::string(kPermissionSyntax) + ")";
    for (const char* bad : {"0",   "6",     "31", "32", "-1", "rn", "r",  "Rn", "crudn", "-r--n", "RR",
                            "RNR", "R-U--", "R-", "-",  "",   "RX", " R", "R ", "R,N",   "--R--"}) {
        EXPECT_EQ(errorOf(permissionFromText(bad)), "\"" + std::string(bad) + "\" is not a permission " + accepted) << bad;
    }
}

TEST(AceText, PermissionBitMasksAreOneToThirtyOne) {
    EXPECT_EQ(permissionFromBits(1).value(), permission::kCreate);
    EXPECT_EQ(permissionFromBits(31).value(), permission::kAll);
    EXPECT_EQ(errorOf(permissionFromBits(32)), "32 is not a permission (a CRUDN bit mask from 1 to 31)");
    EXPECT_EQ(errorOf(permissionFromBits(-1)), "-1 is not a permission (a CRUDN bit mask from 1 to 31)");
}

TEST(AceText, SubjectPrefixesAndNamesAreLowerCase) {
    for (const std::string& bad : std::vector<std::string>{std::string("UUID:") + kDevice, std::string("Uuid:") + kDevice, "ROLE:admin",
                                                           "CONNTYPE:auth-crypt", "bob", "", "uuid", "role", "gateway", "*"}) {
        EXPECT_EQ(errorOf(aceSubjectFromText(bad)), "\"" + bad + "\" is not a subject (" + std::string(kAceSubjectSyntax) + ")") << bad;
    }
    EXPECT_EQ(errorOf(aceSubjectFromText("conntype:Auth-Crypt")), "\"Auth-Crypt\" is not a connection type (auth-crypt, anon-clear)");
    EXPECT_EQ(errorOf(aceSubjectFromText("conntype:open")), "\"open\" is not a connection type (auth-crypt, anon-clear)");
    EXPECT_EQ(errorOf(aceSubjectFromText("conntype:")), "\"\" is not a connection type (auth-crypt, anon-clear)");
}

TEST(AceText, ABareUuidIsNotASubject) {
    EXPECT_EQ(errorOf(aceSubjectFromText(kDevice)), "\"" + std::string(kDevice) + "\" is not a subject: a device is named uuid:" + kDevice);
}

TEST(AceText, UuidSubjectsAreWholeAndNotNil) {
    EXPECT_EQ(errorOf(aceSubjectFromText("uuid:1234")), "\"1234\" is not a UUID (8-4-4-4-12 hex digits)");
    EXPECT_EQ(errorOf(aceSubjectFromText("uuid:")), "\"\" is not a UUID (8-4-4-4-12 hex digits)");
    EXPECT_EQ(errorOf(aceSubjectFromText(std::string("uuid: ") + kDevice)),
              "\" " + std::string(kDevice) + "\" is not a UUID (8-4-4-4-12 hex digits)");
    EXPECT_EQ(errorOf(aceSubjectFromText("uuid:00000000-0000-0000-0000-000000000000")), "the nil UUID names no device");
    EXPECT_EQ(errorOf(subjectUuidFromText("00000000-0000-0000-0000-000000000000")), "the nil UUID names no device");
    EXPECT_EQ(subjectUuidFromText(kDevice).value(), device());
}

TEST(AceText, RoleSubjectsNeedARoleAndAnAuthorityAfterAnAt) {
    const std::string syntax = " (role:<ROLE>[@<AUTHORITY>])";
    EXPECT_EQ(errorOf(aceSubjectFromText("role:")), "\"role:\" names no role" + syntax);
    EXPECT_EQ(errorOf(aceSubjectFromText("role:@x")), "\"role:@x\" names no role" + syntax);
    EXPECT_EQ(errorOf(aceSubjectFromText("role:x@")), "\"role:x@\" has '@' but no authority after it" + syntax);
    EXPECT_EQ(errorOf(aceSubjectFromText("role:a@b@c")), "\"role:a@b@c\" has more than one '@'" + syntax);
    for (const std::string& bad :
         std::vector<std::string>{"role:a b", "role:admin@exa mple", "role:\tx", "role:x\x7f", "role:r\xc3\xb4le"}) {
        EXPECT_THAT(errorOf(aceSubjectFromText(bad)), HasSubstr("has a space, a control character or a non-ASCII byte")) << bad;
    }
    const auto withColon = aceSubjectFromText("role:a:b@c:d");
    ASSERT_TRUE(withColon.ok()) << withColon.error();
    EXPECT_EQ(withColon.value(), AceSubject(RoleSubject{"a:b", "c:d"}));
}

TEST(AceText, ResourcesAreHrefsOfVisibleAsciiOrWildcards) {
    const std::string accepted = "(" + std::string(kAceResourceSyntax) + ")";
    for (const std::string& bad : std::vector<std::string>{"light", "", "a/light", "**", "*/", "+-", " /a", "#"}) {
        EXPECT_EQ(errorOf(aceResourceFromText(bad)), "\"" + bad + "\" is not a resource " + accepted) << bad;
    }
    EXPECT_EQ(errorOf(aceResourceFromText("/")), "\"/\" is not a resource (an href names one, /a/light; * is every resource)");
    for (const std::string& bad : std::vector<std::string>{"/a light", "/a\tb", "/a\nb", "/a\x7f", "/caf\xc3\xa9", "/a/\x01"}) {
        EXPECT_THAT(errorOf(aceResourceFromText(bad)), HasSubstr("an href has no spaces, control characters or non-ASCII bytes")) << bad;
    }
}

TEST(AceText, ErrorMessagesEscapeWhatTheyQuote) {
    // The refused text goes to logs and JSON responses: never raw control characters, never endless.
    EXPECT_EQ(errorOf(permissionFromText("R\n\"X")), "\"R\\x0a\\\"X\" is not a permission (" + std::string(kPermissionSyntax) + ")");
    const std::string longText(1000, 'x');
    const std::string error = errorOf(aceResourceFromText(longText));
    EXPECT_THAT(error, HasSubstr("\"" + std::string(80, 'x') + "...\""));
    EXPECT_LT(error.size(), 300u);
}

}  // namespace
