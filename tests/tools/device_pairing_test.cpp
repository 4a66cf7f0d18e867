// Direct Pairing between real processes (ocf-security.md, "Direct Pairing"): a gateway owns a
// direct-pairing-capable light (`steward --local own`) and writes its pconf over the owner
// session; then a guest device that no gateway owns pairs with the light by PIN
// (`steward-device --pair-with`) and calls it with the pairing key (`--call`). The light's pairing
// template decides what the guest may do.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include "cbor/object_reader.hpp"
#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/svr/svr_database.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using core::CoapCode;

constexpr const char* kPin = "24681357";

Poco::JSON::Object::Ptr parseObject(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>(); }

class DevicePairing : public ::testing::Test {
protected:
    void SetUp() override {
        light = startDevices({"--svrdb", (dir / "light.dat").string(), "--name", "Kitchen light", "--direct-pairing"});
        const auto owned = runProcess(STEWARD_CLI_BIN,
                                      {"--local", "own", "--all", "--json", "--state-dir", stateDir().string(), "--unicast",
                                       "127.0.0.1:" + std::to_string(light[0].port)},
                                      "", 60s);
        ASSERT_EQ(owned.exitCode, 0) << owned.out << owned.err;
        // The guest: a device of its own (an SVR DB with its UUID), owned by nobody here.
        auto guestDevice = startDevices({"--svrdb", guestDb().string(), "--name", "Guest phone"});
        guest = guestDevice[0].id;
        ASSERT_EQ(guestDevice.process->stop(), 0);
    }

    std::filesystem::path stateDir() const { return dir / "state"; }
    std::filesystem::path guestDb() const { return dir / "guest.dat"; }
    core::Uuid gatewayId() const { return core::GatewayIdentity::openOrCreate(stateDir() / "gateway.svrdb").id(); }

    // POST /oic/sec/pconf over the gateway's owner session (what the directpairing plugin sends).
    CoapCode configure(bool enabled, std::vector<int> methods, std::vector<std::string> hrefs = {"/a/light"},
                       int permission = core::permission::kRead | core::permission::kUpdate) {
        core::Pconf p;
        p.edp = enabled;
        p.prm = std::move(methods);
        if (enabled) p.pin.assign(kPin, kPin + 8);
        for (const auto& href : hrefs) {
            core::PdAce ace;
            core::AceResource r;
            r.href = href;
            ace.resources.push_back(r);
            ace.permission = permission;
            if (enabled) p.pdacl.push_back(ace);
        }
        p.rowneruuid = gatewayId();
        auto answer =
            asOwner(stateDir(), light[0], core::CoapRequest::post("/oic/sec/pconf", core::encodePconf(p, core::PrivateData::Include)));
        if (auto* error = std::get_if<std::string>(&answer)) {
            ADD_FAILURE() << *error;
            return CoapCode::InternalServerError;
        }
        return std::get<core::CoapResponse>(answer).code;
    }

    std::vector<std::string> pairArgs(std::vector<std::string> extra) const {
        std::vector<std::string> args = {"--svrdb", guestDb().string(), "--pair-with", "127.0.0.1:" + std::to_string(light[0].port)};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
    ProcessResult pair(std::vector<std::string> extra) { return runProcess(STEWARD_DEVICE_BIN, pairArgs(std::move(extra)), "", 30s); }

    ProcessResult call(const std::string& path, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--svrdb", guestDb().string(), "--call", "127.0.0.1:" + std::to_string(light[0].securePort), path,
                                         "--json"};
        args.insert(args.end(), extra.begin(), extra.end());
        return runProcess(STEWARD_DEVICE_BIN, args, "", 30s);
    }

    bool lightLogged(const std::string& text) const { return light.process->output().find(text) != std::string::npos; }

    TempDir dir;
    RunningDevices light;
    core::Uuid guest;
};

