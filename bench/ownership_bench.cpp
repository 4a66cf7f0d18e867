// Owning N devices (steward-device --count N) through the real plugins, the gateway's store and
// the PDM, against the floor measured in the same run: the bare DTLS handshake (Just-Works PSK,
// open + close) to each device; and against the sum of its parts, each measured in the same run:
// the handshakes, the CoAP round trips and the fsyncs one ownership needs (counted from the
// transfer's own steps; see partsModel below).
// --preload K records K owned devices (owner keys and PDM rows) first: the cost per device must
// not grow with the fleet.
//
// --steps adds the median time of each step of the transfer. --fleets F spreads the devices over F
// steward-device processes (default 1).
//
//   steward_ownership_bench [--devices N] [--preload K] [--method justworks|randompin] [--parallel P] [--fleets F] [--steps]
//                           [--json]
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

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
#include "steward/util/atomic_file.hpp"
#include "steward/version.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace steward;

using bench::percentile;

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// What one transfer is made of, from its progress steps. partsModel: every "GET/POST/DELETE ..."
// step is one CoAP round trip and every "DTLS handshake" one handshake; the device writes its SVR
// DB (atomically: file and directory fsync'd) once for each change from RFPRO on (in RFOTM it keeps
// changes in memory), each an atomic replace (write, fsync, rename, directory fsync), and the
// gateway fsyncs three times (the owner key, the PDM's pending row and its owned state).
struct StepCount {
    int handshakes = 0;
    int roundTrips = 0;
    int deviceWrites = 0;
    bool leftRfotm = false;
    void add(const std::string& step) {
        if (step.starts_with("DTLS handshake")) ++handshakes;
        const bool write = step.starts_with("POST ") || step.starts_with("DELETE ") || step.starts_with("PUT ");
        if (write || step.starts_with("GET ")) ++roundTrips;
        if (step.find("RFPRO") != std::string::npos) leftRfotm = true;
        if (write && leftRfotm) ++deviceWrites;
    }
    static constexpr int kGatewayFsyncs = 3;
};

// Where a transfer's time goes: the time from each step's start to the next one's, per step name.
struct StepTimes {
    std::mutex mutex;
    std::map<std::string, std::vector<double>> byStep;
    void add(const std::string& step, double ms) {
        const std::lock_guard lock(mutex);
        byStep[step].push_back(ms);
    }
};

double processCpuMs() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_usec) / 1000.0; };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// The cost of replacing a small file atomically where the state lives, as an SVR DB write does
// (ms each).
std::vector<double> measureAtomicReplaces(const std::filesystem::path& dir, int count) {
    std::vector<double> out;
    const std::vector<std::uint8_t> content(1500, 0xA5);  // about a device's SVR DB
    for (int i = 0; i < count; ++i) {
        const auto t = Clock::now();
        core::writeFileAtomically(dir / "replace-probe", content);
        out.push_back(msSince(t));
    }
    std::filesystem::remove(dir / "replace-probe");
    return out;
}

// The cost of one small fsync'd write where the state lives (ms each).
std::vector<double> measureFsyncs(const std::filesystem::path& dir, int count) {
    std::vector<double> out;
    const auto file = dir / "fsync-probe";
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return out;
    const std::vector<char> block(256, 'x');
    for (int i = 0; i < count; ++i) {
        const auto t = Clock::now();
        if (::pwrite(fd, block.data(), block.size(), 0) < 0 || ::fsync(fd) != 0) break;
        out.push_back(msSince(t));
    }
    ::close(fd);
    std::filesystem::remove(file);
    return out;
}

// `count` owned devices as stewardd would have them: an owner key each and a PDM row each.
void preloadFleet(core::GatewayIdentity& identity, core::ProvisioningDatabase& pdm, int count) {
    std::vector<core::Uuid> ids;
    for (int i = 0; i < count; ++i) ids.push_back(core::Uuid::random());
    const std::vector<std::uint8_t> key(16, 0x5A);
    for (const auto& id : ids) identity.storeOwnerCredential(id, key);
    pdm.transaction([&] {
        for (std::size_t i = 0; i < ids.size(); ++i) {
            core::DeviceRecord r;
            r.id = ids[i];
            r.name = "preloaded " + std::to_string(i);
            r.otm = "oic.sec.doxm.jw";
            r.address = "127.0.0.1";
            r.port = 5683;
            r.securePort = static_cast<std::uint16_t>(20000 + (i % 40000));
            r.state = core::DeviceRecordState::Owned;
            pdm.putDevice(r);
        }
    });
}

}  // namespace

