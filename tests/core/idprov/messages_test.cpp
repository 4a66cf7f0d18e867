// The IDProv JSON bodies (core/idprov/messages.cpp): every message round-trips, and every missing,
// mistyped or oversize field is refused with an IdprovError that names it.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "steward/idprov/idprov_error.hpp"
#include "steward/idprov/messages.hpp"
#include "steward/idprov/oob_hash.hpp"

namespace steward::idprov {
namespace {

const std::string kCertPem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const std::string kKeyPem = "-----BEGIN PUBLIC KEY-----\nMFkwfake\n-----END PUBLIC KEY-----\n";

Directory sampleDirectory() {
    Directory d;
    d.endpoints = {{"directory", "https://gw.local:43776/idprov/directory"},
                   {"status", "https://gw.local:43776/idprov/status/{deviceID}"},
                   {"postOOB", "https://gw.local:43776/idprov/oobsecret"},
                   {"postProvisionRequest", "https://gw.local:43776/idprov/provreq"}};
    d.oobsHashAlg = {"Argon2id", "PBKDF2"};
    d.caCert = kCertPem;
    return d;
}

ProvisionRequest sampleRequest() {
    return {"sensor-01", "192.168.1.20", "02:42:ac:11:00:02", kKeyPem, "$argon2id$v=19$m=1024,t=1,p=1$abc$def", "Argon2id"};
}

ProvisionResponse sampleApproved() {
    ProvisionResponse r;
    r.deviceId = "sensor-01";
    r.status = ProvisionStatus::Approved;
    r.retrySec = 86400;
    r.caCert = kCertPem;
    r.clientCert = kCertPem;
    r.oobsHash = "$pbkdf2-sha256$i=10000$abc$def";
    return r;
}

// Expects `parse(body)` to throw an IdprovError whose message contains every one of `words`.
template <typename Parse>
void expectRefused(Parse parse, const std::string& body, std::initializer_list<std::string> words) {
    try {
        (void)parse(body);
        ADD_FAILURE() << "accepted: " << body;
    } catch (const IdprovError& e) {
        for (const auto& w : words) EXPECT_NE(std::string(e.what()).find(w), std::string::npos) << e.what() << " lacks " << w;
    }
}

TEST(IdprovMessagesTest, StatusNames) {
    EXPECT_EQ(statusName(ProvisionStatus::Approved), "Approved");
    EXPECT_EQ(statusName(ProvisionStatus::Waiting), "Waiting");
    EXPECT_EQ(statusName(ProvisionStatus::Rejected), "Rejected");
}

TEST(IdprovMessagesTest, DeviceIdRules) {
    EXPECT_EQ(deviceIdProblem("sensor-01"), "");
    EXPECT_EQ(deviceIdProblem("a"), "");
    EXPECT_EQ(deviceIdProblem("urn:dev:ops:32473-Thermostat_1.0"), "");
    EXPECT_EQ(deviceIdProblem(std::string(kMaxDeviceIdChars, 'x')), "");
    EXPECT_NE(deviceIdProblem(""), "");
    EXPECT_NE(deviceIdProblem(std::string(kMaxDeviceIdChars + 1, 'x')), "");
    EXPECT_NE(deviceIdProblem("../x"), "");
    EXPECT_NE(deviceIdProblem("a/b"), "");
    EXPECT_NE(deviceIdProblem("a b"), "");
    EXPECT_NE(deviceIdProblem(" a"), "");
    EXPECT_NE(deviceIdProblem("a\n"), "");
    EXPECT_NE(deviceIdProblem(std::string("a\0b", 3)), "");
    EXPECT_NE(deviceIdProblem("caf\xc3\xa9"), "");
    EXPECT_NE(deviceIdProblem("a%2f"), "");
    // OCF device identities ("uuid:<uuid>" CNs) are not IDProv deviceIDs, in any case (issue 13.2).
    EXPECT_NE(deviceIdProblem("uuid:2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f"), "");
    EXPECT_NE(deviceIdProblem("UUID:2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f"), "");
    EXPECT_NE(deviceIdProblem("uUiD:x"), "");
    EXPECT_EQ(deviceIdProblem("uuid-sensor"), "");
    EXPECT_NE(deviceIdProblem("."), "");
    EXPECT_NE(deviceIdProblem(".."), "");
    EXPECT_EQ(deviceIdProblem("..."), "");  // not a directory name; harmless as a file name
}

TEST(IdprovMessagesTest, DirectoryRoundTrip) {
    const Directory d = sampleDirectory();
    const std::string json = toJson(d);
    EXPECT_NE(json.find("\"oobsHashAlg\""), std::string::npos);
    EXPECT_NE(json.find("\"caCert\""), std::string::npos);
    EXPECT_NE(json.find("\"postProvisionRequest\""), std::string::npos);
    EXPECT_NE(json.find("\"version\":\"1\""), std::string::npos);
    EXPECT_EQ(parseDirectory(json), d);
    EXPECT_EQ(json.find("oobsHashParams"), std::string::npos) << "omitted when empty";

    Directory withCost = sampleDirectory();
    withCost.oobsHashParams = {{"Argon2id", "m=19456,t=2,p=1"}, {"PBKDF2", "i=600000"}};
    EXPECT_EQ(parseDirectory(toJson(withCost)), withCost);
}

TEST(IdprovMessagesTest, OobSecretPostRoundTrip) {
    for (const std::string until : {"", "2026-12-01", "2026-12-01T00:00:00Z"}) {
        const OobSecretPost p{"sensor-01", "s3cr\"et\\with\nodd chars \xc3\xa9", until};
        const std::string json = toJson(p);
        EXPECT_EQ(json.find("validUntil") == std::string::npos, until.empty());
        EXPECT_EQ(parseOobSecretPost(json), p);
    }
}

TEST(IdprovMessagesTest, ProvisionRequestRoundTrip) {
    const ProvisionRequest r = sampleRequest();
    const std::string json = toJson(r);
    for (const char* field : {"deviceID", "ip", "mac", "publicKeyPEM", "oobsHash", "oobsHashAlg"}) {
        EXPECT_NE(json.find("\"" + std::string(field) + "\""), std::string::npos) << field;
    }
    EXPECT_EQ(parseProvisionRequest(json), r);
    // Renewal: no OOB hash, and ip/mac unknown.
    ProvisionRequest renewal{"sensor-01", "", "", kKeyPem, "", ""};
    const std::string renewalJson = toJson(renewal);
    EXPECT_EQ(renewalJson.find("oobsHash"), std::string::npos);
    EXPECT_EQ(parseProvisionRequest(renewalJson), renewal);
}

TEST(IdprovMessagesTest, ProvisionResponseRoundTrip) {
    EXPECT_EQ(parseProvisionResponse(toJson(sampleApproved())), sampleApproved());
    ProvisionResponse waiting;
    waiting.deviceId = "sensor-01";
    waiting.status = ProvisionStatus::Waiting;
    waiting.retrySec = 30;
    waiting.message = "no OOB secret for this device yet";
    EXPECT_EQ(parseProvisionResponse(toJson(waiting)), waiting);
    ProvisionResponse rejected;
    rejected.status = ProvisionStatus::Rejected;
    rejected.message = "oobsHash does not match";
    const std::string json = toJson(rejected);
    EXPECT_EQ(json.find("deviceID"), std::string::npos);
    EXPECT_EQ(parseProvisionResponse(json), rejected);
    // What the server answers with a 4xx: status and message only.
    const auto minimal = parseProvisionResponse(R"({"status":"Rejected","message":"unknown deviceID"})");
    EXPECT_EQ(minimal.status, ProvisionStatus::Rejected);
    EXPECT_EQ(minimal.message, "unknown deviceID");
    EXPECT_EQ(minimal.deviceId, "");
}

TEST(IdprovMessagesTest, StatusResponseRoundTrip) {
    const StatusResponse approved{"sensor-01", ProvisionStatus::Approved, kCertPem, kCertPem};
    EXPECT_EQ(parseStatusResponse(toJson(approved)), approved);
    const StatusResponse waiting{"sensor-01", ProvisionStatus::Waiting, "", ""};
    EXPECT_EQ(parseStatusResponse(toJson(waiting)), waiting);
}

// Whatever a parser accepts comes back unchanged through toJson (the fuzzer checks this widely;
// these are the cases most likely to differ: escapes, NUL, non-ASCII and invalid UTF-8).
TEST(IdprovMessagesTest, OddStringsEitherRoundTripOrAreRefused) {
    for (const std::string secret :
         {"\\u0000x", "\\u00e9", "\\ud83d\\ude00", "\\/", "\xc3\xa9", "\xff\xfe", "\xc3", "\xed\xa0\x80", "\\ud800"}) {
        const std::string body = R"({"deviceID":"d","oobSecret":")" + secret + "\"}";
        OobSecretPost parsed;
        try {
            parsed = parseOobSecretPost(body);
        } catch (const IdprovError&) {
            continue;
        }
        EXPECT_EQ(parseOobSecretPost(toJson(parsed)), parsed) << secret;
    }
}

TEST(IdprovMessagesTest, UnknownFieldsAreIgnored) {
    const auto d = parseDirectory(R"({"endpoints":{"directory":"https://h/d","status":"https://h/s/{deviceID}",
        "postOOB":"https://h/o","postProvisionRequest":"https://h/p","future":"https://h/f"},
        "oobsHashAlg":["Argon2id","bcrypt"],"caCert":")" +
                                  std::string("-----BEGIN CERTIFICATE-----\\nx\\n") + R"(","version":"1","extra":{"nested":[1,2,3]}})");
    EXPECT_EQ(d.endpoints.size(), 5u);
    EXPECT_EQ(d.oobsHashAlg.size(), 2u);
}

