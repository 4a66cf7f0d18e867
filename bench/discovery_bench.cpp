// Discovery of N devices (steward-device --count N, one process) over loopback unicast, against
// two baselines measured in the same run: discovering one device, and N sequential plain GETs of
// /oic/sec/doxm (what a naive one-device-at-a-time client would pay for the first step alone).
//
//   steward_discovery_bench [--devices N] [--rounds R] [--json]
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "background_process.hpp"
#include "steward/discovery/device_discovery.hpp"
#include "steward/transport/coap_endpoint.hpp"
#include "steward/version.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double medianMs(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

template <typename Fn>
double timeMs(Fn&& fn) {
    const auto start = Clock::now();
    fn();
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    int devices = 100;
    int rounds = 10;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--devices" && i + 1 < argc) {
            devices = std::stoi(argv[++i]);
        } else if (a == "--rounds" && i + 1 < argc) {
            rounds = std::stoi(argv[++i]);
        } else if (a == "--json") {
            json = true;
        } else if (a == "--version") {
            std::cout << "steward_discovery_bench " << steward::core::versionText() << '\n';
            return 0;
        } else {
            std::cout << "usage: steward_discovery_bench [--devices N] [--rounds R] [--json]\n"
                         "       steward_discovery_bench --version\n";
            return a == "--help" ? 0 : 2;
        }
    }
    const auto dir = std::filesystem::temp_directory_path() / ("steward-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::vector<steward::core::PeerAddress> targets;
    {
        steward::test::BackgroundProcess fleet(
            STEWARD_DEVICE_BIN, {"--json", "--count", std::to_string(devices), "--svrdb-dir", dir.string(), "--uuid-seed", "bench-device"});
        std::size_t from = 0;
        for (int i = 0; i < devices; ++i) {
            const auto ready =
                fleet.waitForLine([](const std::string& l) { return l.find("\"event\":\"ready\"") != std::string::npos; }, 30s, from);
            if (!ready) {
                std::cerr << "devices did not start:\n" << fleet.output();
                return 1;
            }
            from = ready->first + 1;
            const auto o = Poco::JSON::Parser().parse(ready->second).extract<Poco::JSON::Object::Ptr>();
            targets.push_back({"127.0.0.1", static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("port")))});
        }
        if (!json) std::cerr << devices << " devices up; " << rounds << " rounds each\n";

        steward::core::EndpointOptions eo;
        eo.udpPort = std::nullopt;
        steward::core::CoapEndpoint client(eo);
        std::vector<double> sequential, one, all;
        std::size_t lastFound = 0;
        for (int r = 0; r < rounds; ++r) {
            sequential.push_back(timeMs([&] {
                for (const auto& t : targets) {
                    if (!client.request(t, steward::core::CoapRequest::get("/oic/sec/doxm"), 2s)) std::cerr << "GET failed\n";
                }
            }));
            steward::core::DiscoveryOptions single;
            single.timeout = 5s;
            single.unicastTargets = {targets.front()};
            one.push_back(timeMs([&] { steward::core::discoverDevices(single); }));
            steward::core::DiscoveryOptions every;
            every.timeout = 10s;
            every.unicastTargets = targets;
            all.push_back(timeMs([&] { lastFound = steward::core::discoverDevices(every).devices.size(); }));
        }
        const double seqMs = medianMs(sequential), oneMs = medianMs(one), allMs = medianMs(all);
        if (json) {
            Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("devices", devices);
            o.set("found", lastFound);
            o.set("discover_all_ms", allMs);
            o.set("discover_one_ms", oneMs);
            o.set("sequential_doxm_gets_ms", seqMs);
            o.set("ratio_all_vs_one", allMs / oneMs);
            o.set("ratio_all_vs_sequential_gets", allMs / seqMs);
            o.stringify(std::cout);
            std::cout << '\n';
        } else {
            std::cout << "discover " << devices << " devices (found " << lastFound << "): median " << allMs << " ms\n"
                      << "discover 1 device:                 median " << oneMs << " ms  (ratio " << allMs / oneMs << ")\n"
                      << devices << " sequential GET doxm (baseline):  median " << seqMs << " ms  (ratio " << allMs / seqMs << ")\n";
        }
        fleet.stop();
    }
    std::filesystem::remove_all(dir);
    return 0;
}
