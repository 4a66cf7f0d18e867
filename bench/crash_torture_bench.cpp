// Crash torture, the long run (issue 14): many SIGKILLs of the gateway (`steward --local`) at
// random points of ownership transfers and pairwise links, each followed by what a user does next
// (own again; sync and link again), and a check of the end state against the two good ends:
//   ownership: the device owned by us, in RFNOP, serving its owner, no pending row;
//   link: the link recorded and not stale, each device reaching the other's light.
// Anything else is "half-done". Reports trials, kills per step, half-done count, time to converge.
//
//   steward_crash_torture_bench [--trials N] [--seed S] [--json]
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <csignal>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "background_process.hpp"
#include "process_runner.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/onboarding/ownership_transfer.hpp"
#include "steward/version.hpp"
#include "support/temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace steward;

struct Device {
    std::unique_ptr<test::BackgroundProcess> process;
    core::Uuid id;
    std::uint16_t port = 0;
    std::uint16_t securePort = 0;
    std::filesystem::path svrdb;
};

Device startDevice(const std::filesystem::path& svrdb) {
    Device d;
    d.svrdb = svrdb;
    d.process = std::make_unique<test::BackgroundProcess>(
        STEWARD_DEVICE_BIN,
        std::vector<std::string>{"--svrdb", svrdb.string(), "--json", "--bind", "127.0.0.1", "--ownership-timeout", "1"});
    const auto ready = d.process->waitForLine([](const std::string& l) { return l.find("\"event\":\"ready\"") != std::string::npos; }, 10s);
    if (!ready) throw std::runtime_error("steward-device did not start:\n" + d.process->output());
    const auto o = Poco::JSON::Parser().parse(ready->second).extract<Poco::JSON::Object::Ptr>();
    d.id = *core::Uuid::parse(o->getValue<std::string>("uuid"));
    d.port = static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("port")));
    d.securePort = static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("secure_port")));
    return d;
}

test::ProcessResult cli(const std::filesystem::path& state, std::vector<std::string> args, const std::string& killAt = "") {
    args.insert(args.begin(), {STEWARD_CLI_BIN, "--local"});
    args.insert(args.end(), {"--state-dir", state.string()});
    if (!killAt.empty()) args.insert(args.begin(), "STEWARD_FAULT_KILL_AT=" + killAt);
    return test::runProcess(test::findOnPath("env"), args, "", 60s);
}

test::ProcessResult own(const std::filesystem::path& state, const Device& d, const std::string& killAt = "", bool verbose = false) {
    std::vector<std::string> args = {"own", "--all", "--unicast", "127.0.0.1:" + std::to_string(d.port)};
    if (verbose) args.push_back("--verbose");
    return cli(state, args, killAt);
}

// The device answers its owner: RFNOP, and /a/light over the owner credential.
bool ownedAndUsable(const std::filesystem::path& state, const Device& d) {
    const auto devices = cli(state, {"devices", "--json"});
    try {
        const auto list = Poco::JSON::Parser().parse(devices.out).extract<Poco::JSON::Array::Ptr>();
        if (list->size() != 1 || list->getObject(0)->getValue<std::string>("state") != "owned") return false;
    } catch (const std::exception&) {
        return false;
    }
    auto gateway = core::GatewayIdentity::openOrCreate(state / "gateway.svrdb");
    auto psk = gateway.ownerCredential(d.id);
    if (!psk) return false;
    core::EndpointOptions o;
    o.udpPort = std::nullopt;
    core::CoapEndpoint endpoint(o);
    auto session = endpoint.openSession({"127.0.0.1", d.securePort}, core::ownerSessionPsk(gateway.id(), std::move(*psk)), 5s);
    if (!session) return false;
    auto light = endpoint.request(session.value(), core::CoapRequest::get("/a/light"), 5s);
    auto pstat = endpoint.request(session.value(), core::CoapRequest::get("/oic/sec/pstat"), 5s);
    return light && light.value().code == core::CoapCode::Content && pstat &&
           core::decodePstat(pstat.value().payload).dos.state == core::DosState::Rfnop;
}

bool calls(const Device& from, const Device& to) {
    const auto r = test::runProcess(
        STEWARD_DEVICE_BIN, {"--svrdb", from.svrdb.string(), "--call", "127.0.0.1:" + std::to_string(to.securePort), "/a/light", "--json"},
        "", 30s);
    return r.exitCode == 0;
}

std::vector<std::string> transferSteps(const std::filesystem::path& dir) {
    const auto d = startDevice(dir / "probe.dat");
    const auto r = own(dir / "probe-state", d, "", true);
    std::vector<std::string> steps;
    const std::regex line(R"(^    [0-9a-f-]{36}: (.*) \(\+[0-9.]+ ms\)$)");
    std::istringstream in(r.err);
    for (std::string l; std::getline(in, l);) {
        std::smatch m;
        if (std::regex_match(l, m, line)) steps.push_back(m[1]);
    }
    return steps;
}