TEST(IdprovMessagesTest, BodyMustBeOneJsonObject) {
    for (const std::string body : {"", "[]", "\"text\"", "42", "null", "true", "{", "{\"a\":1}}", "{} {}", "not json", "{'deviceID':'x'}",
                                   "{\"deviceID\":\"x\",}", "/* c */ {}"}) {
        EXPECT_THROW(parseProvisionRequest(body), IdprovError) << body;
        EXPECT_THROW(parseDirectory(body), IdprovError) << body;
        EXPECT_THROW(parseOobSecretPost(body), IdprovError) << body;
        EXPECT_THROW(parseProvisionResponse(body), IdprovError) << body;
        EXPECT_THROW(parseStatusResponse(body), IdprovError) << body;
    }
    expectRefused(parseProvisionRequest, "[]", {"provreq", "object"});
}

TEST(IdprovMessagesTest, OversizeBodyIsRefusedBeforeParsing) {
    std::string body = toJson(sampleRequest());
    body.insert(1, "\"pad\":\"" + std::string(kMaxBodyBytes, 'x') + "\",");
    expectRefused(parseProvisionRequest, body, {"provreq", "larger"});
    // Exactly at the limit is fine.
    std::string atLimit = toJson(sampleRequest());
    const std::string pad = "\"pad\":\"\",";
    atLimit.insert(1, "\"pad\":\"" + std::string(kMaxBodyBytes - atLimit.size() - pad.size(), 'x') + "\",");
    ASSERT_EQ(atLimit.size(), kMaxBodyBytes);
    EXPECT_EQ(parseProvisionRequest(atLimit), sampleRequest());
}

