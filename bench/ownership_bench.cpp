// Owning N devices (steward-device --count N) through the real plugins, the gateway's store and
// the PDM, against the floor measured in the same run: the bare DTLS handshake (Just-Works PSK,
// open + close) to each device.
//
//   steward_ownership_bench [--devices N] [--method justworks|randompin] [--parallel P] [--json]
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "background_process.hpp"
#include "percentile.hpp"
#include "steward/crypto/ocf_kdf.hpp"
#include "steward/discovery/device_discovery.hpp"
#include "steward/model/doxm.hpp"
#include "steward/onboarding/ownership_service.hpp"
#include "steward/pdm/sqlite_pdm.hpp"
#include "steward/plugin/plugin_loader.hpp"
#include "steward/version.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace steward;

using bench::percentile;

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

}  // namespace

int main(int argc, char** argv) {
    int devices = 100;
    int parallel = 1;
    bool randomPin = false;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--devices" && i + 1 < argc) {
            devices = std::stoi(argv[++i]);
        } else if (a == "--parallel" && i + 1 < argc) {
            parallel = std::max(1, std::stoi(argv[++i]));
        } else if (a == "--method" && i + 1 < argc) {
            randomPin = std::string(argv[++i]) == "randompin";
        } else if (a == "--json") {
            json = true;
        } else if (a == "--version") {
            std::cout << "steward_ownership_bench " << steward::core::versionText() << '\n';
            return 0;
        } else {
            std::cout << "usage: steward_ownership_bench [--devices N] [--method justworks|randompin] [--parallel P] [--json]\n"
                         "       steward_ownership_bench --version\n";
            return a == "--help" ? 0 : 2;
        }
    }
    const auto dir = std::filesystem::temp_directory_path() / ("steward-own-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "state");
    int status = 0;
    {
        test::BackgroundProcess fleet(STEWARD_DEVICE_BIN, {"--json", "--count", std::to_string(devices), "--svrdb-dir",
                                                           (dir / "devices").string(), "--otm", randomPin ? "randompin" : "justworks"});
        std::vector<core::PeerAddress> targets;
        std::map<std::string, int> indexOf;  // uuid -> device index, to find its PIN line
        std::size_t from = 0;
        for (int i = 0; i < devices; ++i) {
            const auto ready =
                fleet.waitForLine([](const std::string& l) { return l.find("\"event\":\"ready\"") != std::string::npos; }, 60s, from);
            if (!ready) {
                std::cerr << "devices did not start:\n" << fleet.output();
                return 1;
            }
            from = ready->first + 1;
            const auto o = Poco::JSON::Parser().parse(ready->second).extract<Poco::JSON::Object::Ptr>();
            targets.push_back({"127.0.0.1", static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("port")))});
            indexOf[o->getValue<std::string>("uuid")] = o->getValue<int>("device");
        }
        core::DiscoveryOptions discovery;
        discovery.timeout = 30s;
        discovery.unicastTargets = targets;
        discovery.scope = core::DiscoveryScope::Unowned;
        const auto found = core::discoverDevices(discovery).devices;

        core::EndpointOptions eo;
        eo.udpPort = std::nullopt;
        core::CoapEndpoint endpoint(eo);

        core::ProviderRegistry registry;
        core::PluginLoader loader(registry);
        for (const auto& r : loader.loadDirectory(STEWARD_PLUGIN_DIR)) {
            if (!r.loaded) std::cerr << "plugin " << r.path << ": " << r.reason << '\n';
        }
        auto identity = core::GatewayIdentity::openOrCreate(dir / "state" / "gateway.svrdb");
        auto pdm = core::openSqlitePdm(dir / "state" / "pdm.sqlite");
        // One endpoint per worker: each has its own I/O thread, so handshakes run in parallel.
        std::vector<std::unique_ptr<core::CoapEndpoint>> endpoints;
        std::vector<std::unique_ptr<core::OwnershipService>> services;
        for (int w = 0; w < parallel; ++w) {
            endpoints.push_back(std::make_unique<core::CoapEndpoint>(eo));
            services.push_back(std::make_unique<core::OwnershipService>(registry, identity, *pdm, *endpoints.back()));
        }

        std::mutex pinMutex;
        std::vector<double> perDevice(found.size());
        std::atomic<std::size_t> next{0};
        std::atomic<int> failures{0};
        const auto started = Clock::now();
        std::vector<std::thread> workers;
        for (int w = 0; w < parallel; ++w) {
            workers.emplace_back([&, w] {
                auto& service = *services[static_cast<std::size_t>(w)];
                for (std::size_t i = next++; i < found.size(); i = next++) {
                    core::OwnOptions options;
                    options.pin = [&](const core::Uuid& id) -> std::optional<core::SecretBytes> {
                        const auto line = fleet.waitForLine(
                            [&](const std::string& l) {
                                return l.find("\"event\":\"pin\"") != std::string::npos &&
                                       l.find("\"device\":" + std::to_string(indexOf[id.toString()]) + ",") != std::string::npos;
                            },
                            10s);
                        if (!line) return std::nullopt;
                        const std::lock_guard lock(pinMutex);
                        return core::SecretBytes::fromText(
                            Poco::JSON::Parser().parse(line->second).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("pin"));
                    };
                    const auto t = Clock::now();
                    const auto outcome = service.own(found[i], options);
                    perDevice[i] = msSince(t);
                    if (!outcome.result.ok) {
                        ++failures;
                        std::cerr << found[i].deviceId.toString() << ": " << outcome.result.failedStep << ": " << outcome.result.error
                                  << '\n';
                    }
                }
            });
        }
        for (auto& w : workers) w.join();
        const double totalMs = msSince(started);

        // The floor, measured after owning so that it cannot disturb the devices: one bare DTLS
        // handshake (open + close) per device with the owner credential (same suite and key size
        // as the ownership session).
        std::vector<double> handshakes;
        for (const auto& d : found) {
            auto psk = identity.ownerCredential(d.deviceId);
            if (!psk) continue;
            const auto t = Clock::now();
            auto s = endpoint.openSession({d.address, *d.securePort}, core::ownerSessionPsk(identity.id(), std::move(*psk)), 5s);
            if (s) endpoint.closeSession(s.value());
            handshakes.push_back(msSince(t));
        }
        const double rate = static_cast<double>(found.size()) / (totalMs / 1000.0);
        const double p50 = percentile(perDevice, 0.5), p99 = percentile(perDevice, 0.99);
        const double floor = percentile(handshakes, 0.5);
        if (json) {
            Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("method", randomPin ? "randompin" : "justworks");
            o.set("devices", found.size());
            o.set("parallel", parallel);
            o.set("failures", failures.load());
            o.set("devices_per_second", rate);
            o.set("p50_ms", p50);
            o.set("p99_ms", p99);
            o.set("handshake_p50_ms", floor);
            o.set("ratio_p50_vs_handshake", p50 / floor);
            o.stringify(std::cout);
            std::cout << '\n';
        } else {
            std::cout << (randomPin ? "Random PIN" : "Just-Works") << ": owned " << found.size() - static_cast<std::size_t>(failures.load())
                      << "/" << found.size() << " in " << totalMs << " ms = " << rate << " devices/s (parallel " << parallel
                      << "); per device p50 " << p50 << " ms, p99 " << p99 << " ms\n";
            std::cout << "floor: bare DTLS handshake p50 " << floor << " ms; ownership p50 / handshake p50 = " << p50 / floor << "\n";
        }
        status = failures.load() == 0 ? 0 : 1;
        if (failures.load() != 0) {
            for (const auto& l : fleet.lines()) {
                if (l.find("refused") != std::string::npos || l.find("reset") != std::string::npos) std::cerr << l << '\n';
            }
        }
        fleet.stop();
    }
    std::filesystem::remove_all(dir);
    return status;
}