TEST_F(DevicePairing, PreconfiguredPinPairsAndTheTemplateDecidesWhatTheGuestMayDo) {
    ASSERT_EQ(configure(true, {core::pairing_method::kPreconfiguredPin}), CoapCode::Changed);
    const auto paired = pair({"--pin", kPin, "--json"});
    ASSERT_EQ(paired.exitCode, 0) << paired.out << paired.err;
    const auto result = parseObject(paired.out);
    EXPECT_EQ(result->getValue<std::string>("server"), light[0].id.toString());
    EXPECT_EQ(result->getValue<std::string>("method"), "preconfigured");
    EXPECT_EQ(paired.out.find(kPin), std::string::npos);
    EXPECT_EQ(paired.err.find(kPin), std::string::npos);
    EXPECT_TRUE(lightLogged("paired with " + guest.toString()));

    // The guest holds the pairing key for the light (0600 file), and the light's template grants
    // it /a/light read and update — nothing else.
    const auto svr = core::SvrDatabase::open(guestDb(), core::SvrAccess::ReadOnly).resources();
    ASSERT_NE(core::findPairwiseKey(svr.cred, light[0].id), nullptr);
    const auto on = call("/a/light", {"--method", "post", "--payload", R"({"value":true})"});
    ASSERT_EQ(on.exitCode, 0) << on.out << on.err;
    const auto read = call("/a/light");
    ASSERT_EQ(read.exitCode, 0) << read.out << read.err;
    EXPECT_TRUE(parseObject(read.out)->getObject("payload")->getValue<bool>("value"));
    const auto security = call("/oic/sec/cred");
    EXPECT_EQ(security.exitCode, 3) << security.out << security.err;
    EXPECT_EQ(parseObject(security.out)->getValue<std::string>("code"), "4.03");

    // Paired once: a second pairing (a second credential) is refused.
    const auto again = pair({"--pin", kPin});
    EXPECT_EQ(again.exitCode, 3) << again.out << again.err;
    EXPECT_NE(again.err.find("refused to pair"), std::string::npos) << again.err;

    // The owner sees the pairing in pddev.
    auto pconf = asOwner(stateDir(), light[0], core::CoapRequest::get("/oic/sec/pconf"));
    ASSERT_TRUE(std::holds_alternative<core::CoapResponse>(pconf));
    EXPECT_EQ(core::decodePconf(std::get<core::CoapResponse>(pconf).payload).pddev, std::vector<core::Uuid>{guest});
}

TEST_F(DevicePairing, RandomPinIsTypedFromTheLightsDisplay) {
    ASSERT_EQ(configure(true, {core::pairing_method::kRandomPin}), CoapCode::Changed);
    std::size_t from = light.process->lines().size();
    BackgroundProcess client(STEWARD_DEVICE_BIN, pairArgs({"--json"}));
    const auto pin = waitForPin(*light.process, from, 10s);  // shown once the guest asked
    ASSERT_TRUE(pin.has_value()) << light.process->output();
    ASSERT_TRUE(client.writeLine(*pin));
    const auto status = client.wait(30s);
    ASSERT_TRUE(status.has_value()) << client.output();
    EXPECT_EQ(*status, 0) << client.output();
    const auto read = call("/a/light");
    EXPECT_EQ(read.exitCode, 0) << read.out << read.err;
}

TEST_F(DevicePairing, AWrongPinFailsCleanlyAndCountsTowardBackOff) {
    ASSERT_EQ(configure(true, {core::pairing_method::kPreconfiguredPin}), CoapCode::Changed);
    const auto wrong = pair({"--pin", "11112222", "--timeout", "3000"});
    EXPECT_EQ(wrong.exitCode, 3) << wrong.out << wrong.err;
    EXPECT_NE(wrong.err.find("PIN was not accepted"), std::string::npos) << wrong.err;
    EXPECT_TRUE(lightLogged("direct-pairing PIN handshake")) << light.process->output();
    // Nothing was stored on either side, and the right PIN still works afterwards.
    const auto svr = core::SvrDatabase::open(guestDb(), core::SvrAccess::ReadOnly).resources();
    EXPECT_EQ(core::findPairwiseKey(svr.cred, light[0].id), nullptr);
    const auto right = pair({"--pin", kPin});
    EXPECT_EQ(right.exitCode, 0) << right.out << right.err;
}

TEST_F(DevicePairing, ADisabledOrNeverEnabledLightRefusesToPair) {
    const auto never = pair({"--pin", kPin});
    EXPECT_EQ(never.exitCode, 3) << never.out << never.err;
    EXPECT_NE(never.err.find("does not offer direct pairing"), std::string::npos) << never.err;
    ASSERT_EQ(configure(true, {core::pairing_method::kPreconfiguredPin}), CoapCode::Changed);
    ASSERT_EQ(configure(false, {}), CoapCode::Changed);
    const auto disabled = pair({"--pin", kPin});
    EXPECT_EQ(disabled.exitCode, 3) << disabled.out << disabled.err;
    // The method must be one the light offers.
    ASSERT_EQ(configure(true, {core::pairing_method::kPreconfiguredPin}), CoapCode::Changed);
    const auto random = pair({"--pair-method", "random"});
    EXPECT_EQ(random.exitCode, 3) << random.out << random.err;
    EXPECT_NE(random.err.find("does not offer the random PIN method"), std::string::npos) << random.err;
}

TEST_F(DevicePairing, TheTemplateMayNotGrantSecurityResources) {
    EXPECT_EQ(configure(true, {core::pairing_method::kPreconfiguredPin}, {"/oic/sec/pstat"}), CoapCode::BadRequest);
}

}  // namespace
}  // namespace steward::test
