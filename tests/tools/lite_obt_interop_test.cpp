// Our device against a foreign onboarding tool: iotivity-lite's `onboarding_tool` (built from
// 49441ba16, ../shared/peers/iotivity-lite) onboards `steward-device` by Random PIN in a private
// network namespace, and cannot take a device Steward owns; and `openssl s_client` finds that the
// device's DTLS port speaks OCF's PSK suite (0xC037) and nothing else.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <thread>

#include "background_process.hpp"
#include "cbor/object_reader.hpp"
#include "device_fixture.hpp"
#include "lite_peer.hpp"
#include "network_namespace.hpp"
#include "process_runner.hpp"
#include "steward/cbor/cbor_value.hpp"
#include "steward/crypto/ocf_kdf.hpp"
#include "steward/model/cred.hpp"
#include "steward/model/pstat.hpp"
#include "steward/svr/svr_database.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

bool listed(const std::vector<LiteDiscovered>& found, const std::string& uuid) {
    return std::any_of(found.begin(), found.end(), [&](const auto& d) { return d.uuid == uuid; });
}

std::string uuids(const std::vector<LiteDiscovered>& found) {
    std::string out;
    for (const auto& d : found) out += (out.empty() ? "" : ", ") + d.uuid;
    return "[" + out + "]";
}

core::SecurityResources svrOf(const std::filesystem::path& file) {
    return core::SvrDatabase::open(file, core::SvrAccess::ReadOnly).resources();
}

// steward --local ... inside the namespace, one shot.
ProcessResult stewardIn(const NetworkNamespace& ns, std::vector<std::string> args, const std::filesystem::path& state,
                        std::chrono::milliseconds timeout = 60s) {
    args.insert(args.begin(), {STEWARD_CLI_BIN, "--local"});
    args.push_back("--state-dir");
    args.push_back(state.string());
    const auto argv = inNamespace(ns, args);
    return runProcess(argv.front(), {argv.begin() + 1, argv.end()}, "", timeout);
}

