// The IDProv plugin's HTTPS server, started for real on loopback and driven by foreign clients
// (curl, openssl s_client) and by Steward's own IdprovClient: the directory, TLS verification
// against the gateway CA, the OOB path (Waiting, Approved, replay, wrong hash, expiry, unknown
// algorithm), renewal over mutual TLS (own, another device's, expired and foreign certificates),
// the admin-only oobsecret endpoint, status, malformed and oversize bodies, and rate limiting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <thread>

#include "idprov_server_fixture.hpp"
#include "steward/crypto/certificate_authority.hpp"
#include "steward/idprov/idprov_client.hpp"
#include "steward/idprov/messages.hpp"
#include "steward/idprov/oob_hash.hpp"
#include "steward/util/iso_time.hpp"
#include "support/process_runner.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

namespace proto = steward::idprov;
using ::testing::HasSubstr;

struct HttpAnswer {
    int status = 0;
    std::string body;
    std::string err;
};

// curl as a foreign client. `extra` holds TLS options (-k, --cacert, --cert/--key).
HttpAnswer curl(const std::vector<std::string>& extra, const std::string& url, const std::optional<std::string>& postBody = std::nullopt) {
    std::vector<std::string> args{"-sS", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}"};
    args.insert(args.end(), extra.begin(), extra.end());
    if (postBody) {
        args.insert(args.end(), {"-H", "Content-Type: application/json", "--data-binary", "@-"});
    }
    args.push_back(url);
    const auto r = runProcess(findOnPath("curl"), args, postBody.value_or(""), std::chrono::seconds(30));
    HttpAnswer a;
    a.err = r.err;
    const auto nl = r.out.rfind('\n');
    if (nl == std::string::npos) return a;
    a.body = r.out.substr(0, nl);
    a.status = std::atoi(r.out.substr(nl + 1).c_str());
    return a;
}

Poco::JSON::Object::Ptr json(const std::string& body) { return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>(); }

std::string provreqBody(const std::string& deviceId, const std::string& secret, proto::OobHashAlgorithm alg,
                        const std::string& algName = "") {
    proto::ProvisionRequest r;
    r.deviceId = deviceId;
    r.publicKeyPem = core::PrivateKey::generateEcKey().publicKey().pem();
    r.oobsHash = proto::hashOobSecret(secret, alg, proto::OobHashCost{8192, 1, 1, 10000});
    r.oobsHashAlg = algName.empty() ? std::string(proto::algorithmName(alg)) : algName;
    return proto::toJson(r);
}

class IdprovServerTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (findOnPath("curl") == "curl") GTEST_SKIP() << "curl is not installed";
    }
    IdprovServer server{IdprovServer::cheapHashSettings()};
    TempDir deviceDir;

    proto::IdprovClient client(const std::string& deviceId, const std::string& secret,
                               proto::OobHashAlgorithm alg = proto::OobHashAlgorithm::Argon2id) {
        proto::IdprovClientOptions o;
        o.directoryUrl = server.baseUrl() + "directory";
        o.deviceId = deviceId;
        o.oobSecret = secret;
        o.hashAlgorithm = alg;
        o.hashCost = proto::OobHashCost{8192, 1, 1, 10000};  // the protocol's minimums keep tests quick
        o.storeDirectory = deviceDir.path() / deviceId;
        return proto::IdprovClient(o);
    }
    std::vector<std::string> asAdmin() {
        server.writeClientCertificate("admin", "alice", "admin");
        return {"--cacert", server.caFile().string(),
                "--cert",   (server.dir() / "admin.crt").string(),
                "--key",    (server.dir() / "admin.key").string()};
    }
    std::size_t issuedEvents() const {
        std::size_t n = 0;
        for (const auto& e : server.events()) n += e.kind == core::EnrollmentEvent::Kind::CertificateIssued;
        return n;
    }
};