struct Tally {
    int trials = 0;
    int halfDone = 0;
    std::map<std::string, int> kills;
    std::vector<double> convergeMs;
};

}  // namespace

int main(int argc, char** argv) {
    int trials = 200;
    unsigned seed = std::random_device{}();
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--trials" && i + 1 < argc) {
            trials = std::max(1, std::stoi(argv[++i]));
        } else if (a == "--seed" && i + 1 < argc) {
            seed = static_cast<unsigned>(std::stoul(argv[++i]));
        } else if (a == "--json") {
            json = true;
        } else if (a == "--version") {
            std::cout << "steward_crash_torture_bench " << steward::core::versionText() << '\n';
            return 0;
        } else {
            std::cout << "usage: steward_crash_torture_bench [--trials N] [--seed S] [--json]\n"
                         "       steward_crash_torture_bench --version\n";
            return a == "--help" ? 0 : 2;
        }
    }
    test::TempDir dir;
    const auto steps = transferSteps(dir.path());
    if (steps.size() < 10) {
        std::cerr << "could not read the transfer's steps\n";
        return 1;
    }
    std::mt19937 random(seed);
    Tally tally;
    for (int t = 0; t < trials; ++t) {
        const auto tag = std::to_string(t);
        const auto state = dir / ("state-" + tag);
        const bool linkTrial = t % 4 == 3;  // one trial in four kills a link
        std::string killAt;
        const auto started = Clock::now();
        bool good = false;
        if (!linkTrial) {
            killAt = steps[random() % steps.size()];
            auto d = startDevice(dir / ("d-" + tag + ".dat"));
            const auto killed = own(state, d, killAt);
            if (killed.exitCode != 256 + SIGKILL) killAt += " (not reached)";
            const auto killedAt = Clock::now();
            for (int attempt = 0; attempt < 5 && own(state, d).exitCode != 0; ++attempt) std::this_thread::sleep_for(1s);
            good = ownedAndUsable(state, d);
            tally.convergeMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - killedAt).count());
        } else {
            auto a = startDevice(dir / ("a-" + tag + ".dat"));
            auto b = startDevice(dir / ("b-" + tag + ".dat"));
            own(state, a);
            own(state, b);
            const auto& first = random() % 2 == 0 ? a : b;
            killAt = "installing the pairwise credential on " + first.id.toString();
            const auto killed = cli(state, {"link", a.id.toString(), b.id.toString(), "--resource", "/a/light", "--perm", "RU"}, killAt);
            const auto killedAt = Clock::now();
            cli(state, {"sync"});
            const auto linked = cli(state, {"link", a.id.toString(), b.id.toString(), "--resource", "/a/light", "--perm", "RU"});
            tally.convergeMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - killedAt).count());
            good = killed.exitCode == 256 + SIGKILL && linked.exitCode == 0 && calls(a, b) && calls(b, a);
            killAt = first.id == a.id ? "link: installing on the first device" : "link: installing on the second device";
        }
        (void)started;
        ++tally.trials;
        ++tally.kills[killAt];
        if (!good) {
            ++tally.halfDone;
            std::cerr << "trial " << t << " (" << killAt << "): HALF-DONE\n";
        }
        if (!json && (t + 1) % 20 == 0) std::cerr << t + 1 << "/" << trials << " trials, " << tally.halfDone << " half-done\n";
    }
    std::sort(tally.convergeMs.begin(), tally.convergeMs.end());
    const double p50 = tally.convergeMs[tally.convergeMs.size() / 2];
    const double p99 = tally.convergeMs[std::min(tally.convergeMs.size() - 1, tally.convergeMs.size() * 99 / 100)];
    if (json) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("trials", tally.trials);
        o.set("half_done", tally.halfDone);
        o.set("seed", seed);
        o.set("converge_ms_p50", p50);
        o.set("converge_ms_p99", p99);
        Poco::JSON::Object kills;
        for (const auto& [step, n] : tally.kills) kills.set(step, n);
        o.set("kills", kills);
        o.stringify(std::cout);
        std::cout << "\n";
    } else {
        std::cout << tally.trials << " kills (seed " << seed << "), " << tally.halfDone << " half-done; time to converge p50 "
                  << static_cast<int>(p50) << " ms, p99 " << static_cast<int>(p99) << " ms\n";
        for (const auto& [step, n] : tally.kills) std::cout << "  " << n << "  " << step << "\n";
    }
    return tally.halfDone == 0 ? 0 : 1;
}
