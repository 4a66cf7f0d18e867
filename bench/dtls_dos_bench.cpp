// What denial-of-service attacks from the LAN cost a device's legitimate user (issue 20.3, 20.4).
// A device's DTLS listener in this process (127.0.0.1, the shipped bounds) and a legitimate client
// that opens a session and sends a request every 100 ms; per attack, its success rate and latency
// during the attack against the same without an attack, measured in the same run:
//   half-open, one address     handshakes that echo the cookie and go silent, from 127.0.0.2
//   half-open, many addresses  the same from 127.0.0.2 .. 127.0.0.N in turn
//   wrong PINs, one address    Random-PIN handshakes with a wrong key from 127.0.0.2 one after
//                              the other (`openssl s_client`), against PinGuessLimiter's shipped
//                              limits; the legitimate client knows the PIN (the current one,
//                              after a rotation)
//   PIN key held, one address  the same, each held half-open with the PIN key for 6 s (a relay
//                              drops its Finished)
//
//   steward_dtls_dos_bench [--seconds S] [--rate R] [--addresses N] [--json]
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "process_runner.hpp"
#include "steward/crypto/ocf_kdf.hpp"
#include "steward/crypto/random.hpp"
#include "steward/device/device_security.hpp"
#include "steward/transport/coap_endpoint.hpp"
#include "steward/transport/transport_log.hpp"
#include "steward/version.hpp"
#include "support/background_process.hpp"
#include "support/dtls_half_open_flood.hpp"
#include "support/dtls_stalling_relay.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace steward;

const core::PskBytes kIdentity{'o', 'w', 'n', 'e', 'r'};
const core::PskBytes kPinIdentity{'o', 'i', 'c', '.', 's', 'e', 'c', '.', 'd', 'o', 'x', 'm', '.', 'r', 'd', 'p'};

// A listener whose owner key is fixed and whose Random-PIN identity is guarded by the shipped
// PinGuessLimiter (a new PIN when it says the shown one is spent).
class BenchListener {
public:
    BenchListener() : pin_(randomPin()) {
        core::EndpointOptions o;
        o.udpPort = std::nullopt;
        o.dtlsPort = 0;
        o.serverHandshakeTimeout = 5s;  // as steward-device
        o.serverPsk = core::ServerPskConfig{
            {'h'}, [this](std::span<const std::uint8_t> identity, const core::PeerInfo& peer) { return keyFor(identity, peer); }};
        o.onSessionEvent = [this](const core::SessionEvent& e) { onEvent(e); };
        endpoint_ = std::make_unique<core::CoapEndpoint>(std::move(o));
        endpoint_->addResource("/a/light", [](const core::CoapRequest&, const core::PeerInfo&) {
            return core::CoapResponse::withCode(core::CoapCode::Content);
        });
    }
    std::uint16_t port() const { return endpoint_->securePort(); }
    core::CoapEndpoint& endpoint() { return *endpoint_; }
    core::SecretBytes pinKey() {
        const std::lock_guard lock(mutex_);
        return keyOf(pin_);
    }
    int rotations() const { return rotations_.load(); }

private:
    static std::string randomPin() {
        std::string pin;
        for (auto b : core::randomBytes(8)) pin.push_back(static_cast<char>('0' + b % 10));
        return pin;
    }
    static core::SecretBytes keyOf(const std::string& pin) {
        return core::SecretBytes(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(pin.data()), pin.size()));
    }
    std::optional<core::SecretBytes> keyFor(std::span<const std::uint8_t> identity, const core::PeerInfo& peer) {
        const core::PskBytes asBytes(identity.begin(), identity.end());
        if (asBytes == kIdentity) return core::SecretBytes(std::span<const std::uint8_t>(kOwnerKey));
        if (asBytes != kPinIdentity) return std::nullopt;
        const std::lock_guard lock(mutex_);
        if (limiter_.admit(peer.sessionId, peer.remoteAddress, Clock::now())) return std::nullopt;
        return keyOf(pin_);
    }
    void onEvent(const core::SessionEvent& e) {
        const std::lock_guard lock(mutex_);
        if (e.type == core::SessionEventType::Established) limiter_.succeeded(e.peer.sessionId);
        if (e.type == core::SessionEventType::Failed && limiter_.failed(e.peer.sessionId, Clock::now()) && limiter_.pinSpent()) {
            pin_ = randomPin();
            limiter_.newPinShown();
            ++rotations_;
        }
    }

    static constexpr std::uint8_t kOwnerKey[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    std::mutex mutex_;
    core::PinGuessLimiter limiter_;
    std::string pin_;
    std::atomic<int> rotations_{0};
    std::unique_ptr<core::CoapEndpoint> endpoint_;
};