TEST_F(IdprovServerTest, DirectoryListsTheEndpointsAlgorithmsAndCa) {
    const auto a = curl({"-k"}, server.baseUrl() + "directory");
    ASSERT_EQ(a.status, 200) << a.err;
    const auto d = proto::parseDirectory(a.body);
    EXPECT_EQ(d.version, "1");
    EXPECT_EQ(d.caCert, server.ca().chainPem());
    EXPECT_THAT(d.oobsHashAlg, ::testing::ElementsAre("Argon2id", "PBKDF2"));
    ASSERT_EQ(d.endpoints.size(), 4u);
    EXPECT_EQ(d.endpoints.at("postProvisionRequest"), server.baseUrl() + "provreq");
    EXPECT_EQ(d.endpoints.at("postOOB"), server.baseUrl() + "oobsecret");
    EXPECT_EQ(d.endpoints.at("status"), server.baseUrl() + "status/{deviceID}");
    // The URLs follow the Host the client used; a Host that is no host name is not echoed.
    const auto named = proto::parseDirectory(curl({"-k", "-H", "Host: gateway.local:43776"}, server.baseUrl() + "directory").body);
    EXPECT_EQ(named.endpoints.at("postProvisionRequest"), "https://gateway.local:43776/idprov/provreq");
    const auto odd = proto::parseDirectory(curl({"-k", "-H", "Host: evil.example/phish?"}, server.baseUrl() + "directory").body);
    EXPECT_EQ(odd.endpoints.at("postProvisionRequest"), server.baseUrl() + "provreq");
}

TEST_F(IdprovServerTest, ServerCertificateVerifiesAgainstTheGatewayCaOnly) {
    // curl checks the chain and the name (subjectAltName IP 127.0.0.1).
    const auto ok = curl({"--cacert", server.caFile().string()}, server.baseUrl() + "directory");
    EXPECT_EQ(ok.status, 200) << ok.err;
    TempDir other;
    auto foreign = core::CertificateAuthority::openOrCreate(other.path() / "ca", "Someone Else");
    std::ofstream(other.path() / "foreign.crt") << foreign.chainPem();
    const auto refused = curl({"--cacert", (other.path() / "foreign.crt").string()}, server.baseUrl() + "directory");
    EXPECT_EQ(refused.status, 0);
    EXPECT_THAT(refused.err, HasSubstr("certificate"));

    const auto s = runProcess(findOnPath("openssl"),
                              {"s_client", "-connect", "127.0.0.1:" + std::to_string(server.service().port()), "-CAfile",
                               server.caFile().string(), "-verify_return_error", "-brief"},
                              "", std::chrono::seconds(20));
    EXPECT_THAT(s.err + s.out, HasSubstr("Verification: OK"));
}

TEST_F(IdprovServerTest, WithoutASecretTheDeviceIsToldToWait) {
    const auto a = curl({"-k"}, server.baseUrl() + "provreq", provreqBody("sensor-1", "s3cret", proto::OobHashAlgorithm::Argon2id));
    ASSERT_EQ(a.status, 200) << a.err;
    const auto r = proto::parseProvisionResponse(a.body);
    EXPECT_EQ(r.status, proto::ProvisionStatus::Waiting);
    EXPECT_EQ(r.retrySec, 30);
    EXPECT_TRUE(r.clientCert.empty());
    EXPECT_EQ(issuedEvents(), 0u);
}