TEST(IdprovMessagesTest, DeeplyNestedJsonIsRefused) {
    const std::string deep = "{\"x\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
    EXPECT_THROW(parseProvisionRequest(deep), IdprovError);
}

// Removes `field` from a JSON body made by toJson (fields are simple "name":value pairs there).
std::string withField(const std::string& json, const std::string& field, const std::string& value) {
    auto object = json;
    const std::string key = "\"" + field + "\":";
    const auto at = object.find(key);
    if (at == std::string::npos) {
        object.insert(1, key + value + ",");
        return object;
    }
    // Find the end of the value: a string or a simple scalar/array/object without nested quotes issues.
    std::size_t end = at + key.size();
    if (object[end] == '"') {
        ++end;
        while (object[end] != '"') end += object[end] == '\\' ? 2u : 1u;
        ++end;
    } else {
        int depth = 0;
        for (; end < object.size(); ++end) {
            const char c = object[end];
            if (c == '{' || c == '[') ++depth;
            if (c == '}' || c == ']') {
                if (depth == 0) break;
                --depth;
            }
            if (c == ',' && depth == 0) break;
        }
    }
    object.replace(at + key.size(), end - at - key.size(), value);
    return object;
}

std::string withoutField(const std::string& json, const std::string& field) {
    // Replace the field's value with a marker, then cut `"field":marker` and one comma.
    const std::string marked = withField(json, field, "@@");
    const std::string token = "\"" + field + "\":@@";
    std::string out = marked;
    const auto at = out.find(token);
    std::size_t from = at;
    std::size_t len = token.size();
    if (out[at + len] == ',') {
        ++len;
    } else if (out[at - 1] == ',') {
        --from;
        ++len;
    }
    out.erase(from, len);
    return out;
}

