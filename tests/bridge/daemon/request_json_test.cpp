// The MQTT API's ACE fields: read by core's ACE text parser, so the odd inputs the CLI and the
// policies refuse are refused here too, with the field's name in front of core's explanation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "request_json.hpp"
#include "steward/model/ace_text.hpp"
#include "steward/model/pconf.hpp"

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

// A body that does not parse still gets its error back to the requester: its transaction is read
// where it can be, never guessed.
TEST(RequestJson, TheTransactionOfAnUnparsableBodyIsSalvaged) {
    EXPECT_THROW(parseRequestBody(R"({"transaction": "cli-7", "pin": 1234)"), RequestError);
    const auto text = salvageTransaction(R"({"transaction": "cli-7", "pin": 1234)");
    ASSERT_TRUE(text);
    EXPECT_EQ(text->convert<std::string>(), "cli-7");
    const auto number = salvageTransaction(R"({"device": "x", "transaction" :42 ,)");
    ASSERT_TRUE(number);
    EXPECT_EQ(number->convert<int>(), 42);
    EXPECT_EQ(salvageTransaction(R"({"transaction": "a \"quoted\" one", )")->convert<std::string>(), "a \"quoted\" one");
    EXPECT_FALSE(salvageTransaction(R"({"pin": "1234"})"));
    EXPECT_FALSE(salvageTransaction(R"({"transaction": "never closed)"));
    EXPECT_FALSE(salvageTransaction(R"({"transaction": {"nested": 1}})"));
    EXPECT_FALSE(salvageTransaction(R"({"transaction")"));
}

TEST(RequestJson, SubjectsAreCoresAceSubjects) {
    EXPECT_EQ(subjectField(withText("subject", std::string("uuid:") + kDevice), "subject"), core::AceSubject(*core::Uuid::parse(kDevice)));
    EXPECT_EQ(subjectField(withText("subject", "role:admin@example.com"), "subject"),
              core::AceSubject(core::RoleSubject{"admin", "example.com"}));
    EXPECT_EQ(subjectField(withText("subject", "conntype:anon-clear"), "subject"), core::AceSubject(core::ConnType::AnonClear));
    // Accepted here before, refused everywhere now: a bare UUID, an empty role or authority, an
    // upper-case prefix, the nil UUID.
    EXPECT_EQ(refusal([] { subjectField(withText("subject", kDevice), "subject"); }),
              "'subject': \"" + std::string(kDevice) + "\" is not a subject: a device is named uuid:" + kDevice);
    EXPECT_EQ(refusal([] { subjectField(withText("subject", "role:@x"), "subject"); }),
              "'subject': \"role:@x\" names no role (role:<ROLE>[@<AUTHORITY>])");
    EXPECT_EQ(refusal([] { subjectField(withText("subject", "role:x@"), "subject"); }),
              "'subject': \"role:x@\" has '@' but no authority after it (role:<ROLE>[@<AUTHORITY>])");
    EXPECT_EQ(refusal([] { subjectField(withText("subject", std::string("UUID:") + kDevice), "subject"); }),
              "'subject': \"UUID:" + std::string(kDevice) + "\" is not a subject (" + std::string(core::kAceSubjectSyntax) + ")");
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
        EXPECT_EQ(refusal([&] { permissionField(withText("permission", bad), "permission"); }), "'permission': \"" + bad + "\"" + accepted)
            << bad;
    }
    EXPECT_EQ(refusal([] { permissionField(withText("permission", "-----"), "permission"); }),
              "'permission': \"-----\" grants nothing (at least one of CRUDN is needed)");
    EXPECT_EQ(refusal([] { permissionField(body(R"({"permission":0})"), "permission"); }),
              "'permission': 0 grants nothing (at least one of CRUDN is needed)");
    EXPECT_EQ(refusal([] { permissionField(body(R"({"permission":32})"), "permission"); }),
              "'permission': 32 is not a permission (a CRUDN bit mask from 1 to 31)");
    for (const char* json : {R"({"permission":true})", R"({"permission":1.0})", R"({"permission":null})", R"({"permission":["R"]})"}) {
        EXPECT_EQ(refusal([&] { permissionField(body(json), "permission"); }), "'permission' must be letters from CRUDN or a number")
            << json;
    }
    // Too large for a long long: refused as out of range, not by an escaping Poco exception.
    EXPECT_THAT(refusal([] { permissionField(body(R"({"permission":18446744073709551615})"), "permission"); }),
                HasSubstr("is not a permission (a CRUDN bit mask from 1 to 31)"));
    EXPECT_THAT(refusal([] { optionalInteger(body(R"({"time":18446744073709551615})"), "time", 0, 86400); }),
                HasSubstr("'time' must be between 0 and 86400"));
    EXPECT_EQ(refusal([] { optionalInteger(body(R"({"time":true})"), "time", 0, 86400); }), "'time' must be a whole number");
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
    EXPECT_THAT(refusal([] { resourcesField(body(R"({"resources":[7]})"), "resources"); }), HasSubstr("'resources[0]' must be a string"));
    EXPECT_THAT(refusal([] { resourcesField(body(R"({"resources":[]})"), "resources"); }), HasSubstr("non-empty array"));
}