TEST_F(IdprovServerTest, ClientEnrolsWithItsSecretAndStoresKeyAndCertificatePrivately) {
    ASSERT_TRUE(server.service().addOobSecret("sensor-1", "correct horse", "").ok);
    auto c = client("sensor-1", "correct horse");
    const auto result = c.enroll();
    ASSERT_EQ(result.status, proto::ProvisionStatus::Approved) << result.message << "\n" << server.log();
    const auto stored = c.store().load();
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->caPem, server.ca().chainPem());
    EXPECT_TRUE(server.ca().verifies(stored->certificate));
    EXPECT_THAT(stored->certificate.summary().subject, HasSubstr("CN=sensor-1"));
    EXPECT_THAT(stored->certificate.summary().subject, HasSubstr("OU=iotdevice"));
    EXPECT_TRUE(stored->key.matches(stored->certificate));
    for (const auto& f : {c.store().keyFile(), c.store().certificateFile(), c.store().caFile()}) {
        struct stat st {};
        ASSERT_EQ(::stat(f.c_str(), &st), 0) << f;
        EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
    }
    ASSERT_EQ(issuedEvents(), 1u);
    EXPECT_EQ(server.events().back().deviceId, "sensor-1");
    EXPECT_FALSE(server.events().back().renewal);
    // No secret in the log.
    EXPECT_THAT(server.log(), ::testing::Not(HasSubstr("correct horse")));
}

TEST_F(IdprovServerTest, Pbkdf2WorksAsWell) {
    ASSERT_TRUE(server.service().addOobSecret("sensor-2", "pbkdf2 secret", "").ok);
    auto c = client("sensor-2", "pbkdf2 secret", proto::OobHashAlgorithm::Pbkdf2Sha256);
    EXPECT_EQ(c.enroll().status, proto::ProvisionStatus::Approved) << server.log();
}

TEST_F(IdprovServerTest, TheServersHashIsItsOwnAndVerifies) {
    ASSERT_TRUE(server.service().addOobSecret("sensor-3", "abc123", "").ok);
    const std::string body = provreqBody("sensor-3", "abc123", proto::OobHashAlgorithm::Argon2id);
    const auto a = curl({"-k"}, server.baseUrl() + "provreq", body);
    ASSERT_EQ(a.status, 200) << a.body;
    const auto r = proto::parseProvisionResponse(a.body);
    ASSERT_EQ(r.status, proto::ProvisionStatus::Approved);
    EXPECT_NE(r.oobsHash, proto::parseProvisionRequest(body).oobsHash);
    EXPECT_TRUE(proto::verifyOobHash(r.oobsHash, "abc123", proto::OobHashAlgorithm::Argon2id));
}

TEST_F(IdprovServerTest, AReplayedRequestIsRejectedAndIssuesNothing) {
    ASSERT_TRUE(server.service().addOobSecret("sensor-4", "once", "").ok);
    const std::string body = provreqBody("sensor-4", "once", proto::OobHashAlgorithm::Argon2id);
    const auto first = proto::parseProvisionResponse(curl({"-k"}, server.baseUrl() + "provreq", body).body);
    ASSERT_EQ(first.status, proto::ProvisionStatus::Approved);
    // The very same request (a device whose answer was lost) gets the same certificate again:
    // it is for the device's own key, so nobody else can use it.
    const auto lost = proto::parseProvisionResponse(curl({"-k"}, server.baseUrl() + "provreq", body).body);
    EXPECT_EQ(lost.status, proto::ProvisionStatus::Approved);
    EXPECT_EQ(lost.clientCert, first.clientCert);
    // The captured proof with another key is refused.
    auto stolen = json(body);
    stolen->set("publicKeyPEM", core::PrivateKey::generateEcKey().publicKey().pem());
    std::ostringstream text;
    stolen->stringify(text);
    const auto again = curl({"-k"}, server.baseUrl() + "provreq", text.str());
    EXPECT_EQ(again.status, 403);
    const auto r = proto::parseProvisionResponse(again.body);
    EXPECT_EQ(r.status, proto::ProvisionStatus::Rejected);
    EXPECT_THAT(r.message, HasSubstr("spent"));
    EXPECT_TRUE(r.clientCert.empty());
    EXPECT_EQ(issuedEvents(), 1u);
}

