// A new device during a permit-join window (issue 19.5): the time from starting a device to its
// retained `provisioned` state on MQTT, for devices started one after another while a window is
// open, with join rounds (discovery.join_interval_ms, the default) against the old behaviour
// measured in the same run (join_interval_ms: 0, only the rounds every discovery.interval).
// stewardd, mosquitto and steward-device are real processes on loopback (unicast discovery: no
// multicast leaves this machine); the rounds are 30 s apart, the shipped default.
//
//   steward_join_bench [--devices N] [--interval S] [--json]
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "bridge/daemon/daemon_fixture.hpp"
#include "bridge/mqtt/broker_fixture.hpp"
#include "device_fixture.hpp"
#include "mqtt/mqtt_client.hpp"
#include "percentile.hpp"
#include "steward/version.hpp"
#include "support/free_port.hpp"
#include "support/temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace steward;

using bench::percentile;

// When each device's retained state first said `provisioned`, as the messages arrive.
class ProvisionedClock {
public:
    explicit ProvisionedClock(int port) {
        bridge::MqttOptions o;
        o.port = port;
        o.clientId = "join-bench-clock";
        client_ = std::make_unique<bridge::MqttClient>(o);
        client_->onMessage([this](const bridge::MqttMessage& m) {
            const auto state = test::parseJsonObject(m.payload);
            if (!state || state->optValue<std::string>("state", "") != "provisioned") return;
            const std::lock_guard lock(mutex_);
            at_.emplace(m.topic, Clock::now());
        });
        client_->subscribe("steward/devices/+", 1);
        client_->start();
        for (int i = 0; i < 100 && !client_->connected(); ++i) std::this_thread::sleep_for(50ms);
        std::this_thread::sleep_for(200ms);  // the subscription settles
    }
    ~ProvisionedClock() { client_->stop(); }
    std::optional<Clock::time_point> at(const std::string& topic) const {
        const std::lock_guard lock(mutex_);
        const auto found = at_.find(topic);
        if (found == at_.end()) return std::nullopt;
        return found->second;
    }

private:
    std::unique_ptr<bridge::MqttClient> client_;
    mutable std::mutex mutex_;
    std::map<std::string, Clock::time_point> at_;
};

struct Outcome {
    std::vector<double> seconds;  // per device, start -> retained provisioned
    int missing = 0;              // not provisioned within the bound
};