TEST(IdprovMessagesTest, TestHelpersEditFields) {
    const std::string json = R"({"a":"x","b":1,"c":[1,2]})";
    EXPECT_EQ(withoutField(json, "a"), R"({"b":1,"c":[1,2]})");
    EXPECT_EQ(withoutField(json, "c"), R"({"a":"x","b":1})");
    EXPECT_EQ(withField(json, "b", "true"), R"({"a":"x","b":true,"c":[1,2]})");
    EXPECT_EQ(withField(json, "d", "2"), R"({"d":2,"a":"x","b":1,"c":[1,2]})");
}

struct FieldCase {
    const char* field;
    std::vector<std::string> badValues;
};

TEST(IdprovMessagesTest, ProvisionRequestFields) {
    const std::string good = toJson(sampleRequest());
    for (const char* field : {"deviceID", "publicKeyPEM"}) {
        expectRefused(parseProvisionRequest, withoutField(good, field), {"provreq", std::string("'") + field + "'"});
    }
    // ip and mac are only compared and logged: a device that does not know them may leave them out.
    EXPECT_EQ(parseProvisionRequest(withoutField(withoutField(good, "ip"), "mac")).ip, "");
    const std::vector<FieldCase> cases = {
        {"deviceID", {"1", "[]", "{}", "true", "\"\"", "\"../x\"", "\"a b\"", "\"" + std::string(129, 'a') + "\""}},
        {"ip", {"1", "[]", "{}", "false", "\"1.2.3.4 \"", "\"" + std::string(65, '1') + "\""}},
        {"mac", {"1", "[]", "\"aa bb\"", "\"" + std::string(65, 'a') + "\""}},
        {"publicKeyPEM",
         {"1", "[]", "\"\"", "\"not pem\"", "\"-----BEGIN CERTIFICATE-----\"",
          "\"-----BEGIN PUBLIC KEY-----" + std::string(kMaxPemChars, 'A') + "\""}},
        {"oobsHash", {"1", "[]", "{}", "\"has space\"", "\"" + std::string(kMaxOobHashChars + 1, 'a') + "\""}},
        {"oobsHashAlg", {"1", "[\"Argon2id\"]", "\"" + std::string(33, 'a') + "\""}},
    };
    for (const auto& c : cases) {
        for (const auto& value : c.badValues) {
            expectRefused(parseProvisionRequest, withField(good, c.field, value), {"provreq", std::string("'") + c.field + "'"});
        }
    }
    // oobsHash and oobsHashAlg come together.
    expectRefused(parseProvisionRequest, withoutField(good, "oobsHashAlg"), {"'oobsHashAlg'"});
    expectRefused(parseProvisionRequest, withoutField(good, "oobsHash"), {"'oobsHash'"});
    // A null is the same as a missing field.
    expectRefused(parseProvisionRequest, withField(good, "deviceID", "null"), {"'deviceID'"});
}

TEST(IdprovMessagesTest, BadDeviceIdsAreRefusedInEveryMessage) {
    for (const std::string& id : std::vector<std::string>{"../x", "", std::string(129, 'a'), "a b", "x/y", "\\u0000"}) {
        const std::string quoted = "\"" + id + "\"";
        expectRefused(parseProvisionRequest, withField(toJson(sampleRequest()), "deviceID", quoted), {"'deviceID'"});
        expectRefused(parseOobSecretPost, withField(toJson(OobSecretPost{"d", "s", ""}), "deviceID", quoted), {"'deviceID'"});
        expectRefused(parseProvisionResponse, withField(toJson(sampleApproved()), "deviceID", quoted), {"'deviceID'"});
        expectRefused(parseStatusResponse, withField(toJson(StatusResponse{"d", ProvisionStatus::Waiting, "", ""}), "deviceID", quoted),
                      {"'deviceID'"});
    }
}