int main(int argc, char** argv) {
    int devices = 100;
    int parallel = 1;
    int preload = 0;
    bool showSteps = false;
    int fleetCount = 1;
    bool randomPin = false;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--devices" && i + 1 < argc) {
            devices = std::stoi(argv[++i]);
        } else if (a == "--fleets" && i + 1 < argc) {
            fleetCount = std::max(1, std::stoi(argv[++i]));
        } else if (a == "--steps") {
            showSteps = true;
        } else if (a == "--preload" && i + 1 < argc) {
            preload = std::max(0, std::stoi(argv[++i]));
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
            std::cout << "usage: steward_ownership_bench [--devices N] [--preload K] [--method justworks|randompin] [--parallel P] "
                         "[--steps] [--json]\n"
                         "       steward_ownership_bench --version\n";
            return a == "--help" ? 0 : 2;
        }
    }
    const auto dir = std::filesystem::temp_directory_path() / ("steward-own-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "state");
    int status = 0;
    {
        // Several device processes if asked: real devices do not share a process, and one
        // process's transport lock would serialise them all.
        std::vector<std::unique_ptr<test::BackgroundProcess>> fleets;
        std::vector<core::PeerAddress> targets;
        struct Where {
            std::size_t fleet = 0;
            int index = 0;  // the device's number in its process, to find its PIN line
        };
        std::map<std::string, Where> whereIs;  // by uuid
        for (int f = 0; f < fleetCount; ++f) {
            const int count = devices / fleetCount + (f < devices % fleetCount ? 1 : 0);
            fleets.push_back(std::make_unique<test::BackgroundProcess>(
                STEWARD_DEVICE_BIN, std::vector<std::string>{"--json", "--count", std::to_string(count), "--svrdb-dir",
                                                             (dir / ("devices-" + std::to_string(f))).string(), "--otm",
                                                             randomPin ? "randompin" : "justworks"}));
        }
        for (std::size_t f = 0; f < fleets.size(); ++f) {
            auto& fleet = *fleets[f];
            std::size_t from = 0;
            const int count = devices / fleetCount + (static_cast<int>(f) < devices % fleetCount ? 1 : 0);
            for (int i = 0; i < count; ++i) {
                const auto ready =
                    fleet.waitForLine([](const std::string& l) { return l.find("\"event\":\"ready\"") != std::string::npos; }, 60s, from);
                if (!ready) {
                    std::cerr << "devices did not start:\n" << fleet.output();
                    return 1;
                }
                from = ready->first + 1;
                const auto o = Poco::JSON::Parser().parse(ready->second).extract<Poco::JSON::Object::Ptr>();
                targets.push_back({"127.0.0.1", static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("port")))});
                whereIs[o->getValue<std::string>("uuid")] = Where{f, o->getValue<int>("device")};
            }
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
        if (preload > 0) {
            const auto t = Clock::now();
            preloadFleet(identity, *pdm, preload);
            std::cerr << "preloaded " << preload << " owned devices in " << msSince(t) << " ms\n";
        }
        // One endpoint per worker: each has its own I/O thread, so handshakes run in parallel.
        std::vector<std::unique_ptr<core::CoapEndpoint>> endpoints;
        std::vector<std::unique_ptr<core::OwnershipService>> services;
        for (int w = 0; w < parallel; ++w) {
            endpoints.push_back(std::make_unique<core::CoapEndpoint>(eo));
            services.push_back(std::make_unique<core::OwnershipService>(registry, identity, *pdm, *endpoints.back()));
        }

        std::mutex pinMutex;
        StepCount firstSteps;  // the parts one ownership is made of (device 0's transfer)
        StepTimes stepTimes;
        std::vector<double> perDevice(found.size());
        std::atomic<std::size_t> next{0};
        std::atomic<int> failures{0};
        const auto started = Clock::now();
        const double cpuBefore = processCpuMs();
        std::vector<std::thread> workers;
        for (int w = 0; w < parallel; ++w) {
            workers.emplace_back([&, w] {
                auto& service = *services[static_cast<std::size_t>(w)];
                for (std::size_t i = next++; i < found.size(); i = next++) {
                    core::OwnOptions options;
                    StepCount steps;
                    std::string lastStep;
                    auto lastAt = Clock::now();
                    options.progress = [&](const std::string& step) {
                        steps.add(step);
                        if (!lastStep.empty()) stepTimes.add(lastStep, msSince(lastAt));
                        lastStep = step;
                        lastAt = Clock::now();
                    };
                    options.pin = [&](const core::Uuid& id) -> std::optional<core::SecretBytes> {
                        const auto where = whereIs.at(id.toString());
                        const auto line = fleets[where.fleet]->waitForLine(
                            [&](const std::string& l) {
                                return l.find("\"event\":\"pin\"") != std::string::npos &&
                                       l.find("\"device\":" + std::to_string(where.index) + ",") != std::string::npos;
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
                    if (!lastStep.empty()) stepTimes.add(lastStep + " (to the end)", msSince(lastAt));
                    if (i == 0) firstSteps = steps;
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
        // The gateway's own CPU per device (this process: the plugins, the store, the PDM, its side
        // of DTLS): what bounds its throughput when the devices are elsewhere.
        const double gatewayCpuPerDevice = (processCpuMs() - cpuBefore) / static_cast<double>(std::max<std::size_t>(1, found.size()));

        // The floor, measured after owning so that it cannot disturb the devices: one bare DTLS
        // handshake (open + close) per device with the owner credential (same suite and key size
        // as the ownership session).
        std::vector<double> handshakes;
        std::vector<double> roundTrips;
        for (const auto& d : found) {
            auto psk = identity.ownerCredential(d.deviceId);
            if (!psk) continue;
            const auto t = Clock::now();
            auto s = endpoint.openSession({d.address, *d.securePort}, core::ownerSessionPsk(identity.id(), std::move(*psk)), 5s);
            handshakes.push_back(msSince(t));
            if (!s) continue;
            const auto r = Clock::now();
            if (endpoint.request(s.value(), core::CoapRequest::get("/oic/sec/pstat"), 5s)) roundTrips.push_back(msSince(r));
            endpoint.closeSession(s.value());
        }
        const double fsyncP50 = percentile(measureFsyncs(dir / "state", 100), 0.5);
        const double replaceP50 = percentile(measureAtomicReplaces(dir / "state", 100), 0.5);
        const double rate = static_cast<double>(found.size()) / (totalMs / 1000.0);
        const double p50 = percentile(perDevice, 0.5), p99 = percentile(perDevice, 0.99);
        const double floor = percentile(handshakes, 0.5);
        const double rttP50 = percentile(roundTrips, 0.5);
        const int fsyncs = StepCount::kGatewayFsyncs;
        const double parts =
            firstSteps.handshakes * floor + firstSteps.roundTrips * rttP50 + firstSteps.deviceWrites * replaceP50 + fsyncs * fsyncP50;
        if (json) {
            Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("method", randomPin ? "randompin" : "justworks");
            o.set("devices", found.size());
            o.set("parallel", parallel);
            o.set("fleets", fleetCount);
            o.set("failures", failures.load());
            o.set("devices_per_second", rate);
            o.set("p50_ms", p50);
            o.set("p99_ms", p99);
            o.set("handshake_p50_ms", floor);
            o.set("ratio_p50_vs_handshake", p50 / floor);
            o.set("gateway_cpu_ms_per_device", gatewayCpuPerDevice);
            o.set("preloaded", preload);
            o.set("parts_handshakes", firstSteps.handshakes);
            o.set("parts_round_trips", firstSteps.roundTrips);
            o.set("parts_device_writes", firstSteps.deviceWrites);
            o.set("parts_fsyncs", fsyncs);
            o.set("atomic_replace_p50_ms", replaceP50);
            o.set("round_trip_p50_ms", rttP50);
            o.set("fsync_p50_ms", fsyncP50);
            o.set("sum_of_parts_ms", parts);
            o.set("ratio_p50_vs_sum_of_parts", p50 / parts);
            o.stringify(std::cout);
            std::cout << '\n';
        } else {
            std::cout << (randomPin ? "Random PIN" : "Just-Works") << ": owned " << found.size() - static_cast<std::size_t>(failures.load())
                      << "/" << found.size() << " in " << totalMs << " ms = " << rate << " devices/s (parallel " << parallel << ", "
                      << fleetCount << " device processes"
                      << "); per device p50 " << p50 << " ms, p99 " << p99 << " ms\n";
            std::cout << "floor: bare DTLS handshake p50 " << floor << " ms; ownership p50 / handshake p50 = " << p50 / floor << "\n";
            std::cout << "parts: " << firstSteps.handshakes << " handshakes x " << floor << " ms + " << firstSteps.roundTrips
                      << " round trips x " << rttP50 << " ms + " << firstSteps.deviceWrites << " device SVR DB writes x " << replaceP50
                      << " ms + " << fsyncs << " gateway fsyncs x " << fsyncP50 << " ms = " << parts
                      << " ms; ownership p50 / sum of parts = " << p50 / parts << "\n";
            std::cout << "gateway CPU per device: " << gatewayCpuPerDevice << " ms (user + system of this process while owning)\n";
            if (preload > 0) std::cout << "with " << preload << " owned devices recorded before\n";
            if (showSteps) {
                for (auto& [step, times] : stepTimes.byStep)
                    std::cout << "  step p50 " << percentile(times, 0.5) << " ms: " << step << "\n";
            }
        }
        status = failures.load() == 0 ? 0 : 1;
        if (failures.load() != 0) {
            for (const auto& fleet : fleets) {
                for (const auto& l : fleet->lines()) {
                    if (l.find("refused") != std::string::npos || l.find("reset") != std::string::npos) std::cerr << l << '\n';
                }
            }
        }
        for (auto& fleet : fleets) fleet->stop();
    }
    std::filesystem::remove_all(dir);
    return status;
}