struct Tally {
    int attempts = 0;
    int successes = 0;
    std::vector<double> latenciesMs;
    double rate() const { return attempts == 0 ? 0 : static_cast<double>(successes) / attempts; }
    double percentile(double p) const {
        if (latenciesMs.empty()) return 0;
        auto sorted = latenciesMs;
        std::sort(sorted.begin(), sorted.end());
        return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
    }
};

// The legitimate client for `duration`: a session (owner key, or the PIN) and a request on it.
Tally legitimate(BenchListener& listener, bool byPin, std::chrono::milliseconds duration) {
    core::EndpointOptions o;
    o.udpPort = std::nullopt;
    core::CoapEndpoint client(o);
    Tally tally;
    const auto end = Clock::now() + duration;
    while (Clock::now() < end) {
        ++tally.attempts;
        const core::PskBytes identity = byPin ? kPinIdentity : kIdentity;
        core::SecretBytes key =
            byPin ? listener.pinKey() : core::SecretBytes(core::PskBytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        auto psk = [identity, &key](std::span<const std::uint8_t>) {
            return std::optional(core::ClientPskCredentials{identity, key.clone()});
        };
        const auto started = Clock::now();
        auto session = client.openSession({"127.0.0.1", listener.port()}, psk, 5s);
        if (session.ok() && client.request(session.value(), core::CoapRequest::get("/a/light"), 5s).ok()) {
            ++tally.successes;
            tally.latenciesMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        }
        if (session.ok()) client.closeSession(session.value());
        std::this_thread::sleep_for(100ms);
    }
    return tally;
}

std::string randomKeyHex() {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (auto b : core::randomBytes(16)) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 15]);
    }
    return out;
}

// Wrong PINs from 127.0.0.2, one after the other: `openssl s_client` (our client cannot bind its
// sessions to another address), either straight to the listener (refused at once by its wrong
// Finished) or through a relay that holds each one half-open with the PIN key for 6 s.
class WrongPins {
public:
    WrongPins(std::uint16_t port, bool holdHalfOpen) : thread_([this, port, holdHalfOpen] { run(port, holdHalfOpen); }) {}
    ~WrongPins() {
        stop_ = true;
        thread_.join();
    }
    int attempts() const { return attempts_.load(); }

private:
    void run(std::uint16_t port, bool holdHalfOpen) {
        const std::string openssl = test::findOnPath("openssl");
        auto args = [&](const std::string& host, std::uint16_t to) {
            return std::vector<std::string>{
                "s_client",      "-dtls1_2",         "-bind", "127.0.0.2:0",  "-connect", host + ":" + std::to_string(to),
                "-psk_identity", "oic.sec.doxm.rdp", "-psk",  randomKeyHex(), "-cipher",  "ECDHE-PSK-AES128-CBC-SHA256"};
        };
        while (!stop_) {
            ++attempts_;
            if (!holdHalfOpen) {
                test::runProcess(openssl, args("127.0.0.1", port), "", 10s);
                continue;
            }
            test::DtlsStallingRelay relay("127.0.0.2", "127.0.0.1", port);
            test::BackgroundProcess held(openssl, args("127.0.0.2", relay.listenPort()));  // the relay listens there
            const auto end = Clock::now() + 6s;
            while (!stop_ && Clock::now() < end) std::this_thread::sleep_for(20ms);
        }
    }
    std::atomic<bool> stop_{false};
    std::atomic<int> attempts_{0};
    std::thread thread_;
};

struct Row {
    std::string name;
    Tally quiet;
    Tally attacked;
    int attackCount = 0;
};

}  // namespace