TEST(IdprovMessagesTest, OobSecretPostFields) {
    const std::string good = toJson(OobSecretPost{"sensor-01", "secret", "2026-12-01"});
    expectRefused(parseOobSecretPost, withoutField(good, "deviceID"), {"oobsecret", "'deviceID'"});
    expectRefused(parseOobSecretPost, withoutField(good, "oobSecret"), {"oobsecret", "'oobSecret'"});
    expectRefused(parseOobSecretPost, withField(good, "oobSecret", "\"\""), {"'oobSecret'"});
    expectRefused(parseOobSecretPost, withField(good, "oobSecret", "12345"), {"'oobSecret'"});
    expectRefused(parseOobSecretPost, withField(good, "oobSecret", "\"" + std::string(kMaxOobSecretBytes + 1, 's') + "\""),
                  {"'oobSecret'"});
    EXPECT_NO_THROW(parseOobSecretPost(withField(good, "oobSecret", "\"" + std::string(kMaxOobSecretBytes, 's') + "\"")));
    for (const std::string bad : {"1", "\"tomorrow\"", "\"2026-13-01\"", "\"2026-12-32\"", "\"2026-12-01T25:00:00Z\"",
                                  "\"2026-12-01T00:00:00\"", "\"2026-12-01T00:00:00+01:00\"", "\"26-12-01\""}) {
        expectRefused(parseOobSecretPost, withField(good, "validUntil", bad), {"'validUntil'"});
    }
    EXPECT_EQ(parseOobSecretPost(withoutField(good, "validUntil")).validUntil, "");
}

TEST(IdprovMessagesTest, OobSecretErrorsDoNotQuoteTheSecret) {
    const std::string body = R"({"deviceID":"d","oobSecret":"hunter2-very-secret",)";  // truncated JSON
    try {
        (void)parseOobSecretPost(body);
        FAIL();
    } catch (const IdprovError& e) {
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    }
}

TEST(IdprovMessagesTest, DirectoryFields) {
    const std::string good = toJson(sampleDirectory());
    for (const char* field : {"endpoints", "oobsHashAlg", "caCert", "version"}) {
        expectRefused(parseDirectory, withoutField(good, field), {"directory", std::string("'") + field + "'"});
    }
    expectRefused(parseDirectory, withField(good, "version", "\"2\""), {"'version'"});
    expectRefused(parseDirectory, withField(good, "version", "1"), {"'version'"});
    expectRefused(parseDirectory, withField(good, "endpoints", "[]"), {"'endpoints'"});
    expectRefused(parseDirectory, withField(good, "endpoints", "\"https://x\""), {"'endpoints'"});
    expectRefused(parseDirectory, withField(good, "oobsHashAlg", "\"Argon2id\""), {"'oobsHashAlg'"});
    expectRefused(parseDirectory, withField(good, "oobsHashAlg", "[1]"), {"'oobsHashAlg[0]'"});
    expectRefused(parseDirectory, withField(good, "oobsHashAlg", "[\"Argon2id\",\"\"]"), {"'oobsHashAlg[1]'"});
    expectRefused(parseDirectory, withField(good, "caCert", "\"not pem\""), {"'caCert'"});
    expectRefused(parseDirectory, withField(good, "caCert", "\"\""), {"'caCert'"});
    expectRefused(parseDirectory, withField(good, "caCert", "7"), {"'caCert'"});

    Directory d = sampleDirectory();
    d.endpoints.erase("postProvisionRequest");
    expectRefused(parseDirectory, toJson(d), {"'endpoints.postProvisionRequest'"});
    d = sampleDirectory();
    d.endpoints["status"] = "https://gw.local/idprov/status/";
    expectRefused(parseDirectory, toJson(d), {"'endpoints.status'", "{deviceID}"});
    d = sampleDirectory();
    d.endpoints["postOOB"] = "http://gw.local/idprov/oobsecret";
    expectRefused(parseDirectory, toJson(d), {"'endpoints.postOOB'", "https"});
    d = sampleDirectory();
    d.endpoints["postOOB"] = "https://gw.local/a b";
    expectRefused(parseDirectory, toJson(d), {"'endpoints.postOOB'"});
    d = sampleDirectory();
    d.endpoints["postOOB"] = "https://gw.local/" + std::string(3000, 'a');
    expectRefused(parseDirectory, toJson(d), {"'endpoints.postOOB'"});
    expectRefused(parseDirectory, withField(good, "endpoints", R"({"directory":1})"), {"'endpoints.directory'"});
    // An empty list of algorithms is legal (a server that accepts none); the client then refuses.
    EXPECT_TRUE(parseDirectory(withField(good, "oobsHashAlg", "[]")).oobsHashAlg.empty());
}