// One stewardd with a window open; `devices` steward-device processes started 1-3 s apart.
Outcome run(int joinIntervalMs, int devices, int intervalSeconds) {
    test::MosquittoBroker broker;
    test::TempDir dir;
    const auto policies = dir.path() / "policies.d";
    std::filesystem::create_directories(policies);
    std::filesystem::copy_file(std::filesystem::path(STEWARD_SOURCE_DIR) / "config" / "policies.d" / "10-lights.yaml",
                               policies / "10-lights.yaml");
    std::vector<std::uint16_t> ports;
    std::string targets;
    for (int i = 0; i < devices; ++i) {
        ports.push_back(test::freeLoopbackUdpPort());
        targets += std::string(i ? ", " : "") + "\"127.0.0.1:" + std::to_string(ports.back()) + "\"";
    }
    const std::string yaml =
        "state_dir: " + (dir.path() / "state").string() + "\nplugin_dir: " + STEWARD_PLUGIN_DIR + "\npolicy_dir: " + policies.string() +
        "\nmqtt: {port: " + std::to_string(broker.port()) + "}\ndiscovery: {unicast: [" + targets +
        "], interval: " + std::to_string(intervalSeconds) + ", join_interval_ms: " + std::to_string(joinIntervalMs) +
        "}\nownership: {mode: permit_join, allow_justworks: true, justworks_per_window: " + std::to_string(devices + 1) +
        "}\nlogging: {level: information}\n";
    test::Observer watch(broker.port());
    ProvisionedClock clock(broker.port());
    auto daemon = test::startDaemon(dir.path(), yaml);
    if (!watch.waitOnline()) throw std::runtime_error("stewardd did not come online:\n" + daemon->output());
    if (!watch.request("permit_join", R"({"time": 3600})")) throw std::runtime_error("no answer to permit_join");

    std::mt19937 random(static_cast<unsigned>(joinIntervalMs + 19));
    std::uniform_int_distribution<int> gapMs(1000, 3000);
    std::vector<test::RunningDevices> running;
    std::vector<Clock::time_point> started;
    for (int i = 0; i < devices; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(gapMs(random)));
        started.push_back(Clock::now());
        running.push_back(test::startDevices({"--svrdb", (dir.path() / ("d" + std::to_string(i) + ".dat")).string(), "--port",
                                              std::to_string(ports[static_cast<std::size_t>(i)])}));
    }
    // Each device gets up to two rounds' time and then some.
    const auto giveUp = started.back() + std::chrono::seconds(intervalSeconds * 2 + 30);
    const auto topic = [&](std::size_t i) { return "steward/devices/" + running[i][0].id.toString(); };
    const auto allSeen = [&] {
        for (std::size_t i = 0; i < running.size(); ++i) {
            if (!clock.at(topic(i))) return false;
        }
        return true;
    };
    while (!allSeen() && Clock::now() < giveUp) std::this_thread::sleep_for(100ms);
    Outcome outcome;
    for (std::size_t i = 0; i < running.size(); ++i) {
        if (const auto at = clock.at(topic(i))) {
            outcome.seconds.push_back(std::chrono::duration<double>(*at - started[i]).count());
        } else {
            ++outcome.missing;
        }
    }
    return outcome;
}

}  // namespace

int main(int argc, char** argv) {
    int devices = 10;
    int interval = 30;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--devices" && i + 1 < argc) {
            devices = std::max(1, std::stoi(argv[++i]));
        } else if (a == "--interval" && i + 1 < argc) {
            interval = std::max(1, std::stoi(argv[++i]));
        } else if (a == "--json") {
            json = true;
        } else if (a == "--version") {
            std::cout << "steward_join_bench " << core::versionText() << '\n';
            return 0;
        } else {
            std::cout << "usage: steward_join_bench [--devices N] [--interval S] [--json]\n";
            return a == "--help" ? 0 : 2;
        }
    }
    try {
        const auto join = run(1000, devices, interval);
        const auto baseline = run(0, devices, interval);
        const double joinP50 = percentile(join.seconds, 0.5);
        const double baseP50 = percentile(baseline.seconds, 0.5);
        if (json) {
            Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("devices", devices);
            o.set("interval_s", interval);
            o.set("join_p50_s", joinP50);
            o.set("join_p90_s", percentile(join.seconds, 0.9));
            o.set("join_missing", join.missing);
            o.set("baseline_p50_s", baseP50);
            o.set("baseline_p90_s", percentile(baseline.seconds, 0.9));
            o.set("baseline_missing", baseline.missing);
            o.set("p50_ratio", joinP50 > 0 ? baseP50 / joinP50 : 0.0);
            o.stringify(std::cout);
            std::cout << '\n';
        } else {
            std::cout << "device start -> retained provisioned, " << devices << " devices started 1-3 s apart in a window, rounds every "
                      << interval << " s (unicast, loopback)\n";
            std::cout << "  join rounds (join_interval_ms 1000): p50 " << joinP50 << " s, p90 " << percentile(join.seconds, 0.9)
                      << " s, missing " << join.missing << "\n";
            std::cout << "  baseline (join_interval_ms 0):       p50 " << baseP50 << " s, p90 " << percentile(baseline.seconds, 0.9)
                      << " s, missing " << baseline.missing << "\n";
            if (joinP50 > 0) std::cout << "  baseline p50 / join p50 = " << baseP50 / joinP50 << "\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "steward_join_bench: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
