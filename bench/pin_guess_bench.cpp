// How fast a host on the LAN can guess a Random-PIN device's PIN (issue 13.5). A device in this
// process (DeviceSecurity behind a real DTLS endpoint on 127.0.0.1, the PIN shown) and attackers
// guessing with a random key each time, each scenario for a fixed time:
//   unbounded       the device with no limits: the baseline, the raw handshake rate (Steward's
//                   own DTLS client, as fast as it goes, from 127.0.0.1)
//   one address     the shipped limits, the same client
//   many addresses  the shipped limits, a client we did not write (`openssl s_client`, one
//                   process per guess: slower, ~0.5 s each) from 127.0.1.1 .. 127.0.1.N in turn
// Then the shipped limits' steady state: PinGuessLimiter driven over a virtual week by an attacker
// who retries the moment it may, and the expected time to find an 8-digit PIN at that rate.
//
//   steward_pin_guess_bench [--seconds S] [--baseline-seconds S] [--addresses N] [--json]
#include <Poco/JSON/Object.h>

#include <atomic>
#include <iostream>

#include "process_runner.hpp"
#include "steward/crypto/random.hpp"
#include "steward/device/device_security.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "steward/transport/transport_log.hpp"
#include "steward/version.hpp"
#include "support/temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace steward;

constexpr double kPinSpace = 1e8;  // 8 decimal digits

class BenchDevice {
public:
    explicit BenchDevice(const core::PinGuessLimits& limits) {
        const auto file = dir_ / "device.dat";
        const auto id = core::Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99").value();
        { core::SvrDatabase::create(file, core::factoryResources(id, core::DeviceProfile{{core::oxm::kRandomPin}, false})); }
        core::DeviceSecurityHooks hooks;
        hooks.log = [this](const std::string& line) {
            if (line.find("failed (wrong PIN?)") != std::string::npos) ++charged_;
        };
        core::DeviceSecurityOptions options;
        options.pinGuesses = limits;
        security_ = std::make_unique<core::DeviceSecurity>(core::SvrDatabase::open(file), hooks, options);
        const auto select = core::CoapRequest::post("/oic/sec/doxm", {0xA1, 0x66, 'o', 'x', 'm', 's', 'e', 'l', 0x01});
        if (security_->handleSecurityRequest(select, core::PeerInfo{}).code != core::CoapCode::Changed) {
            throw std::runtime_error("the device refused to select Random PIN");
        }
        core::EndpointOptions o;
        o.bindAddress = "127.0.0.1";
        o.udpPort = std::nullopt;
        o.dtlsPort = 0;
        o.serverPsk =
            core::ServerPskConfig{security_->identityHint(), [this](std::span<const std::uint8_t> identity, const core::PeerInfo& peer) {
                                      return security_->keyForIdentity(identity, peer);
                                  }};
        o.onSessionEvent = [this](const core::SessionEvent& e) { security_->onSessionEvent(e); };
        o.serverHandshakeTimeout = 5s;  // as steward-device
        endpoint_ = std::make_unique<core::CoapEndpoint>(std::move(o));
    }
    std::uint16_t port() const { return endpoint_->securePort(); }
    int guessesSpent() const { return charged_.load(); }

private:
    test::TempDir dir_;
    std::atomic<int> charged_{0};
    std::unique_ptr<core::DeviceSecurity> security_;
    std::unique_ptr<core::CoapEndpoint> endpoint_;
};

std::string randomKeyHex() {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (auto b : core::randomBytes(16)) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 15]);
    }
    return out;
}

struct Measured {
    int spent = 0;     // handshakes that were given the PIN key and failed: guesses
    int attempts = 0;  // handshakes started (refused ones included)
    double seconds = 0;
    double perMinute() const { return seconds > 0 ? spent * 60.0 / seconds : 0; }
};

// Steward's DTLS client from 127.0.0.1, one handshake after the other.
Measured attackFromOneAddress(const core::PinGuessLimits& limits, std::chrono::seconds duration) {
    BenchDevice device(limits);
    core::EndpointOptions o;
    o.udpPort = std::nullopt;
    core::CoapEndpoint client(o);
    const std::string label = "oic.sec.doxm.rdp";
    Measured m;
    const auto start = Clock::now();
    while (Clock::now() - start < duration) {
        auto session = client.openSession({"127.0.0.1", device.port()},
                                          core::fixedClientPsk({{label.begin(), label.end()}, core::randomSecret(16)}), 10s);
        ++m.attempts;
    }
    m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    m.spent = device.guessesSpent();
    return m;
}

// `openssl s_client` processes bound to 127.0.1.1 .. 127.0.1.N in turn.
Measured attackFromManyAddresses(const core::PinGuessLimits& limits, int addresses, std::chrono::seconds duration) {
    BenchDevice device(limits);
    const std::string openssl = test::findOnPath("openssl");
    Measured m;
    const auto start = Clock::now();
    while (Clock::now() - start < duration) {
        const std::string from = "127.0.1." + std::to_string(1 + m.attempts % addresses);
        test::runProcess(openssl,
                         {"s_client", "-dtls1_2", "-bind", from + ":0", "-connect", "127.0.0.1:" + std::to_string(device.port()),
                          "-psk_identity", "oic.sec.doxm.rdp", "-psk", randomKeyHex(), "-cipher", "ECDHE-PSK-AES128-CBC-SHA256"},
                         "", 10s);
        ++m.attempts;
    }
    m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    m.spent = device.guessesSpent();
    return m;
}

