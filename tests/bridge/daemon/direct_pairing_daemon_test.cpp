// stewardd's side of Direct Pairing, as an automation platform sees it over a real mosquitto: the
// direct_pairing request (every argument error answered with its transaction, the PIN made for the
// requester returned to it alone), the policies' direct_pairing key applied to newly owned devices
// (real steward-device processes, the real directpairing plugin), and `steward direct-pairing`
// through the daemon. Pairing itself (a client device, PINs, revocation) is tested end to end
// elsewhere.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "bridge/mqtt/broker_fixture.hpp"
#include "daemon_fixture.hpp"
#include "device_fixture.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* kUnknown = "11111111-2222-3333-4444-555555555555";

class DirectPairingDaemon : public ::testing::Test {
protected:
    void SetUp() override { std::filesystem::create_directories(policies()); }
    std::filesystem::path policies() const { return dir / "policies.d"; }
    void usePolicy(const std::string& file) {
        std::filesystem::copy_file(std::filesystem::path(STEWARD_SOURCE_DIR) / "config" / "policies.d" / file, policies() / file);
    }

    std::string config(const std::string& ownership, const std::vector<std::string>& unicast) const {
        std::string list = "[";
        for (std::size_t i = 0; i < unicast.size(); ++i) list += (i ? ", \"" : "\"") + unicast[i] + "\"";
        list += "]";
        return "state_dir: " + (dir / "state").string() + "\nplugin_dir: " + STEWARD_PLUGIN_DIR + "\npolicy_dir: " + policies().string() +
               "\nmqtt: {port: " + std::to_string(broker.port()) + "}\ndiscovery: {unicast: " + list +
               ", interval: 1, timeout_ms: 500}\nownership: " + ownership + "\nlogging: {level: debug}\n";
    }
    static std::string at(const RunningDevices& d) { return "127.0.0.1:" + std::to_string(d[0].port); }
    static bool ok(const Poco::JSON::Object::Ptr& response) { return response && response->getValue<std::string>("status") == "ok"; }
    static std::string error(const Poco::JSON::Object::Ptr& response) {
        return response ? response->optValue<std::string>("error", "(no error)") : "(no response)";
    }
    // Every message stewardd published (responses, events, retained state) but the responses to
    // direct_pairing: where a PIN must never appear.
    static std::string publishedExceptPairingResponses(const Observer& watch) {
        std::string all;
        for (const auto& m : watch.messages()) {
            if (m.topic.find("/bridge/request/") != std::string::npos || m.topic == "steward/bridge/response/direct_pairing") continue;
            all += m.topic + " " + m.payload + "\n";
        }
        return all;
    }

    TempDir dir;
    MosquittoBroker broker;
};

TEST_F(DirectPairingDaemon, ArgumentErrorsAreAnsweredWithTheTransactionAndNeverRepeatThePin) {
    Observer watch(broker.port());
    auto daemon = startDaemon(dir.path(), config("{mode: manual}", {}));
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    const std::string device = std::string("{\"device\":\"") + kUnknown + "\"";

    watch.publishRaw("direct_pairing", "{not json");
    ASSERT_TRUE(watch.waitFor(
        [](const bridge::MqttMessage& m) {
            return m.topic == "steward/bridge/response/direct_pairing" && m.payload.find("malformed JSON") != std::string::npos;
        },
        10s))
        << watch.dump();
    // Observer::request only accepts the response carrying its transaction.
    const std::vector<std::pair<std::string, std::string>> refused = {
        {R"({"methods":["random"],"resources":["/a/light"]})", "missing field 'device'"},
        {device + R"(,"resources":["/a/light"]})", "missing field 'methods'"},
        {device + R"(,"methods":["justworks"],"resources":["/a/light"]})", "'methods[0]' must be \"preconfigured\" or \"random\""},
        {device + R"(,"methods":[],"resources":["/a/light"]})", "'methods' must be a non-empty array"},
        {device + R"(,"methods":["random"]})", "missing field 'resources'"},
        {device + R"(,"methods":["random"],"resources":["/oic/sec/cred"]})", "is a security resource"},
        {device + R"(,"methods":["random"],"resources":["/a/light"],"permission":"RX"})", "not a permission"},
        {device + R"(,"methods":["preconfigured"],"pin":"7654321x","resources":["/a/light"]})",
         "'pin' must be a string of exactly 8 digits"},
        {device + R"(,"methods":["random"],"pin":"76543210","resources":["/a/light"]})", "it needs \"preconfigured\" in 'methods'"},
        {device + R"(,"enabled":false,"methods":["random"]})", "'enabled': false takes no 'methods'"},
        {device + R"(,"enabled":"off"})", "'enabled' must be true or false"},
    };
    for (const auto& [body, expected] : refused) {
        const auto response = watch.request("direct_pairing", body);
        ASSERT_TRUE(response) << body << "\n" << watch.dump();
        EXPECT_EQ(response->getValue<std::string>("status"), "error") << body;
        EXPECT_THAT(error(response), HasSubstr(expected)) << body;
    }
    // Well-formed, for a device the gateway does not own: the plugin's refusal, and no PIN made for it.
    const auto unknown = watch.request("direct_pairing", device + R"(,"methods":["preconfigured"],"resources":["/a/light"]})");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->getValue<std::string>("status"), "error");
    EXPECT_THAT(error(unknown), HasSubstr(kUnknown));
    EXPECT_FALSE(unknown->has("data") && unknown->getObject("data") && unknown->getObject("data")->has("pin"));
    EXPECT_FALSE(ok(watch.request("direct_pairing", device + R"(,"enabled":false})")));

    // sync reads the pairings too; with nothing owned there is nothing to do.
    const auto sync = watch.request("sync", "{}");
    EXPECT_TRUE(ok(sync)) << error(sync);

    for (const char* pin : {"7654321x", "76543210"}) {
        EXPECT_EQ(daemon->output().find(pin), std::string::npos) << daemon->output();
        EXPECT_EQ(publishedExceptPairingResponses(watch).find(pin), std::string::npos);
    }
    for (const auto& m : watch.messages()) {
        if (m.topic == "steward/bridge/response/direct_pairing") {
            EXPECT_EQ(m.payload.find("7654321"), std::string::npos) << m.payload;
        }
    }
    EXPECT_TRUE(ok(watch.request("info", "{}")));  // still alive
}

