// IDProv end to end, with real parts only, inside a private network namespace (no multicast on
// the machine's interfaces): dbus-daemon and avahi-daemon, a mosquitto broker whose TLS listener
// wants a client certificate from the gateway CA, stewardd with the idprov plugin, and a
// steward-device that knows nothing but its deviceID and out-of-band secret. The secret reaches the
// gateway over MQTT (steward idprov-oob); the device finds the server by DNS-SD, enrols, and
// publishes its state to the broker with the certificate it got. curl and openssl speak to the
// HTTPS API as foreign clients; the broker refuses devices without a certificate, with another
// CA's, or with an expired one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "avahi_network.hpp"
#include "steward/crypto/certificate_authority.hpp"
#include "steward/util/atomic_file.hpp"
#include "support/process_runner.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* kGateway = "169.254.88.1";
constexpr const char* kDeviceId = "sensor-kitchen-1";
constexpr const char* kSecret = "SN-4711-0815-label";

bool has(const std::string& text, const std::string& fragment) { return text.find(fragment) != std::string::npos; }

class IdprovEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto why = AvahiNetwork::unavailableReason()) GTEST_SKIP() << *why;
        for (const char* tool : {"mosquitto_pub", "mosquitto_sub", "curl", "openssl"}) {
            if (findOnPath(tool) == tool) GTEST_SKIP() << tool << " is not installed";
        }
        if (findOnPath("mosquitto") == "mosquitto" && !std::filesystem::exists("/usr/sbin/mosquitto")) GTEST_SKIP() << "no mosquitto";
        net_ = std::make_unique<AvahiNetwork>();
        state_ = dir_.path() / "state";
        // The gateway CA's certificates for the broker (a service) and an admin, made by the CLI.
        ca("broker", {"--role", "service", "--san", kGateway, "--san", "127.0.0.1"});
        ca("admin", {"--role", "admin"});
        startBroker();
        startDaemon();
    }
    void TearDown() override {
        device_.reset();
        events_.reset();
        daemon_.reset();
        broker_.reset();
        net_.reset();
    }

    // Runs a program inside the namespace (on the private bus) to completion.
    ProcessResult inside(const std::string& program, std::vector<std::string> args, const std::string& input = "",
                         std::chrono::milliseconds timeout = 30s) {
        auto prefix = net_->execPrefix();
        std::vector<std::string> all(prefix.begin() + 1, prefix.end());
        all.push_back(program);
        all.insert(all.end(), args.begin(), args.end());
        return runProcess(prefix.front(), all, input, timeout);
    }

    void ca(const std::string& name, std::vector<std::string> extra) {
        std::vector<std::string> args{"ca-cert", name, "--out", (dir_.path() / "certs").string(), "--state-dir", state_.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = runProcess(STEWARD_CLI_BIN, args);
        ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    }
    std::string cert(const std::string& file) const { return (dir_.path() / "certs" / file).string(); }

    void startBroker() {
        const auto conf = dir_.path() / "mosquitto.conf";
        std::ofstream(conf) << "per_listener_settings true\n"
                            << "persistence false\nlog_dest stdout\nuser root\n"
                            << "listener 1883 127.0.0.1\nallow_anonymous true\n"
                            << "listener 8883 " << kGateway << "\n"
                            << "cafile " << cert("ca.crt") << "\ncertfile " << cert("broker.crt") << "\nkeyfile " << cert("broker.key")
                            << "\n"
                            << "require_certificate true\nuse_identity_as_username true\n";
        const std::string mosquitto = findOnPath("mosquitto") == "mosquitto" ? "/usr/sbin/mosquitto" : findOnPath("mosquitto");
        broker_ = net_->background(mosquitto, {"-c", conf.string()});
        // mosquitto's log is block-buffered on a pipe: wait for the ports themselves.
        const auto up = inside("bash", {"-c", std::string("for i in $(seq 100); do (exec 3<>/dev/tcp/") + kGateway +
                                                  "/8883) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null && exit 0; "
                                                  "sleep 0.1; done; exit 1"});
        ASSERT_EQ(up.exitCode, 0) << broker_->output();
    }

    void startDaemon() {
        std::filesystem::create_directories(dir_.path() / "policies");
        const auto conf = dir_.path() / "steward.yaml";
        std::ofstream(conf) << "state_dir: " << state_.string() << "\nplugin_dir: " << STEWARD_PLUGIN_DIR
                            << "\npolicy_dir: " << (dir_.path() / "policies").string() << "\nmqtt:\n  host: 127.0.0.1\n  port: 1883\n"
                            << "idprov:\n  enabled: true\n  port: 43776\n  server_names: [" << kGateway << "]\n"
                            << "  waiting_retry: 1\n";
        events_ = net_->background(findOnPath("mosquitto_sub"), {"-h", "127.0.0.1", "-p", "1883", "-v", "-t", "steward/bridge/event"});
        daemon_ = net_->background(STEWARDD_BIN, {"--config", conf.string()});
        ASSERT_TRUE(daemon_->waitForLine([](const std::string& l) { return has(l, "stewardd ready"); }, 20s)) << daemon_->output();
        ASSERT_TRUE(daemon_->waitForLine([](const std::string& l) { return has(l, "dnssd: published"); }, 15s)) << daemon_->output();
    }

    void startDevice(const std::string& secret) {
        const auto secretFile = dir_.path() / "label.txt";
        std::ofstream(secretFile) << secret << "\n";
        device_ = net_->background(STEWARD_DEVICE_BIN,
                                   {"--svrdb", (dir_.path() / "device.dat").string(), "--idprov", "discover", "--idprov-id", kDeviceId,
                                    "--idprov-secret-file", secretFile.string(), "--mqtt", std::string(kGateway) + ":8883"});
    }

    // mosquitto_pub to the certificate-only listener; its exit status and output.
    ProcessResult publishWith(const std::vector<std::string>& tls) {
        std::vector<std::string> args{"-h", kGateway, "-p", "8883", "--cafile", cert("ca.crt"), "-t", "devices/probe", "-m", "hello"};
        args.insert(args.end(), tls.begin(), tls.end());
        return inside(findOnPath("mosquitto_pub"), args, "", 15s);
    }

    TempDir dir_;
    std::filesystem::path state_;
    std::unique_ptr<AvahiNetwork> net_;
    std::unique_ptr<BackgroundProcess> broker_, events_, daemon_, device_;
};