std::string show(const ProcessResult& r) {
    return "exit " + std::to_string(r.exitCode) + (r.timedOut ? " (timed out)" : "") + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

TEST(LiteObt, OwnsStewardDeviceByRandomPin) {
    if (auto why = liteInteropUnavailableReason()) GTEST_SKIP() << *why;
    TempDir dir;
    NetworkNamespace ns;
    const auto svrdb = dir / "device.dat";
    auto device = startNamespacedDevice(ns, {"--otm", "randompin", "--svrdb", svrdb.string(), "--multicast-if", "v1",
                                             "--multicast-jitter-ms", "500", "--ownership-timeout", "20"});
    LiteOnboardingTool obt(ns);
    const auto output = [&] { return describe({{"steward-device", device.process.get()}, {"onboarding_tool", &obt.process()}}); };
    ASSERT_FALSE(obt.id().empty()) << output();

    // 1: our device answers the tool's multicast doxm?owned=FALSE.
    const auto found = obt.discoverUnowned(8s, device.uuid);
    ASSERT_TRUE(listed(found, device.uuid)) << "found " << uuids(found) << output();

    // 9: the tool POSTs oxmsel = Random PIN; the device shows a PIN.
    std::size_t from = device.process->lines().size();
    const auto requested = obt.requestRandomPin(device.uuid);
    ASSERT_TRUE(requested.listed) << requested.message << output();
    ASSERT_TRUE(requested.ok) << requested.message << output();
    const auto pin = waitForPin(*device.process, from, 10s);
    ASSERT_TRUE(pin) << "steward-device showed no PIN" << output();

    // 10: the Random-PIN transfer with the PIN the device showed (0xC037, the tool's sdi POST, ...).
    const auto transfer = obt.randomPinOtm(device.uuid, *pin);
    ASSERT_TRUE(transfer.listed) << transfer.message << output();
    ASSERT_TRUE(transfer.ok) << transfer.message << output();
    const std::string newId = transfer.uuid;  // the tool gives the device a new UUID
    ASSERT_FALSE(newId.empty()) << transfer.message << output();

    // The device says so itself: RFNOP, owned by the tool.
    const auto complete =
        device.process->waitForLine([&](const std::string& l) { return l.find("ownership transfer complete") != std::string::npos; }, 15s);
    ASSERT_TRUE(complete) << output();
    EXPECT_NE(complete->second.find("owned by " + obt.id()), std::string::npos) << complete->second << output();

    // 4: the tool finds it again as one of its own devices (under the new UUID).
    const auto owned = obt.discoverOwned(8s, newId);
    EXPECT_TRUE(listed(owned, newId)) << "found " << uuids(owned) << output();

    const auto toolOutput = output();
    ASSERT_EQ(device.process->stop(), 0) << toolOutput;
    const auto svr = svrOf(svrdb);
    EXPECT_TRUE(svr.doxm.owned) << toolOutput;
    EXPECT_EQ(svr.doxm.devowneruuid.toString(), obt.id()) << toolOutput;
    EXPECT_EQ(svr.doxm.deviceuuid.toString(), newId) << toolOutput;
    EXPECT_EQ(svr.pstat.dos.state, core::DosState::Rfnop) << core::dosStateName(svr.pstat.dos.state) << toolOutput;
    // The owner credential: a pairwise key whose subject is the tool.
    EXPECT_NE(core::findPairwiseKey(svr.cred, core::Uuid::parse(obt.id()).value()), nullptr) << toolOutput;
}

TEST(LiteObt, CannotTakeADeviceStewardOwns) {
    if (auto why = liteInteropUnavailableReason()) GTEST_SKIP() << *why;
    TempDir dir;
    NetworkNamespace ns;
    const auto svrdb = dir / "device.dat";
    const auto state = dir / "gateway";
    auto device = startNamespacedDevice(
        ns, {"--otm", "randompin", "--svrdb", svrdb.string(), "--multicast-if", "v1", "--multicast-jitter-ms", "500"});

    // Steward owns it: the CLI in the namespace, the PIN typed from what the device shows.
    const auto ownArgv =
        inNamespace(ns, {STEWARD_CLI_BIN, "--local", "own", device.uuid, "--unicast", device.plain(), "--state-dir", state.string()});
    BackgroundProcess cli(ownArgv.front(), {ownArgv.begin() + 1, ownArgv.end()});
    std::size_t from = 0;
    const auto pin = waitForPin(*device.process, from, 30s);
    ASSERT_TRUE(pin) << describe({{"steward-device", device.process.get()}, {"steward own", &cli}});
    ASSERT_TRUE(cli.writeLine(*pin));
    ASSERT_EQ(cli.wait(60s), 0) << describe({{"steward-device", device.process.get()}, {"steward own", &cli}});
    const auto cliOut = cli.output();
    const auto gatewayAt = cliOut.find("owned by gateway ");
    ASSERT_NE(gatewayAt, std::string::npos) << cliOut;
    const std::string gatewayId = cliOut.substr(gatewayAt + 17, 36);
    ASSERT_TRUE(core::Uuid::parse(gatewayId)) << cliOut;

    // A second, unowned device beside it: the tool's discovery works, and its lists are not empty.
    auto control =
        startNamespacedDevice(ns, {"--svrdb", (dir / "control.dat").string(), "--multicast-if", "v1", "--multicast-jitter-ms", "500"});
    LiteOnboardingTool obt(ns);
    const auto output = [&] {
        return describe({{"steward-device (Steward's)", device.process.get()},
                         {"steward own", &cli},
                         {"steward-device (unowned)", control.process.get()},
                         {"onboarding_tool", &obt.process()}});
    };
    // Not among the unowned devices (a full window: answers come up to 2 s late)...
    const auto found = obt.discoverUnowned(6s);
    EXPECT_TRUE(listed(found, control.uuid)) << "found " << uuids(found) << output();
    EXPECT_FALSE(listed(found, device.uuid)) << "found " << uuids(found) << output();
    // ... so the tool has nothing to take: neither a PIN request nor a transfer reaches it.
    const auto pinRequest = obt.requestRandomPin(device.uuid);
    EXPECT_FALSE(pinRequest.ok) << pinRequest.message << output();
    const auto forced = obt.randomPinOtm(device.uuid, "00000000");
    EXPECT_FALSE(forced.ok) << forced.message << output();
    const auto justWorks = obt.justWorksOtm(device.uuid);
    EXPECT_FALSE(justWorks.ok) << justWorks.message << output();
    EXPECT_FALSE(pinRequest.listed || forced.listed || justWorks.listed) << output();

    // Still Steward's: the owner session works (an ACE is provisioned over it).
    const auto acl =
        stewardIn(ns, {"acl", device.uuid, "--subject", "conntype:auth-crypt", "--resource", "/a/light", "--perm", "R", "--json"}, state);
    EXPECT_EQ(acl.exitCode, 0) << show(acl) << output();
    EXPECT_NE(acl.out.find("\"status\":\"ok\""), std::string::npos) << show(acl) << output();
    const auto devices = stewardIn(ns, {"devices", "--json"}, state);
    ASSERT_EQ(devices.exitCode, 0) << show(devices);
    const auto list = Poco::JSON::Parser().parse(devices.out).extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(list->size(), 1U) << devices.out;
    EXPECT_EQ(list->getObject(0)->getValue<std::string>("uuid"), device.uuid);
    EXPECT_EQ(list->getObject(0)->getValue<std::string>("state"), "owned") << devices.out;

    const auto all = output();
    ASSERT_EQ(device.process->stop(), 0) << all;
    const auto svr = svrOf(svrdb);
    EXPECT_TRUE(svr.doxm.owned) << all;
    EXPECT_EQ(svr.doxm.devowneruuid.toString(), gatewayId) << all;
    EXPECT_EQ(svr.doxm.deviceuuid.toString(), device.uuid) << all;
    EXPECT_NE(svr.pstat.dos.state, core::DosState::Rfotm) << all;
}

// openssl s_client against a Just-Works steward-device on loopback: identity "oic.sec.doxm.jw",
// key = Steward's public Just-Works PSK of the device's UUID.
class OpensslClient : public ::testing::Test {
protected:
    struct Handshake {
        std::optional<int> exit;
        std::string output;
    };

    // Selects Just-Works (POST /oic/sec/doxm {oxmsel: 0} over plain CoAP, as an OBT does first),
    // then runs s_client with `cipher`; once the handshake is over (or failed) types "Q" so it quits.
    Handshake connect(const DeviceAddress& d, const std::string& cipher) {
        const auto selected = client.request(
            d.plain(),
            core::CoapRequest::post("/oic/sec/doxm",
                                    core::encodeCbor(core::CborValue::map({core::entry("oxmsel", core::CborValue::unsignedInt(0))}))),
            3s);
        EXPECT_TRUE(selected.ok() && selected.value().code == core::CoapCode::Changed)
            << "POST oxmsel: " << (selected.ok() ? selected.value().code.toString() : selected.error().message);
        std::ostringstream key;
        for (auto b : core::justWorksPsk(d.id)) key << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(b);
        BackgroundProcess sclient(findOnPath("openssl"), {"s_client", "-dtls1_2", "-connect", "127.0.0.1:" + std::to_string(d.securePort),
                                                          "-psk", key.str(), "-psk_identity", "oic.sec.doxm.jw", "-cipher", cipher});
        sclient.waitForLine(
            [](const std::string& l) {
                return l.find("Cipher is") != std::string::npos || l.find("alert") != std::string::npos ||
                       l.find("error") != std::string::npos || l.find("errno") != std::string::npos;
            },
            20s);
        std::this_thread::sleep_for(1s);  // s_client quits at end of input: keep it open a moment
        sclient.writeLine("Q");
        Handshake h;
        h.exit = sclient.wait(10s);
        if (!h.exit) sclient.stop(2s);
        h.output = sclient.output();
        return h;
    }

    static core::EndpointOptions clientOptions() {
        core::EndpointOptions o;
        o.udpPort = std::nullopt;
        return o;
    }

    TempDir dir;
    core::CoapEndpoint client{clientOptions()};
};

TEST_F(OpensslClient, OnlyTheOcfPskSuite) {
    if (findOnPath("openssl").find('/') == std::string::npos) GTEST_SKIP() << "the openssl command is not installed";
    auto running = startDevices({"--svrdb", (dir / "jw.dat").string(), "--ownership-timeout", "5"});
    const auto& device = running[0];
    const auto waitForReset = [&](std::size_t from) {
        // A Just-Works session that closes in RFOTM resets the device (same UUID); wait for it so
        // the next client does not meet "an ownership session is already open".
        return running.process->waitForLine([](const std::string& l) { return l.find("reset (") != std::string::npos; }, 15s, from);
    };

    // s_client prints "Cipher is X" once the server chose X, even when the handshake fails after
    // that (seen: "alert unknown psk identity" with "Cipher is ECDHE-PSK-AES128-CBC-SHA256"), so a
    // completed handshake is: no alert, a clean exit at "Q", and the device's own session line.
    const auto completed = [&](const Handshake& h, std::size_t from) {
        EXPECT_NE(h.output.find("Cipher is ECDHE-PSK-AES128-CBC-SHA256"), std::string::npos) << h.output << "\n----- steward-device -----\n"
                                                                                             << running.process->output();
        EXPECT_EQ(h.output.find("alert"), std::string::npos) << h.output << "\n----- steward-device -----\n" << running.process->output();
        EXPECT_EQ(h.exit, std::optional<int>(0)) << h.output;
        const auto opened = running.process->waitForLine(
            [](const std::string& l) { return l.find("ownership session opened") != std::string::npos; }, 5s, from);
        EXPECT_TRUE(opened) << "the device saw no session:\n" << running.process->output() << "\n----- s_client -----\n" << h.output;
        if (opened) {
            EXPECT_NE(opened->second.find("ECDHE-PSK-AES128-CBC-SHA256"), std::string::npos) << opened->second;
        }
    };

    std::size_t from = running.process->lines().size();
    const auto ocf = connect(device, "ECDHE-PSK-AES128-CBC-SHA256");
    completed(ocf, from);
    EXPECT_TRUE(waitForReset(from)) << running.process->output();

    for (const std::string cipher : {"ECDHE-PSK-CHACHA20-POLY1305", "PSK-AES128-GCM-SHA256"}) {
        const auto before = running.process->lines().size();
        const auto refused = connect(device, cipher);
        EXPECT_EQ(refused.output.find("Cipher is " + cipher), std::string::npos) << cipher << " was accepted:\n"
                                                                                 << refused.output << "\n----- steward-device -----\n"
                                                                                 << running.process->output();
        EXPECT_TRUE(refused.exit && *refused.exit != 0) << cipher << ":\n" << refused.output;
        EXPECT_NE(refused.output.find("alert"), std::string::npos) << cipher << " was not refused with an alert:\n" << refused.output;
        EXPECT_FALSE(running.process->waitForLine(
            [](const std::string& l) { return l.find("ownership session opened") != std::string::npos; }, 0ms, before))
            << cipher << " opened a session:\n"
            << running.process->output();
    }

    // And the device still takes the OCF suite afterwards: the refusals were about the suite.
    from = running.process->lines().size();
    const auto again = connect(device, "ECDHE-PSK-AES128-CBC-SHA256");
    completed(again, from);
    EXPECT_EQ(running.process->stop(), 0) << running.process->output();
}

}  // namespace
}  // namespace steward::test