TEST_F(IdprovServerTest, AWrongHashIsRejectedAndTheSecretStays) {
    ASSERT_TRUE(server.service().addOobSecret("sensor-5", "right", "").ok);
    const auto wrong = curl({"-k"}, server.baseUrl() + "provreq", provreqBody("sensor-5", "wrong", proto::OobHashAlgorithm::Argon2id));
    EXPECT_EQ(wrong.status, 403);
    EXPECT_THAT(proto::parseProvisionResponse(wrong.body).message, HasSubstr("does not match"));
    EXPECT_TRUE(server.logged("rejected 'sensor-5'"));
    EXPECT_EQ(issuedEvents(), 0u);
    EXPECT_EQ(client("sensor-5", "right").enroll().status, proto::ProvisionStatus::Approved);
}

TEST_F(IdprovServerTest, AnExpiredSecretIsRejected) {
    const auto soon = core::isoTime(std::chrono::system_clock::now() + std::chrono::seconds(1));
    ASSERT_TRUE(server.service().addOobSecret("sensor-6", "brief", soon).ok);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const auto a = curl({"-k"}, server.baseUrl() + "provreq", provreqBody("sensor-6", "brief", proto::OobHashAlgorithm::Argon2id));
    EXPECT_EQ(a.status, 403);
    EXPECT_THAT(proto::parseProvisionResponse(a.body).message, HasSubstr("expired"));
    EXPECT_EQ(issuedEvents(), 0u);
}

TEST_F(IdprovServerTest, SecretsWithBadFieldsAreRefused) {
    EXPECT_THAT(server.service().addOobSecret("../etc", "x", "").error, HasSubstr("deviceID"));
    EXPECT_THAT(server.service().addOobSecret("ok", "", "").error, HasSubstr("oobSecret"));
    EXPECT_THAT(server.service().addOobSecret("ok", "x", "yesterday").error, HasSubstr("ISO-8601"));
    EXPECT_THAT(server.service().addOobSecret("ok", "x", "2020-01-01").error, HasSubstr("past"));
}

TEST_F(IdprovServerTest, AnUnknownAlgorithmIsRejected) {
    ASSERT_TRUE(server.service().addOobSecret("sensor-7", "s", "").ok);
    auto body = json(provreqBody("sensor-7", "s", proto::OobHashAlgorithm::Argon2id));
    body->set("oobsHashAlg", "bcrypt");
    std::ostringstream text;
    body->stringify(text);
    const auto a = curl({"-k"}, server.baseUrl() + "provreq", text.str());
    EXPECT_EQ(a.status, 400);
    EXPECT_THAT(proto::parseProvisionResponse(a.body).message, HasSubstr("bcrypt"));
    // A hash of one algorithm labelled as the other.
    const auto mislabelled =
        curl({"-k"}, server.baseUrl() + "provreq", provreqBody("sensor-7", "s", proto::OobHashAlgorithm::Argon2id, "PBKDF2"));
    EXPECT_EQ(mislabelled.status, 400);
    EXPECT_EQ(issuedEvents(), 0u);
}

TEST_F(IdprovServerTest, MalformedAndOversizeBodiesGetClearErrors) {
    const auto junk = curl({"-k"}, server.baseUrl() + "provreq", "{\"deviceID\": ");
    EXPECT_EQ(junk.status, 400);
    EXPECT_EQ(json(junk.body)->getValue<std::string>("status"), "Rejected");
    EXPECT_FALSE(json(junk.body)->getValue<std::string>("message").empty());

    const auto missing =
        curl({"-k"}, server.baseUrl() + "provreq", R"({"deviceID":"x","ip":"127.0.0.1","mac":"","oobsHash":"h","oobsHashAlg":"Argon2id"})");
    EXPECT_EQ(missing.status, 400);
    EXPECT_THAT(json(missing.body)->getValue<std::string>("message"), HasSubstr("publicKeyPEM"));

    const auto badKey =
        curl({"-k"}, server.baseUrl() + "provreq",
             R"({"deviceID":"x","ip":"","mac":"","publicKeyPEM":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"})");
    EXPECT_EQ(badKey.status, 400);

    const auto huge = curl({"-k"}, server.baseUrl() + "provreq", std::string(200 * 1024, 'x'));
    EXPECT_EQ(huge.status, 413);
    EXPECT_THAT(json(huge.body)->getValue<std::string>("error"), HasSubstr("larger than"));

    EXPECT_EQ(curl({"-k"}, server.baseUrl() + "nothing-here").status, 404);
    EXPECT_EQ(curl({"-k", "-X", "DELETE"}, server.baseUrl() + "provreq").status, 405);
    EXPECT_EQ(issuedEvents(), 0u);
    // The server still serves.
    EXPECT_EQ(curl({"-k"}, server.baseUrl() + "directory").status, 200);
}

