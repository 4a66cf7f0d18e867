// steward-device --idprov and steward-enroll as real processes against the real IDProv server
// (the plugin, in this process, on loopback, found by URL): waiting for the secret, enrolment,
// renewal of a certificate past half its life at start-up, and steward-enroll's answers and exit
// codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "idprov_server_fixture.hpp"
#include "steward/idprov/device_credentials.hpp"
#include "support/background_process.hpp"
#include "support/process_runner.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

bool has(const std::string& s, const std::string& f) { return s.find(f) != std::string::npos; }

core::EnrollmentSettings quickRetry() {
    auto s = IdprovServer::defaultSettings();
    s.waitingRetry = 1s;  // a waiting device asks again after a second
    return s;
}

class DeviceIdprovTest : public ::testing::Test {
protected:
    IdprovServer server{quickRetry()};
    TempDir dir;

    std::string secretFile(const std::string& secret) {
        const auto f = dir.path() / "label.txt";
        std::ofstream(f) << secret << "\n";
        return f.string();
    }
    std::unique_ptr<BackgroundProcess> device(const std::string& id, const std::string& secret) {
        return std::make_unique<BackgroundProcess>(
            STEWARD_DEVICE_BIN,
            std::vector<std::string>{"--svrdb", (dir.path() / "d.dat").string(), "--json", "--idprov", server.baseUrl() + "directory",
                                     "--idprov-id", id, "--idprov-secret-file", secretFile(secret)});
    }
};

TEST_F(DeviceIdprovTest, WaitsForTheSecretThenEnrols) {
    auto d = device("plug-1", "sticker-42");
    ASSERT_TRUE(d->waitForLine([](const std::string& l) { return has(l, "\"idprov_waiting\""); }, 20s)) << d->output();
    ASSERT_TRUE(server.service().addOobSecret("plug-1", "sticker-42", "").ok);
    ASSERT_TRUE(d->waitForLine([](const std::string& l) { return has(l, "\"idprov_enrolled\""); }, 40s)) << d->output() << server.log();
    const auto stored = idprov::DeviceCredentialStore(dir.path() / "d.dat.idprov").load();
    ASSERT_TRUE(stored);
    EXPECT_TRUE(server.ca().verifies(stored->certificate));
    EXPECT_THAT(stored->certificate.summary().subject, HasSubstr("CN=plug-1"));
    EXPECT_EQ(d->stop(), 0);
}

TEST_F(DeviceIdprovTest, ACertificatePastHalfItsLifeIsRenewedAtStart) {
    // What an earlier run left: a certificate issued 2 h ago for 3 h.
    core::CertificateProfile p;
    p.commonName = "plug-2";
    p.organizationalUnit = "iotdevice";
    p.usage = core::CertificateUsage::Client;
    p.validity = 3h;
    p.notBeforeOffset = -2h;
    const auto old = server.ca().issueWithNewKey(p);
    const idprov::DeviceCredentialStore store(dir.path() / "d.dat.idprov");
    store.save({old.key, old.certificate, server.ca().chainPem()});

    auto d = device("plug-2", "unused");
    ASSERT_TRUE(d->waitForLine([](const std::string& l) { return has(l, "\"idprov_renewed\""); }, 30s)) << d->output() << server.log();
    const auto renewed = store.load();
    ASSERT_TRUE(renewed);
    EXPECT_NE(renewed->certificate.summary().serialNumber, old.certificate.summary().serialNumber);
    ASSERT_FALSE(server.events().empty());
    EXPECT_TRUE(server.events().back().renewal);
    EXPECT_EQ(d->stop(), 0);
}

TEST_F(DeviceIdprovTest, StewardEnrollAnswersWithExitCodes) {
    const std::vector<std::string> base{"--url", server.baseUrl() + "directory",  "--device-id",       "plug-3",
                                        "--out", (dir.path() / "enrol").string(), "--oob-secret-file", secretFile("right")};
    auto waiting = runProcess(STEWARD_ENROLL_BIN, base);
    EXPECT_EQ(waiting.exitCode, 4) << waiting.out << waiting.err;

    ASSERT_TRUE(server.service().addOobSecret("plug-3", "right", "").ok);
    auto wrong = base;
    wrong.back() = secretFile("wrong");
    const auto rejected = runProcess(STEWARD_ENROLL_BIN, wrong);
    EXPECT_EQ(rejected.exitCode, 3);
    EXPECT_THAT(rejected.out + rejected.err, HasSubstr("does not match"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "enrol" / "cert.pem"));

    auto json = base;
    json.back() = secretFile("right");
    json.push_back("--json");
    const auto approved = runProcess(STEWARD_ENROLL_BIN, json);
    EXPECT_EQ(approved.exitCode, 0) << approved.err;
    EXPECT_THAT(approved.out, HasSubstr("\"Approved\""));
    EXPECT_THAT(approved.out, ::testing::Not(HasSubstr("right")));

    const auto usage = runProcess(STEWARD_ENROLL_BIN, {"--device-id", "plug-3"});
    EXPECT_EQ(usage.exitCode, 2);
}

}  // namespace
}  // namespace steward::test