// The shipped 20-guest-pairing.yaml: a direct-pairing-capable kitchen light gets pconf right after
// it is owned; one that is not capable is skipped (provisioned all the same). Then the request and
// the CLI through the daemon.
TEST_F(DirectPairingDaemon, ThePolicyConfiguresCapableDevicesAndTheRequestReturnsTheMadePinOnlyToTheRequester) {
    usePolicy("10-lights.yaml");
    usePolicy("20-guest-pairing.yaml");
    auto capable = startDevices({"--svrdb", (dir / "capable.dat").string(), "--name", "Kitchen light", "--direct-pairing"});
    auto plain = startDevices({"--svrdb", (dir / "plain.dat").string(), "--name", "Kitchen lamp"});
    Observer watch(broker.port());
    auto daemon =
        startDaemon(dir.path(), config("{mode: automatic, allow_justworks: true, justworks_per_window: 2}", {at(capable), at(plain)}));
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();

    const auto applied = [&](const RunningDevices& d) {
        return watch.waitForEvent(
            "policy_applied",
            [&](const Poco::JSON::Object::Ptr& e) { return e->optValue<std::string>("device", "") == d[0].id.toString(); }, 30s);
    };
    const auto onCapable = applied(capable);
    ASSERT_TRUE(onCapable) << watch.dump() << daemon->output();
    EXPECT_EQ(onCapable->getValue<std::string>("status"), "ok") << daemon->output();
    ASSERT_TRUE(onCapable->getObject("direct_pairing"));
    EXPECT_EQ(onCapable->getObject("direct_pairing")->getValue<std::string>("status"), "configured") << daemon->output();
    EXPECT_EQ(onCapable->getObject("direct_pairing")->getValue<std::string>("policy"), "kitchen-light-guest-pairing");

    const auto onPlain = applied(plain);
    ASSERT_TRUE(onPlain) << watch.dump() << daemon->output();
    EXPECT_EQ(onPlain->getValue<std::string>("status"), "ok");
    EXPECT_EQ(onPlain->getObject("direct_pairing")->getValue<std::string>("status"), "skipped");
    EXPECT_THAT(onPlain->getObject("direct_pairing")->getValue<std::string>("detail"), HasSubstr("not direct-pairing capable"));
    EXPECT_TRUE(watch.waitForEvent(
        "device_provisioned",
        [&](const Poco::JSON::Object::Ptr& e) { return e->optValue<std::string>("device", "") == plain[0].id.toString(); }, 10s));

    // One clear log line each.
    EXPECT_THAT(daemon->output(),
                HasSubstr("policy: direct pairing of policy kitchen-light-guest-pairing on " + capable[0].id.toString() + " configured"));
    EXPECT_THAT(daemon->output(), HasSubstr("policy: direct pairing of policy kitchen-light-guest-pairing on " + plain[0].id.toString() +
                                            " skipped: device " + plain[0].id.toString() + " is not direct-pairing capable"));
    EXPECT_THAT(daemon->output(),
                HasSubstr("direct pairing: methods random, the device shows a fresh PIN per pairing, grants -RU-- /a/light"));

    // Pre-configured without a PIN: stewardd makes one and returns it in this response only.
    const std::string id = capable[0].id.toString();
    const auto made = watch.request(
        "direct_pairing", "{\"device\":\"" + id + R"(","methods":["preconfigured","random"],"resources":["/a/light"],"permission":"RU"})");
    ASSERT_TRUE(ok(made)) << error(made) << daemon->output();
    const auto pin = made->getObject("data")->getValue<std::string>("pin");
    EXPECT_TRUE(std::regex_match(pin, std::regex("[0-9]{8}"))) << pin;
    // A PIN given is not returned.
    const auto given = watch.request("direct_pairing",
                                     "{\"device\":\"" + id + R"(","methods":["preconfigured"],"pin":"24681357","resources":["/a/light"]})");
    ASSERT_TRUE(ok(given)) << error(given);
    EXPECT_FALSE(given->getObject("data")->has("pin"));
    const auto off = watch.request("direct_pairing", "{\"device\":\"" + id + R"(","enabled":false})");
    EXPECT_TRUE(ok(off)) << error(off);

    // A reload re-applies the policies to every owned device, but not their direct_pairing: that
    // would enable again what the request above disabled.
    std::ofstream(policies() / "30-more.yaml") << "policies:\n  - name: more\n    match: {device_type: oic.d.light}\n"
                                                  "    aces: [{subject: gateway, resources: [/oic/d], permission: R}]\n";
    ASSERT_TRUE(ok(watch.request("policy_reload", "{}")));
    const auto reapplied = watch.waitForEvent(
        "policy_applied",
        [&](const Poco::JSON::Object::Ptr& e) {
            return e->optValue<std::string>("device", "") == id && e->has("direct_pairing") &&
                   e->getObject("direct_pairing")->getValue<std::string>("status") != "configured";
        },
        20s);
    ASSERT_TRUE(reapplied) << watch.dump() << daemon->output();
    EXPECT_EQ(reapplied->getObject("direct_pairing")->getValue<std::string>("status"), "not sent");
    EXPECT_EQ(reapplied->getValue<std::string>("status"), "ok");

    // The remote CLI builds the same request.
    const std::string brokerAt = "127.0.0.1:" + std::to_string(broker.port());
    BackgroundProcess cli(STEWARD_CLI_BIN, {"direct-pairing", id, "--method", "preconfigured", "--resource", "/a/light", "--perm", "RU",
                                            "--broker", brokerAt});
    EXPECT_EQ(cli.wait(30s), 0) << cli.output();
    std::smatch shown;
    const std::string cliOutput = cli.output();
    ASSERT_TRUE(std::regex_search(cliOutput, shown, std::regex("pre-configured PIN: ([0-9]{8})"))) << cliOutput;
    const std::string cliPin = shown[1];
    BackgroundProcess disable(STEWARD_CLI_BIN, {"direct-pairing", id, "--disable", "--broker", brokerAt});
    EXPECT_EQ(disable.wait(30s), 0) << disable.output();
    BackgroundProcess usage(STEWARD_CLI_BIN, {"direct-pairing", id, "--disable", "--method", "random", "--broker", brokerAt});
    EXPECT_EQ(usage.wait(10s), 2) << usage.output();
    EXPECT_THAT(usage.output(), HasSubstr("--disable takes no --method"));
    BackgroundProcess refused(STEWARD_CLI_BIN,
                              {"direct-pairing", kUnknown, "--method", "random", "--resource", "/a/light", "--broker", brokerAt});
    EXPECT_EQ(refused.wait(30s), 1) << refused.output();

    // links answers with the kind of each link (none made yet), sync reads the pairings.
    const auto links = watch.request("links", "{}");
    ASSERT_TRUE(ok(links));
    EXPECT_EQ(links->getObject("data")->getArray("links")->size(), 0u);
    const auto sync = watch.request("sync", "{}");
    EXPECT_TRUE(ok(sync)) << error(sync);

    // No PIN in the daemon's log or anything it published but the one response.
    for (const std::string& secret : {std::string("12345678"), pin, std::string("24681357"), cliPin}) {
        EXPECT_EQ(daemon->output().find(secret), std::string::npos) << secret << "\n" << daemon->output();
        EXPECT_EQ(publishedExceptPairingResponses(watch).find(secret), std::string::npos) << secret;
    }
}

}  // namespace
}  // namespace steward::test