int main(int argc, char** argv) {
    int seconds = 6;
    double rate = 60;
    int addresses = 12;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--seconds" && i + 1 < argc) {
            seconds = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--rate" && i + 1 < argc) {
            rate = std::max(1.0, std::atof(argv[++i]));
        } else if (a == "--addresses" && i + 1 < argc) {
            addresses = std::clamp(std::atoi(argv[++i]), 2, 250);
        } else if (a == "--json") {
            json = true;
        } else if (a == "--version") {
            std::cout << "steward_dtls_dos_bench " << core::versionText() << '\n';
            return 0;
        } else {
            std::cout << "usage: steward_dtls_dos_bench [--seconds S] [--rate R] [--addresses N] [--json]\n";
            return a == "--help" ? 0 : 64;
        }
    }
    core::setTransportLogLevel(core::TransportLogLevel::Error);
    const auto span = std::chrono::seconds(seconds);
    std::vector<Row> rows;
    auto floodRow = [&](const std::string& name, std::vector<std::string> sources) {
        if (!json) std::cerr << name << ", " << seconds << " s quiet + " << seconds << " s attacked...\n";
        BenchListener listener;
        Row row{name, legitimate(listener, false, span), {}, 0};
        test::HalfOpenDtlsFlood flood({std::move(sources), "127.0.0.1", listener.port(), rate, 20s});
        std::this_thread::sleep_for(1s);  // let it fill what it can
        row.attacked = legitimate(listener, false, span);
        row.attackCount = flood.cookieEchoes();
        rows.push_back(std::move(row));
    };
    floodRow("half-open, one address", {"127.0.0.2"});
    std::vector<std::string> many;
    for (int i = 0; i < addresses; ++i) many.push_back("127.0.0." + std::to_string(2 + i));
    floodRow("half-open, " + std::to_string(addresses) + " addresses", many);
    auto pinRow = [&](const std::string& name, bool holdHalfOpen) {
        if (!json) std::cerr << name << ", " << seconds << " s quiet + " << seconds << " s attacked...\n";
        BenchListener listener;
        Row row{name, legitimate(listener, true, span), {}, 0};
        WrongPins attacker(listener.port(), holdHalfOpen);
        row.attacked = legitimate(listener, true, span);
        row.attackCount = attacker.attempts();
        rows.push_back(std::move(row));
    };
    pinRow("wrong PINs, one address", false);
    pinRow("PIN key held, one address", true);

    if (json) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("seconds", seconds);
        o.set("rate", rate);
        Poco::JSON::Array list;
        for (const auto& r : rows) {
            Poco::JSON::Object x(Poco::JSON_PRESERVE_KEY_ORDER);
            x.set("attack", r.name);
            x.set("attack_attempts", r.attackCount);
            x.set("success_quiet", r.quiet.rate());
            x.set("success_attacked", r.attacked.rate());
            x.set("success_ratio", r.quiet.rate() > 0 ? r.attacked.rate() / r.quiet.rate() : 0.0);
            x.set("p50_ms_quiet", r.quiet.percentile(0.5));
            x.set("p50_ms_attacked", r.attacked.percentile(0.5));
            x.set("p95_ms_quiet", r.quiet.percentile(0.95));
            x.set("p95_ms_attacked", r.attacked.percentile(0.95));
            list.add(x);
        }
        o.set("attacks", list);
        o.stringify(std::cout);
        std::cout << "\n";
        return 0;
    }
    std::printf("%-28s %9s %10s %10s %8s %10s %10s %8s\n", "attack", "attacks", "ok quiet", "ok attack", "ratio", "p50 quiet", "p50 att.",
                "ratio");
    for (const auto& r : rows) {
        const double p50q = r.quiet.percentile(0.5);
        const double p50a = r.attacked.percentile(0.5);
        std::printf("%-28s %9d %9.1f%% %9.1f%% %8.2f %8.1fms %8.1fms %8.2f\n", r.name.c_str(), r.attackCount, 100 * r.quiet.rate(),
                    100 * r.attacked.rate(), r.quiet.rate() > 0 ? r.attacked.rate() / r.quiet.rate() : 0.0, p50q, p50a,
                    p50q > 0 ? p50a / p50q : 0.0);
    }
    std::printf("(p95, attacked vs quiet: ");
    for (const auto& r : rows)
        std::printf("%s %.1f ms vs %.1f ms; ", r.name.c_str(), r.attacked.percentile(0.95), r.quiet.percentile(0.95));
    std::printf(")\n");
    return 0;
}
