// Denial of service from the LAN against a real steward-device (issue 20.3, 20.4): a flood of
// half-open DTLS handshakes from other loopback hosts while the owner works, and wrong PINs from
// other hosts while the gateway onboards the device with the PIN it shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <thread>

#include "device_fixture.hpp"
#include "dtls_half_open_flood.hpp"
#include "process_runner.hpp"
#include "steward/crypto/ocf_kdf.hpp"
#include "steward/crypto/random.hpp"
#include "steward/onboarding/ownership_transfer.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using core::CoapCode;
using core::CoapRequest;

const core::Uuid kGateway = core::Uuid::parse("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f").value();

core::EndpointOptions clientOptions() {
    core::EndpointOptions o;
    o.udpPort = std::nullopt;
    return o;
}

core::OwnershipRequest ownership(const DeviceAddress& d, core::OwnershipMethod method) {
    core::OwnershipRequest r;
    r.gatewayId = kGateway;
    r.method = method;
    r.plain = d.plain();
    r.secure = d.secure();
    r.stepTimeout = 3s;
    return r;
}

long rssKb(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 15]);
    }
    return out;
}

// One wrong PIN from `source`: `openssl s_client` with the Random-PIN identity and a random key.
std::unique_ptr<BackgroundProcess> wrongPin(const std::string& source, const DeviceAddress& device) {
    return std::make_unique<BackgroundProcess>(
        findOnPath("openssl"),
        std::vector<std::string>{"s_client", "-dtls1_2", "-bind", source + ":0", "-connect",
                                 "127.0.0.1:" + std::to_string(device.securePort), "-psk_identity", "oic.sec.doxm.rdp", "-psk",
                                 hex(core::randomBytes(16)), "-cipher", "ECDHE-PSK-AES128-CBC-SHA256"});
}

std::size_t countLines(const BackgroundProcess& process, const std::string& text) {
    const auto lines = process.lines();
    return static_cast<std::size_t>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; }));
}

bool waitForCount(const BackgroundProcess& process, const std::string& text, std::size_t count, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (countLines(process, text) < count) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

TEST(DeviceDos, AHalfOpenHandshakeFloodFromSeveralHostsDoesNotKeepTheOwnerOut) {
    TempDir dir;
    auto running = startDevices({"--svrdb", (dir / "jw.dat").string()});
    const auto& device = running[0];
    core::CoapEndpoint client(clientOptions());
    const auto owned = core::transferOwnership(client, ownership(device, core::OwnershipMethod::JustWorks));
    ASSERT_TRUE(owned.ok) << owned.failedStep << ": " << owned.error << "\n" << running.process->output();
    auto existing = client.openSession(device.secure(), core::ownerSessionPsk(kGateway, owned.ownerPsk.clone()), 3s);
    ASSERT_TRUE(existing.ok()) << existing.error().message;
    const long rssBefore = rssKb(running.process->pid());

    std::vector<std::string> sources;
    for (int i = 2; i < 10; ++i) sources.push_back("127.0.0." + std::to_string(i));
    HalfOpenDtlsFlood flood({sources, "127.0.0.1", device.securePort, 60, 20s});
    for (int i = 0; i < 250 && flood.cookieEchoes() < 60; ++i) std::this_thread::sleep_for(20ms);
    ASSERT_GE(flood.cookieEchoes(), 60) << "the attack is running";

    // The owner, meanwhile: new sessions and requests on the one it had, each within 5 s.
    int attempts = 0;
    const auto end = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < end) {
        ++attempts;
        const auto started = std::chrono::steady_clock::now();
        auto session = client.openSession(device.secure(), core::ownerSessionPsk(kGateway, owned.ownerPsk.clone()), 5s);
        ASSERT_TRUE(session.ok()) << "attempt " << attempts << ": " << session.error().message;
        auto light = client.request(session.value(), CoapRequest::get("/a/light"), 5s);
        ASSERT_TRUE(light.ok()) << light.error().message;
        EXPECT_EQ(light.value().code, CoapCode::Content);
        EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
        client.closeSession(session.value());
        auto again = client.request(existing.value(), CoapRequest::get("/a/light"), 5s);
        ASSERT_TRUE(again.ok()) << "the established session was dropped: " << again.error().message;
        std::this_thread::sleep_for(200ms);
    }
    EXPECT_GT(flood.cookieEchoes(), 200) << "the attack ran all along";
    // Bounded memory: 8 hosts x 4 handshakes at most, whatever the flood's length.
    const long rssAfter = rssKb(running.process->pid());
    EXPECT_LT(rssAfter - rssBefore, 4096) << rssBefore << " kB -> " << rssAfter << " kB";
}

TEST(DeviceDos, WrongPinsFromOtherHostsRotateThePinAndTheGatewayOwnsTheDeviceWithTheNewOne) {
    if (findOnPath("openssl") == "openssl") GTEST_SKIP() << "openssl (the command) is not installed";
    TempDir dir;
    auto running = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    const auto& device = running[0];
    core::CoapEndpoint client(clientOptions());
    const std::string wrong = "failed (wrong PIN?)";

    std::size_t from = 0;
    std::optional<std::string> first;
    std::optional<std::string> second;
    auto request = ownership(device, core::OwnershipMethod::RandomPin);
    request.pin = [&](const core::Uuid&) -> std::optional<core::SecretBytes> {
        first = waitForPin(*running.process, from, 10s);
        if (!first) return std::nullopt;
        // While the user reads the PIN: three wrong PINs from 127.0.0.2 (which then backs off),
        // two from 127.0.0.3 — the fifth wrong PIN against the one shown spends it.
        const std::vector<std::string> attackers{"127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3"};
        for (std::size_t n = 1; n <= attackers.size(); ++n) {
            auto attacker = wrongPin(attackers[n - 1], device);
            if (!waitForCount(*running.process, wrong, n, 10s)) return std::nullopt;
        }
        second = waitForPin(*running.process, from, 5s);
        if (!second) return std::nullopt;
        // 127.0.0.2 keeps knocking while the gateway goes ahead: it is refused and holds nothing.
        auto knocking = wrongPin("127.0.0.2", device);
        if (!waitForCount(*running.process, "backing off after 3 wrong PINs from 127.0.0.2", 1, 5s)) return std::nullopt;
        return core::SecretBytes::fromText(*second);
    };
    const auto started = std::chrono::steady_clock::now();
    const auto result = core::transferOwnership(client, request);
    ASSERT_TRUE(result.ok) << result.failedStep << ": " << result.error << "\n" << running.process->output();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
    ASSERT_TRUE(first && second);
    EXPECT_NE(*first, *second);
    EXPECT_EQ(countLines(*running.process, "showing a new one"), 1U) << running.process->output();
    EXPECT_EQ(countLines(*running.process, wrong), 5U) << "the refused knock spent nothing\n" << running.process->output();
}

}  // namespace
}  // namespace steward::test