TEST_F(IdprovServerTest, OnlyAnAdminOrPluginMayPostSecrets) {
    const std::string body = R"({"deviceID":"cam-1","oobSecret":"qr-code-text"})";
    const auto anonymous = curl({"--cacert", server.caFile().string()}, server.baseUrl() + "oobsecret", body);
    EXPECT_EQ(anonymous.status, 403);
    EXPECT_THAT(json(anonymous.body)->getValue<std::string>("error"), HasSubstr("admin or plugin"));

    server.writeClientCertificate("dev", "cam-1", "iotdevice");
    const auto device = curl(
        {"--cacert", server.caFile().string(), "--cert", (server.dir() / "dev.crt").string(), "--key", (server.dir() / "dev.key").string()},
        server.baseUrl() + "oobsecret", body);
    EXPECT_EQ(device.status, 403);

    // A certificate saying OU=admin from another CA.
    TempDir other;
    auto foreign = core::CertificateAuthority::openOrCreate(other.path() / "ca", "Mallory CA");
    core::CertificateProfile p;
    p.commonName = "mallory";
    p.organizationalUnit = "admin";
    p.usage = core::CertificateUsage::Client;
    const auto fake = foreign.issueWithNewKey(p);
    std::ofstream(other.path() / "m.crt") << fake.certificate.pem();
    std::ofstream(other.path() / "m.key") << fake.key.pem();
    const auto forged = curl(
        {"--cacert", server.caFile().string(), "--cert", (other.path() / "m.crt").string(), "--key", (other.path() / "m.key").string()},
        server.baseUrl() + "oobsecret", body);
    EXPECT_EQ(forged.status, 403);
    EXPECT_THAT(json(forged.body)->getValue<std::string>("error"), HasSubstr("not accepted"));

    // Nothing was stored: the device still waits.
    EXPECT_EQ(client("cam-1", "qr-code-text").enroll().status, proto::ProvisionStatus::Waiting);

    const auto admin = curl(asAdmin(), server.baseUrl() + "oobsecret", body);
    ASSERT_EQ(admin.status, 200) << admin.body;
    EXPECT_EQ(json(admin.body)->getValue<std::string>("deviceID"), "cam-1");
    EXPECT_EQ(client("cam-1", "qr-code-text").enroll().status, proto::ProvisionStatus::Approved);

    const auto badFields = curl(asAdmin(), server.baseUrl() + "oobsecret", R"({"deviceID":"cam-2","oobSecret":"x","validUntil":"soon"})");
    EXPECT_EQ(badFields.status, 400);
    EXPECT_THAT(json(badFields.body)->getValue<std::string>("error"), HasSubstr("validUntil"));
}

