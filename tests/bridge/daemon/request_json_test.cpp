// The MQTT API's ACE fields: read by core's ACE text parser, so the odd inputs the CLI and the
// policies refuse are refused here too, with the field's name in front of core's explanation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "request_json.hpp"
#include "steward/model/ace_text.hpp"

namespace steward::bridge {
namespace {

using ::testing::HasSubstr;

constexpr const char* kDevice = "8e745791-bc63-4a15-7e33-93e1b25fef99";

Poco::JSON::Object::Ptr body(const std::string& json) { return parseRequestBody(json); }

Poco::JSON::Object::Ptr withText(const std::string& field, const std::string& value) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set(field, value);
    return o;
}

template <typename F>
std::string refusal(F read) {
    try {
        read();
    } catch (const RequestError& e) {
        return e.what();
    }
    ADD_FAILURE() << "accepted";
    return {};
}

TEST(RequestJson, SubjectsAreCoresAceSubjects) {
    EXPECT_EQ(subjectField(withText("subject", std::string("uuid:") + kDevice), "subject"),
              core::AceSubject(*core::Uuid::parse(kDevice)));
    EXPECT_EQ(subjectField(withText("subject", "role:admin@example.com"), "subject"),
              core::AceSubject(core::RoleSubject{"admin", "example.com"}));
    EXPECT_EQ(subjectField(withText("subject", "conntype:anon-clear"), "subject"),
              core::AceSubject(core::ConnType::AnonClear));
    // Accepted here before, refused everywhere now: a bare UUID, an empty role or authority, an
    // upper-case prefix, the nil UUID.
    EXPECT_EQ(refusal([] { subjectField(withText("subject", kDevice), "subject"); }),
              "'subject': \"" + std::string(kDevice) + "\" is not a subject: a device is named uuid:" + kDevice);
    EXPECT_EQ(refusal([] { subjectField(withText("subject", "role:@x"), "subject"); }),
              "'subject': \"role:@x\" names no role (role:<ROLE>[@<AUTHORITY>])");
    EXPECT_EQ(refusal([] { subjectField(withText("subject", "role:x@"), "subject"); }),
              "'subject': \"role:x@\" has '@' but no authority after it (role:<ROLE>[@<AUTHORITY>])");
    EXPECT_EQ(refusal([] { subjectField(withText("subject", std::string("UUID:") + kDevice), "subject"); }),
              "'subject': \"UUID:" + std::string(kDevice) + "\" is not a subject (" +
                  std::string(core::kAceSubjectSyntax) + ")");
    EXPECT_EQ(refusal([] { subjectField(withText("subject", "uuid:00000000-0000-0000-0000-000000000000"), "subject"); }),
              "'subject': the nil UUID names no device");
    EXPECT_EQ(refusal([] { subjectField(body("{}"), "subject"); }), "missing field 'subject'");
}

TEST(RequestJson, PermissionsAreCoresLettersOrABitMask) {
    EXPECT_EQ(permissionField(withText("permission", "NR"), "permission"), 18);
    EXPECT_EQ(permissionField(withText("permission", "-R--N"), "permission"), 18);
    EXPECT_EQ(permissionField(body(R"({"permission":31})"), "permission"), 31);
    const std::string accepted = " is not a permission (" + std::string(core::kPermissionSyntax) + ")";
    for (const std::string bad : {"rn", "6", "0", "RR", "R-U--", ""}) {
        EXPECT_EQ(refusal([&] { permissionField(withText("permission", bad), "permission"); }),
                  "'permission': \"" + bad + "\"" + accepted)
            << bad;
    }
    EXPECT_EQ(refusal([] { permissionField(withText("permission", "-----"), "permission"); }),
              "'permission': \"-----\" grants nothing (at least one of CRUDN is needed)");
    EXPECT_EQ(refusal([] { permissionField(body(R"({"permission":0})"), "permission"); }),
              "'permission': 0 grants nothing (at least one of CRUDN is needed)");
    EXPECT_EQ(refusal([] { permissionField(body(R"({"permission":32})"), "permission"); }),
              "'permission': 32 is not a permission (a CRUDN bit mask from 1 to 31)");
    for (const char* json : {R"({"permission":true})", R"({"permission":1.0})", R"({"permission":null})",
                             R"({"permission":["R"]})"}) {
        EXPECT_EQ(refusal([&] { permissionField(body(json), "permission"); }),
                  "'permission' must be letters from CRUDN or a number")
            << json;
    }
    // Too large for a long long: refused as out of range, not by an escaping Poco exception.
    EXPECT_THAT(refusal([] { permissionField(body(R"({"permission":18446744073709551615})"), "permission"); }),
                HasSubstr("is not a permission (a CRUDN bit mask from 1 to 31)"));
    EXPECT_THAT(refusal([] { optionalInteger(body(R"({"time":18446744073709551615})"), "time", 0, 86400); }),
                HasSubstr("'time' must be between 0 and 86400"));
    EXPECT_EQ(refusal([] { optionalInteger(body(R"({"time":true})"), "time", 0, 86400); }),
              "'time' must be a whole number");
}

TEST(RequestJson, ResourcesAreCoresHrefsAndWildcards) {
    const auto resources = resourcesField(body(R"({"resources":["/a/light","*","+","-"]})"), "resources");
    ASSERT_EQ(resources.size(), 4u);
    EXPECT_EQ(resources[0].href, "/a/light");
    EXPECT_EQ(resources[1].wc, core::Wildcard::All);
    EXPECT_EQ(resources[2].wc, core::Wildcard::Secured);
    EXPECT_EQ(resources[3].wc, core::Wildcard::Public);
    EXPECT_EQ(refusal([] { resourcesField(body(R"({"resources":["/a","light"]})"), "resources"); }),
              "'resources[1]': \"light\" is not a resource (" + std::string(core::kAceResourceSyntax) + ")");
    // Accepted here before, refused everywhere now: "/" (no resource) and non-ASCII look-alikes.
    EXPECT_THAT(refusal([] { resourcesField(body(R"({"resources":["/"]})"), "resources"); }),
                HasSubstr("'resources[0]': \"/\" is not a resource"));
    EXPECT_THAT(refusal([] { resourcesField(body("{\"resources\":[\"/caf\xc3\xa9\"]}"), "resources"); }),
                HasSubstr("'resources[0]': \"/caf\\xc3\\xa9\" is not a resource"));
    EXPECT_THAT(refusal([] { resourcesField(body(R"({"resources":[7]})"), "resources"); }),
                HasSubstr("'resources[0]' must be a string"));
    EXPECT_THAT(refusal([] { resourcesField(body(R"({"resources":[]})"), "resources"); }), HasSubstr("non-empty array"));
}

}  // namespace
}  // namespace steward::bridge