TEST_F(IdprovEndToEnd, ADeviceWithOnlyItsSecretEndsUpPublishingWithItsCertificate) {
    // avahi-browse sees the server the daemon announced.
    const auto browse = inside("avahi-browse", {"-rtp", "_idprov._tcp"}, "", 20s);
    EXPECT_THAT(browse.out, HasSubstr("idprov"));
    EXPECT_THAT(browse.out, HasSubstr("43776"));
    EXPECT_THAT(browse.out, HasSubstr("path=/idprov/directory"));

    // Started before the gateway knows its secret: it waits.
    startDevice(kSecret);
    ASSERT_TRUE(device_->waitForLine([](const std::string& l) { return has(l, "idprov_waiting"); }, 20s)) << device_->output();

    // An automation feeds the secret (e.g. scanned from the label's QR code) over MQTT.
    const auto oob = inside(STEWARD_CLI_BIN, {"idprov-oob", kDeviceId, "--broker", "127.0.0.1:1883"}, std::string(kSecret) + "\n");
    ASSERT_EQ(oob.exitCode, 0) << oob.out << oob.err << daemon_->output() << events_->output();

    ASSERT_TRUE(device_->waitForLine([](const std::string& l) { return has(l, "idprov_enrolled"); }, 30s)) << device_->output();
    ASSERT_TRUE(device_->waitForLine([](const std::string& l) { return has(l, "mqtt_connected"); }, 20s))
        << device_->output() << broker_->output();
    EXPECT_TRUE(events_->waitForLine([](const std::string& l) { return has(l, "certificate_issued") && has(l, kDeviceId); }, 10s))
        << events_->output();
    EXPECT_THAT(device_->output(), HasSubstr("found IDProv server"));

    // What it published is on the broker (read back with the admin's certificate).
    const auto state = inside(findOnPath("mosquitto_sub"),
                              {"-h", kGateway, "-p", "8883", "--cafile", cert("ca.crt"), "--cert", cert("admin.crt"), "--key",
                               cert("admin.key"), "-t", std::string("devices/") + kDeviceId + "/state", "-C", "1", "-W", "10"},
                              "", 20s);
    EXPECT_EQ(state.exitCode, 0) << state.err;
    EXPECT_THAT(state.out, HasSubstr("\"device_id\":\"" + std::string(kDeviceId) + "\""));
    EXPECT_THAT(state.out, HasSubstr("\"online\":true"));

    // The key and certificate it keeps are private to it.
    for (const char* f : {"key.pem", "cert.pem", "ca.pem"}) {
        const auto p = dir_.path() / "device.dat.idprov" / f;
        ASSERT_TRUE(std::filesystem::exists(p)) << p;
        EXPECT_EQ(std::filesystem::status(p).permissions() & std::filesystem::perms::all,
                  std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
            << p;
    }
    // The secret never appears in the daemon's log.
    EXPECT_THAT(daemon_->output(), ::testing::Not(HasSubstr(kSecret)));

    // The issued certificate works for the broker; it is the device's own identity (CN = deviceID).
    const auto own = publishWith({"--cert", (dir_.path() / "device.dat.idprov" / "cert.pem").string(), "--key",
                                  (dir_.path() / "device.dat.idprov" / "key.pem").string()});
    EXPECT_EQ(own.exitCode, 0) << own.err;
}

TEST_F(IdprovEndToEnd, TheBrokerRefusesDevicesWithoutAGoodCertificate) {
    EXPECT_NE(publishWith({}).exitCode, 0);

    TempDir other;
    auto foreign = core::CertificateAuthority::openOrCreate(other.path() / "ca", "Another CA");
    core::CertificateProfile p;
    p.commonName = "intruder";
    p.organizationalUnit = "iotdevice";
    p.usage = core::CertificateUsage::Client;
    const auto stranger = foreign.issueWithNewKey(p);
    std::ofstream(other.path() / "s.crt") << stranger.certificate.pem();
    std::ofstream(other.path() / "s.key") << stranger.key.pem();
    EXPECT_NE(publishWith({"--cert", (other.path() / "s.crt").string(), "--key", (other.path() / "s.key").string()}).exitCode, 0);

    auto gatewayCa = core::CertificateAuthority::openOrCreate(state_ / "ca");
    p.commonName = "old-device";
    p.validity = 1h;
    p.notBeforeOffset = -3h;
    const auto expired = gatewayCa.issueWithNewKey(p);
    std::ofstream(other.path() / "e.crt") << expired.certificate.pem();
    std::ofstream(other.path() / "e.key") << expired.key.pem();
    EXPECT_NE(publishWith({"--cert", (other.path() / "e.crt").string(), "--key", (other.path() / "e.key").string()}).exitCode, 0);

    // The same CA's valid certificate is accepted: the refusals above are about the certificates.
    EXPECT_EQ(publishWith({"--cert", cert("admin.crt"), "--key", cert("admin.key")}).exitCode, 0);
}

TEST_F(IdprovEndToEnd, ForeignClientsUseTheHttpsApi) {
    const std::string base = std::string("https://") + kGateway + ":43776/idprov/";
    // A client without the CA fetches the directory unverified (-k) and learns the CA from it.
    const auto directory = inside(findOnPath("curl"), {"-sS", "-k", base + "directory"});
    ASSERT_EQ(directory.exitCode, 0) << directory.err;
    EXPECT_THAT(directory.out, HasSubstr("\"postProvisionRequest\""));
    EXPECT_THAT(directory.out, HasSubstr("BEGIN CERTIFICATE"));
    // Verified against the gateway CA, by name (server_names put the address in the certificate).
    const auto verified = inside(findOnPath("curl"), {"-sS", "--cacert", cert("ca.crt"), base + "directory"});
    EXPECT_EQ(verified.exitCode, 0) << verified.err;
    const auto tls = inside(
        findOnPath("openssl"),
        {"s_client", "-connect", std::string(kGateway) + ":43776", "-CAfile", cert("ca.crt"), "-verify_return_error", "-brief"}, "", 20s);
    EXPECT_THAT(tls.out + tls.err, HasSubstr("Verification: OK"));

    // An admin posts a secret with its certificate; steward-enroll then enrols with it.
    const auto post =
        inside(findOnPath("curl"), {"-sS", "--cacert", cert("ca.crt"), "--cert", cert("admin.crt"), "--key", cert("admin.key"),
                                    "--data-binary", R"({"deviceID":"thermo-2","oobSecret":"from-curl"})", base + "oobsecret"});
    ASSERT_EQ(post.exitCode, 0) << post.err << daemon_->output();
    EXPECT_THAT(post.out, HasSubstr("validUntil"));
    const auto secretFile = dir_.path() / "thermo.txt";
    std::ofstream(secretFile) << "from-curl\n";
    const auto enrol = inside(STEWARD_ENROLL_BIN, {"--discover", "--device-id", "thermo-2", "--oob-secret-file", secretFile.string(),
                                                   "--out", (dir_.path() / "thermo").string(), "--json"});
    EXPECT_EQ(enrol.exitCode, 0) << enrol.out << enrol.err;
    EXPECT_THAT(enrol.out, HasSubstr("Approved"));
    // Renewal over mutual TLS, no secret.
    const auto renew = inside(STEWARD_ENROLL_BIN, {"--url", base + "directory", "--device-id", "thermo-2", "--renew", "--out",
                                                   (dir_.path() / "thermo").string(), "--json"});
    EXPECT_EQ(renew.exitCode, 0) << renew.out << renew.err;
    EXPECT_TRUE(events_->waitForLine([](const std::string& l) { return has(l, "certificate_issued") && has(l, "\"renewal\":true"); }, 10s))
        << events_->output();
}

TEST_F(IdprovEndToEnd, BadSecretsOverMqttGetAnErrorResponse) {
    const auto noDaemonSecret = inside(STEWARD_CLI_BIN, {"idprov-oob", "../etc/passwd", "--broker", "127.0.0.1:1883"}, "x\n");
    EXPECT_EQ(noDaemonSecret.exitCode, 1);
    EXPECT_THAT(noDaemonSecret.err, HasSubstr("deviceID"));
    const auto past = inside(STEWARD_CLI_BIN, {"idprov-oob", "dev-1", "--valid-until", "2001-01-01", "--broker", "127.0.0.1:1883"}, "x\n");
    EXPECT_EQ(past.exitCode, 1);
    EXPECT_THAT(past.err, HasSubstr("past"));
    // Malformed JSON straight onto the request topic gets an error response.
    auto responses =
        net_->background(findOnPath("mosquitto_sub"), {"-h", "127.0.0.1", "-p", "1883", "-v", "-t", "steward/bridge/response/idprov/oob"});
    std::this_thread::sleep_for(500ms);  // let the subscription reach the broker before publishing
    const auto raw =
        inside(findOnPath("mosquitto_pub"), {"-h", "127.0.0.1", "-p", "1883", "-t", "steward/bridge/request/idprov/oob", "-m", "{nope"});
    EXPECT_EQ(raw.exitCode, 0);
    EXPECT_TRUE(responses->waitForLine([](const std::string& l) { return has(l, "\"status\":\"error\""); }, 10s)) << responses->output();
    // The response is not retained; the daemon must still be serving: a good request gets ok.
    const auto ok = inside(STEWARD_CLI_BIN, {"idprov-oob", "dev-1", "--broker", "127.0.0.1:1883", "--json"}, "s3cret\n");
    EXPECT_EQ(ok.exitCode, 0) << ok.err;
    EXPECT_THAT(ok.out, HasSubstr("\"status\":\"ok\""));
    EXPECT_THAT(ok.out, ::testing::Not(HasSubstr("s3cret")));
}

}  // namespace
}  // namespace steward::test
