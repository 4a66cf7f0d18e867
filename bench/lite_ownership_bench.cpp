// Random-PIN ownership of iotivity-lite's simpleserver (a device we did not write) by Steward and
// by iotivity-lite's own onboarding tool, in one private network namespace, in the same run,
// alternating, a fresh simpleserver each time. Timed from the moment the PIN is typed to the
// tool's success line, so the PIN entry and discovery are excluded for both:
//   Steward: `steward --local own UUID --method randompin`; PIN written to its prompt -> its
//            "[1/1] UUID (...): owned" line.
//   lite:    onboarding tool item 9 (the device shows its PIN), then item 10 with the PIN ->
//            "Successfully performed OTM on device".
// Needs root (the namespace) and the peers (STEWARD_LITE_PEERS_DIR).
//
//   steward_lite_ownership_bench [--rounds N] [--json]
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "lite_peer.hpp"
#include "process_runner.hpp"
#include "steward/version.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace steward::test;

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// The uuid simpleserver answers discovery with.
std::string discoverLite(const NetworkNamespace& ns) {
    const auto argv = inNamespace(ns, {STEWARD_CLI_BIN, "discover", "--multicast-if", "v0", "--scope", "unowned", "--timeout", "2500"});
    const auto r = runProcess(argv.front(), {argv.begin() + 1, argv.end()}, "", 30s);
    const auto at = r.out.find("  ");
    if (r.exitCode != 0 || at == std::string::npos) throw std::runtime_error("steward discover found nothing: " + r.out + r.err);
    return r.out.substr(at + 2, 36);
}

std::optional<double> stewardOwns(const NetworkNamespace& ns, const std::filesystem::path& state) {
    LiteSimpleServer server(ns);
    const std::string uuid = discoverLite(ns);
    const auto argv = inNamespace(ns, {STEWARD_CLI_BIN, "--local", "own", uuid, "--method", "randompin", "--multicast-if", "v0",
                                       "--timeout", "2500", "--pin-timeout", "60", "--state-dir", state.string()});
    BackgroundProcess cli(argv.front(), {argv.begin() + 1, argv.end()});
    std::size_t from = server.lineCount();
    const auto pin = server.waitForPin(from, 30s);
    if (!pin) return std::nullopt;
    const auto typed = Clock::now();
    cli.writeLine(*pin);
    const auto done = cli.waitForLine([&](const std::string& l) { return l.find("[1/1] " + uuid) != std::string::npos; }, 60s);
    const double ms = msSince(typed);
    if (!done || done->second.find("): owned") == std::string::npos) {
        std::cerr << "steward own failed:\n" << cli.output() << '\n';
        return std::nullopt;
    }
    cli.wait(10s);
    return ms;
}

std::optional<double> liteOwns(const NetworkNamespace& ns) {
    LiteSimpleServer server(ns);
    LiteOnboardingTool obt(ns);
    const auto found = obt.discoverUnowned(5s);
    if (found.empty()) return std::nullopt;
    std::size_t from = server.lineCount();
    if (!obt.requestRandomPin(found.front().uuid).ok) return std::nullopt;
    const auto pin = server.waitForPin(from, 30s);
    if (!pin) return std::nullopt;
    const auto typed = Clock::now();
    const auto outcome = obt.randomPinOtm(found.front().uuid, *pin);
    const double ms = msSince(typed);
    if (!outcome.ok) {
        std::cerr << "onboarding_tool OTM failed: " << outcome.message << '\n';
        return std::nullopt;
    }
    return ms;
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = 7;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--rounds" && i + 1 < argc) {
            rounds = std::max(1, std::stoi(argv[++i]));
        } else if (a == "--json") {
            json = true;
        } else if (a == "--version") {
            std::cout << "steward_lite_ownership_bench " << steward::core::versionText() << '\n';
            return 0;
        } else if (a == "--help" || a == "-h") {
            std::cout << "usage: steward_lite_ownership_bench [--rounds N] [--json]\n"
                         "       steward_lite_ownership_bench --version\n"
                         "Random-PIN ownership of iotivity-lite's simpleserver: Steward against iotivity-lite's\n"
                         "onboarding tool, same namespace, same run; PIN entry excluded. Needs root.\n";
            return 0;
        } else {
            std::cerr << "unknown option " << a << '\n';
            return 2;
        }
    }
    if (auto why = liteInteropUnavailableReason()) {
        std::cerr << "steward_lite_ownership_bench: cannot run: " << *why << '\n';
        return 1;
    }
    NetworkNamespace ns;
    TempDir dir;
    std::vector<double> steward;
    std::vector<double> lite;
    for (int r = 0; r < rounds; ++r) {
        // Alternating, so that drift in machine load touches both alike.
        if (auto ms = liteOwns(ns)) lite.push_back(*ms);
        if (auto ms = stewardOwns(ns, dir / ("state" + std::to_string(r)))) steward.push_back(*ms);
        std::cerr << "round " << r + 1 << "/" << rounds << ": lite " << (lite.empty() ? 0 : lite.back()) << " ms, steward "
                  << (steward.empty() ? 0 : steward.back()) << " ms\n";
    }
    const double s = median(steward);
    const double l = median(lite);
    if (json) {
        Poco::JSON::Object o;
        o.set("rounds", rounds);
        o.set("steward_ok", steward.size());
        o.set("lite_ok", lite.size());
        o.set("steward_median_ms", s);
        o.set("lite_median_ms", l);
        o.set("ratio", l > 0 ? s / l : 0.0);
        o.stringify(std::cout);
        std::cout << '\n';
    } else {
        std::cout << "Random-PIN ownership of simpleserver, PIN entry excluded (" << rounds << " rounds each)\n"
                  << "  iotivity-lite onboarding_tool: median " << l << " ms (" << lite.size() << " ok)\n"
                  << "  steward --local own:           median " << s << " ms (" << steward.size() << " ok)\n"
                  << "  ratio steward / lite: " << (l > 0 ? s / l : 0.0) << '\n';
    }
    return steward.empty() || lite.empty() ? 1 : 0;
}