TEST_F(IdprovServerTest, ADeviceRenewsOverMutualTlsWithoutASecret) {
    ASSERT_TRUE(server.service().addOobSecret("sensor-8", "first", "").ok);
    auto c = client("sensor-8", "first");
    ASSERT_EQ(c.enroll().status, proto::ProvisionStatus::Approved);
    const auto before = c.store().load()->certificate.summary().serialNumber;
    const auto renewed = c.renew();
    ASSERT_EQ(renewed.status, proto::ProvisionStatus::Approved) << renewed.message << "\n" << server.log();
    const auto after = c.store().load();
    EXPECT_NE(after->certificate.summary().serialNumber, before);
    EXPECT_TRUE(after->key.matches(after->certificate));
    EXPECT_TRUE(server.events().back().renewal);
    EXPECT_EQ(issuedEvents(), 2u);
}

TEST_F(IdprovServerTest, RenewalWithAnotherDevicesCertificateIsRejected) {
    server.writeClientCertificate("a", "device-a", "iotdevice");
    proto::ProvisionRequest r;
    r.deviceId = "device-b";
    r.publicKeyPem = core::PrivateKey::generateEcKey().publicKey().pem();
    const auto a = curl(
        {"--cacert", server.caFile().string(), "--cert", (server.dir() / "a.crt").string(), "--key", (server.dir() / "a.key").string()},
        server.baseUrl() + "provreq", proto::toJson(r));
    EXPECT_EQ(a.status, 403);
    EXPECT_THAT(proto::parseProvisionResponse(a.body).message, HasSubstr("device-a"));
    EXPECT_EQ(issuedEvents(), 0u);
}

TEST_F(IdprovServerTest, RenewalWithAnExpiredCertificateIsRejected) {
    server.writeClientCertificate("old", "sensor-9", "iotdevice", std::chrono::hours(24), -std::chrono::hours(48));
    proto::ProvisionRequest r;
    r.deviceId = "sensor-9";
    r.publicKeyPem = core::PrivateKey::generateEcKey().publicKey().pem();
    const auto a = curl(
        {"--cacert", server.caFile().string(), "--cert", (server.dir() / "old.crt").string(), "--key", (server.dir() / "old.key").string()},
        server.baseUrl() + "provreq", proto::toJson(r));
    EXPECT_EQ(a.status, 403);
    EXPECT_THAT(proto::parseProvisionResponse(a.body).message, HasSubstr("expired"));
    EXPECT_EQ(issuedEvents(), 0u);
}

TEST_F(IdprovServerTest, StatusGivesTheCertificateOnlyToItsDevice) {
    ASSERT_TRUE(server.service().addOobSecret("sensor-10", "s", "").ok);
    auto c = client("sensor-10", "s");
    ASSERT_EQ(c.enroll().status, proto::ProvisionStatus::Approved);
    const auto anonymous =
        proto::parseStatusResponse(curl({"--cacert", server.caFile().string()}, server.baseUrl() + "status/sensor-10").body);
    EXPECT_EQ(anonymous.status, proto::ProvisionStatus::Approved);
    EXPECT_TRUE(anonymous.clientCert.empty());
    const auto own = c.status();
    EXPECT_EQ(own.status, proto::ProvisionStatus::Approved);
    EXPECT_EQ(own.clientCert, c.store().load()->certificate.pem());
    EXPECT_EQ(proto::parseStatusResponse(curl({"-k"}, server.baseUrl() + "status/unknown-1").body).status, proto::ProvisionStatus::Waiting);
    EXPECT_EQ(curl({"-k"}, server.baseUrl() + "status/..%2Fx").status, 400);
}

TEST(IdprovServerLimits, ClientsOverTheirBudgetAreRefused) {
    if (findOnPath("curl") == "curl") GTEST_SKIP() << "curl is not installed";
    auto settings = IdprovServer::defaultSettings();
    settings.requestsPerMinute = 5;
    IdprovServer server(settings);
    int refused = 0;
    for (int i = 0; i < 8; ++i) refused += curl({"-k"}, server.baseUrl() + "directory").status == 429;
    EXPECT_EQ(refused, 3);
    EXPECT_TRUE(server.logged("request budget"));
}

}  // namespace
}  // namespace steward::test