// direct_pairing: every field, and every refusal with the field's name; a PIN is never repeated.
TEST(RequestJson, DirectPairingReadsEveryField) {
    const auto r = directPairingRequest(
        body(std::string(R"({"device":")") + kDevice +
             R"(","methods":["random","preconfigured","random"],"pin":"01234567","resources":["/a/light","+"],"permission":"RUN"})"));
    EXPECT_EQ(r.device, *core::Uuid::parse(kDevice));
    EXPECT_TRUE(r.enabled);
    EXPECT_EQ(r.methods, (std::vector{core::pairing_method::kRandomPin, core::pairing_method::kPreconfiguredPin}));
    ASSERT_TRUE(r.pin);
    EXPECT_EQ(r.pin->text(), "01234567");
    ASSERT_EQ(r.resources.size(), 2u);
    EXPECT_EQ(r.resources[0].href, "/a/light");
    EXPECT_EQ(r.permission, core::permission::kRead | core::permission::kUpdate | core::permission::kNotify);

    // No PIN, no permission: the router makes the PIN, the permission is RU (as the CLI's).
    const auto d = directPairingRequest(
        body(std::string(R"({"device":")") + kDevice + R"(","methods":["random"],"resources":["/a/light"],"enabled":true})"));
    EXPECT_FALSE(d.pin);
    EXPECT_EQ(d.permission, core::permission::kRead | core::permission::kUpdate);
    EXPECT_EQ(
        directPairingRequest(body(std::string(R"({"device":")") + kDevice + R"(","methods":["random"],"resources":["/a"],"permission":2})"))
            .permission,
        core::permission::kRead);

    const auto off = directPairingRequest(body(std::string(R"({"device":")") + kDevice + R"(","enabled":false,"transaction":7})"));
    EXPECT_FALSE(off.enabled);
    EXPECT_TRUE(off.methods.empty());
}

TEST(RequestJson, DirectPairingRefusals) {
    const auto refused = [](const std::string& fields) {
        return refusal([&] { directPairingRequest(body(std::string(R"({"device":")") + kDevice + "\"" + fields + "}")); });
    };
    EXPECT_EQ(refusal([] { directPairingRequest(body(R"({"methods":["random"],"resources":["/a"]})")); }), "missing field 'device'");
    EXPECT_THAT(refusal([] { directPairingRequest(body(R"({"device":"lamp","methods":["random"],"resources":["/a"]})")); }),
                HasSubstr("not a device UUID"));
    EXPECT_EQ(refused(R"(,"resources":["/a"])"), "missing field 'methods'");
    EXPECT_EQ(refused(R"(,"methods":[],"resources":["/a"])"), "'methods' must be a non-empty array of \"preconfigured\" and/or \"random\"");
    EXPECT_EQ(refused(R"(,"methods":"random","resources":["/a"])"),
              "'methods' must be a non-empty array of \"preconfigured\" and/or \"random\"");
    EXPECT_EQ(refused(R"(,"methods":["random","justworks"],"resources":["/a"])"), "'methods[1]' must be \"preconfigured\" or \"random\"");
    EXPECT_EQ(refused(R"(,"methods":[1],"resources":["/a"])"), "'methods[0]' must be \"preconfigured\" or \"random\"");
    EXPECT_EQ(refused(R"(,"methods":["random"])"), "missing field 'resources'");
    EXPECT_EQ(refused(R"(,"methods":["random"],"resources":[])"), "'resources' must be a non-empty array of hrefs or wildcards");
    EXPECT_EQ(refused(R"(,"methods":["random"],"resources":["/a/light","/oic/sec/cred"])"),
              "'resources[1]': \"/oic/sec/cred\" is a security resource: a paired client is never granted /oic/sec/*");
    EXPECT_EQ(refused(R"(,"methods":["random"],"resources":["/oic/sec"])"),
              "'resources[0]': \"/oic/sec\" is a security resource: a paired client is never granted /oic/sec/*");
    EXPECT_THAT(refused(R"(,"methods":["random"],"resources":["/a"],"permission":"RX")"), HasSubstr("not a permission"));
    EXPECT_THAT(refused(R"(,"methods":["random"],"resources":["/a"],"permission":0)"), HasSubstr("grants nothing"));
    EXPECT_EQ(refused(R"(,"enabled":"no","methods":["random"],"resources":["/a"])"), "'enabled' must be true or false");
    EXPECT_EQ(refused(R"(,"enabled":false,"methods":["random"])"), "'enabled': false takes no 'methods' (disabling offers nothing)");
    EXPECT_EQ(refused(R"(,"enabled":false,"pin":"12345678")"), "'enabled': false takes no 'pin' (disabling offers nothing)");
    EXPECT_EQ(refused(R"(,"methods":["random"],"pin":"12345678","resources":["/a"])"),
              "'pin' is the pre-configured PIN: it needs \"preconfigured\" in 'methods'");
    for (const std::string pin : {R"("7654321")", R"("765432109")", R"("7654321a")", R"(76543210)", R"(["76543210"])", R"(" 7654321")"}) {
        const auto error = refused(R"(,"methods":["preconfigured"],"pin":)" + pin + R"(,"resources":["/a"])");
        EXPECT_EQ(error, "'pin' must be a string of exactly 8 digits") << pin;
        EXPECT_EQ(error.find("7654"), std::string::npos);
    }
}

}  // namespace
}  // namespace steward::bridge