TEST(IdprovMessagesTest, DirectoryHashParamsAreBounded) {
    const std::string good = toJson(sampleDirectory());
    expectRefused(parseDirectory, withField(good, "oobsHashAlg", R"(["Argon2id"],"oobsHashParams":[])"), {"'oobsHashParams'"});
    expectRefused(parseDirectory, withField(good, "oobsHashAlg", R"(["Argon2id"],"oobsHashParams":{"Argon2id":7})"),
                  {"'oobsHashParams.Argon2id'"});
    expectRefused(parseDirectory, withField(good, "oobsHashAlg", R"(["Argon2id"],"oobsHashParams":{"Argon2id":"m=1 t=2"})"),
                  {"'oobsHashParams.Argon2id'"});
    expectRefused(parseDirectory,
                  withField(good, "oobsHashAlg", R"(["Argon2id"],"oobsHashParams":{"Argon2id":")" + std::string(65, 'x') + R"("})"),
                  {"'oobsHashParams.Argon2id'"});
}

TEST(IdprovMessagesTest, ProvisionResponseFields) {
    const std::string good = toJson(sampleApproved());
    expectRefused(parseProvisionResponse, withoutField(good, "status"), {"'status'"});
    expectRefused(parseProvisionResponse, withoutField(good, "deviceID"), {"'deviceID'"});
    expectRefused(parseProvisionResponse, withoutField(good, "caCert"), {"'caCert'"});
    expectRefused(parseProvisionResponse, withoutField(good, "clientCert"), {"'clientCert'"});
    for (const std::string bad : {"\"approved\"", "\"OK\"", "1", "true", "[]"}) {
        expectRefused(parseProvisionResponse, withField(good, "status", bad), {"'status'"});
    }
    for (const std::string bad : {"-1", "1.5", "\"30\"", "true", "99999999999", "18446744073709551615", "1e3"}) {
        expectRefused(parseProvisionResponse, withField(good, "retrySec", bad), {"'retrySec'"});
    }
    EXPECT_EQ(parseProvisionResponse(withoutField(good, "retrySec")).retrySec, 0);
    expectRefused(parseProvisionResponse, withField(good, "clientCert", "\"garbage\""), {"'clientCert'"});
    expectRefused(parseProvisionResponse, withField(good, "oobsHash", "5"), {"'oobsHash'"});
    expectRefused(parseProvisionResponse, withField(good, "message", "5"), {"'message'"});
    expectRefused(parseProvisionResponse, withField(good, "message", "\"" + std::string(2000, 'm') + "\""), {"'message'"});
    // Waiting needs no certificates.
    EXPECT_NO_THROW(parseProvisionResponse(R"({"deviceID":"d","status":"Waiting","retrySec":10})"));
    expectRefused(parseProvisionResponse, R"({"status":"Waiting","retrySec":10})", {"'deviceID'"});
}

TEST(IdprovMessagesTest, StatusResponseFields) {
    const std::string good = toJson(StatusResponse{"sensor-01", ProvisionStatus::Approved, kCertPem, kCertPem});
    for (const char* field : {"deviceID", "status", "caCert"}) {
        expectRefused(parseStatusResponse, withoutField(good, field), {"status response", std::string("'") + field + "'"});
    }
    // The certificate itself is only for the device; anyone else learns the status without it.
    EXPECT_EQ(parseStatusResponse(withoutField(good, "clientCert")).clientCert, "");
    expectRefused(parseStatusResponse, withField(good, "status", "\"Unknown\""), {"'status'"});
    expectRefused(parseStatusResponse, withField(good, "caCert", "[]"), {"'caCert'"});
}

}  // namespace
}  // namespace steward::idprov
