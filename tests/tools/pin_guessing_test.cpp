// Guessing a Random-PIN device's PIN from another host of the LAN while its owner is onboarding it
// (issue 13.5, 20.4). The attacker is a client we did not write: `openssl s_client` bound to
// 127.0.0.2, offering the Random-PIN identity with a key of its own. The owner is `steward own`
// on 127.0.0.1 with the PIN the device shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "device_fixture.hpp"
#include "dtls_stalling_relay.hpp"
#include "process_runner.hpp"
#include "steward/crypto/random.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

std::string hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 15]);
    }
    return out;
}

// One PIN guess from 127.0.0.2: a DTLS 1.2 handshake with OCF's suite, the Random-PIN identity
// and a random key (wrong, but for a chance of 2^-128), to `port` there (the device's DTLS port,
// or a relay's on 127.0.0.2).
std::unique_ptr<BackgroundProcess> guess(const std::string& host, std::uint16_t port) {
    return std::make_unique<BackgroundProcess>(
        findOnPath("openssl"), std::vector<std::string>{"s_client", "-dtls1_2", "-bind", "127.0.0.2:0", "-connect",
                                                        host + ":" + std::to_string(port), "-psk_identity", "oic.sec.doxm.rdp", "-psk",
                                                        hex(core::randomBytes(16)), "-cipher", "ECDHE-PSK-AES128-CBC-SHA256"});
}
std::unique_ptr<BackgroundProcess> guess(const DeviceAddress& device) { return guess("127.0.0.1", device.securePort); }

std::size_t countLines(const BackgroundProcess& process, const std::string& text) {
    const auto lines = process.lines();
    return static_cast<std::size_t>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; }));
}

bool waitForCount(BackgroundProcess& process, const std::string& text, std::size_t count, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (countLines(process, text) < count) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

TEST(PinGuessing, AnAttackerGetsOneGuessAtATimeIsLockedOutAloneAndTheOwnerStillGetsIn) {
    if (findOnPath("openssl") == "openssl") GTEST_SKIP() << "openssl (the command) is not installed";
    TempDir dir;
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    BackgroundProcess owner(STEWARD_CLI_BIN, {"--local", "own", "--all", "--json", "--pin-timeout", "90", "--unicast",
                                              "127.0.0.1:" + std::to_string(rdp[0].port), "--state-dir", (dir / "state").string()});
    std::size_t from = 0;
    const auto pin = waitForPin(*rdp.process, from, 20s);
    ASSERT_TRUE(pin) << rdp.process->output() << owner.output();

    const std::string inProgress = "another PIN handshake (from 127.0.0.2) is in progress";
    const std::string wrongPin = "failed (wrong PIN?)";
    // A guess held open after the key exchange (its Finished never sent) holds the PIN key: every
    // other handshake is refused while it lasts, so guesses cannot run side by side.
    {
        DtlsStallingRelay relay("127.0.0.2", "127.0.0.1", rdp[0].securePort);
        auto held = guess("127.0.0.2", relay.listenPort());
        for (int i = 0; i < 100 && relay.stalledFlights() == 0; ++i) std::this_thread::sleep_for(50ms);
        ASSERT_EQ(relay.stalledFlights(), 1) << rdp.process->output();
        for (std::size_t n = 1; n <= 2; ++n) {
            auto other = guess(rdp[0]);
            ASSERT_TRUE(waitForCount(*rdp.process, inProgress, n, 10s)) << rdp.process->output();
        }
        EXPECT_EQ(countLines(*rdp.process, wrongPin), 0U) << "refused handshakes spend no guess\n" << rdp.process->output();
        // The held one is charged when the device gives up on it.
        ASSERT_TRUE(waitForCount(*rdp.process, wrongPin, 1, 15s)) << rdp.process->output();
        EXPECT_EQ(countLines(*rdp.process, "1 wrong PIN from 127.0.0.2"), 1U) << rdp.process->output();
    }

    // Two more, one after the other (a wrong Finished is refused with bad_record_mac at once): the
    // third wrong PIN locks that address out.
    for (std::size_t n = 2; n <= 3; ++n) {
        auto attacker = guess(rdp[0]);
        ASSERT_TRUE(waitForCount(*rdp.process, wrongPin, n, 15s)) << rdp.process->output();
    }
    EXPECT_EQ(countLines(*rdp.process, "3 wrong PINs from 127.0.0.2; refusing PIN handshakes from it for 5 s"), 1U)
        << rdp.process->output();
    {
        auto locked = guess(rdp[0]);
        ASSERT_TRUE(waitForCount(*rdp.process, "backing off after 3 wrong PINs from 127.0.0.2", 1, 10s)) << rdp.process->output();
    }
    EXPECT_EQ(countLines(*rdp.process, wrongPin), 3U) << "a refused handshake spends no guess\n" << rdp.process->output();

    // The owner, on another address, is not locked out: the right PIN onboards the device.
    ASSERT_TRUE(owner.writeLine(*pin));
    EXPECT_EQ(owner.wait(30s), 0) << owner.output() << rdp.process->output();
    EXPECT_NE(owner.output().find("\"owned\""), std::string::npos) << owner.output();
}

}  // namespace
}  // namespace steward::test