// The limits' steady state: guesses per minute over the last six days of a virtual week, for an
// attacker who retries the moment it may, each wrong guess taking `handshake` of wall time.
double steadyStatePerMinute(const core::PinGuessLimits& limits, int addresses, std::chrono::milliseconds handshake) {
    core::PinGuessLimiter limiter(limits);
    auto now = Clock::time_point{} + 1h;
    const auto warmUpEnd = now + 24h;
    const auto end = now + 7 * 24h;
    long long counted = 0;
    core::PinGuessLimiter::AttemptId id = 0;
    while (now < end) {
        const std::string from = "10.0." + std::to_string(static_cast<int>(id % static_cast<unsigned>(addresses)));
        if (!limiter.admit(++id, from, now)) {
            now += handshake;
            limiter.failed(id, now);
            if (now >= warmUpEnd) ++counted;
        } else {
            now += 100ms;  // knocking again at once: a refused handshake costs the attacker a round trip
        }
    }
    return static_cast<double>(counted) / std::chrono::duration<double, std::ratio<60>>(end - warmUpEnd).count();
}

std::string years(double perMinute) {
    const double minutes = kPinSpace / 2 / perMinute;
    const double y = minutes / (60 * 24 * 365.25);
    char text[64];
    if (y >= 1) {
        std::snprintf(text, sizeof(text), "%.0f years", y);
    } else {
        std::snprintf(text, sizeof(text), "%.1f days", minutes / (60 * 24));
    }
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    int seconds = 60;
    int baselineSeconds = 10;
    int addresses = 50;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--seconds" && i + 1 < argc) {
            seconds = std::max(1, std::stoi(argv[++i]));
        } else if (a == "--baseline-seconds" && i + 1 < argc) {
            baselineSeconds = std::max(1, std::stoi(argv[++i]));
        } else if (a == "--addresses" && i + 1 < argc) {
            addresses = std::max(2, std::stoi(argv[++i]));
        } else if (a == "--json") {
            json = true;
        } else if (a == "--version") {
            std::cout << "steward_pin_guess_bench " << steward::core::versionText() << '\n';
            return 0;
        } else {
            std::cout << "usage: steward_pin_guess_bench [--seconds S] [--baseline-seconds S] [--addresses N] [--json]\n"
                         "       steward_pin_guess_bench --version\n";
            return a == "--help" ? 0 : 2;
        }
    }
    if (test::findOnPath("openssl") == "openssl") {
        std::cerr << "steward_pin_guess_bench: needs the openssl command (the attacker)\n";
        return 1;
    }
    core::PinGuessLimits unbounded;
    unbounded.freeFailuresPerAddress = 1 << 30;
    unbounded.globalBurst = 1 << 30;
    const core::PinGuessLimits shipped;

    if (!json) std::cerr << "unbounded device, " << baselineSeconds << " s...\n";
    core::setTransportLogLevel(core::TransportLogLevel::Error);  // every refusal is a libcoap warning
    const auto base = attackFromOneAddress(unbounded, std::chrono::seconds(baselineSeconds));
    if (!json) std::cerr << "shipped limits, one address, " << seconds << " s...\n";
    const auto one = attackFromOneAddress(shipped, std::chrono::seconds(seconds));
    if (!json) std::cerr << "shipped limits, " << addresses << " addresses, " << seconds << " s...\n";
    const auto many = attackFromManyAddresses(shipped, addresses, std::chrono::seconds(seconds));
    const auto handshake = std::chrono::milliseconds(static_cast<long long>(base.seconds * 1000 / std::max(base.attempts, 1)));
    const double steadyOne = steadyStatePerMinute(shipped, 1, handshake);
    const double steadyMany = steadyStatePerMinute(shipped, addresses, handshake);

    if (json) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("baseline_guesses_per_minute", base.perMinute());
        o.set("one_address_guesses", one.spent);
        o.set("one_address_attempts", one.attempts);
        o.set("many_addresses_guesses", many.spent);
        o.set("many_addresses_attempts", many.attempts);
        o.set("window_seconds", seconds);
        o.set("steady_one_address_per_minute", steadyOne);
        o.set("steady_many_addresses_per_minute", steadyMany);
        o.set("expected_years_one_address", kPinSpace / 2 / steadyOne / (60 * 24 * 365.25));
        o.set("expected_years_many_addresses", kPinSpace / 2 / steadyMany / (60 * 24 * 365.25));
        o.stringify(std::cout);
        std::cout << "\n";
        return 0;
    }
    std::printf("%-34s %10s %10s %12s %14s\n", "scenario", "attempts", "guesses", "guesses/min", "vs unbounded");
    std::printf("%-34s %10d %10d %12.1f %14s\n", "unbounded device (baseline)", base.attempts, base.spent, base.perMinute(), "1");
    for (const auto& [name, m] : {std::pair{std::string("shipped limits, one address"), one},
                                  std::pair{"shipped limits, " + std::to_string(addresses) + " addresses", many}}) {
        std::printf("%-34s %10d %10d %12.1f %14.4f\n", name.c_str(), m.attempts, m.spent, m.perMinute(), m.perMinute() / base.perMinute());
    }
    std::printf("\nsteady state of the shipped limits (virtual week, attacker retrying at once):\n");
    std::printf("  one address:     %.2f guesses/min -> expected time to find an 8-digit PIN: %s\n", steadyOne, years(steadyOne).c_str());
    std::printf("  %d addresses:    %.2f guesses/min -> expected time to find an 8-digit PIN: %s\n", addresses, steadyMany,
                years(steadyMany).c_str());
    std::printf("  unbounded:       %.0f guesses/min -> expected time to find an 8-digit PIN: %s\n", base.perMinute(),
                years(base.perMinute()).c_str());
    return 0;
}
