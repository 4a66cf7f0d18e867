// stewardd on MQTT: request -> response latency (p50/p99 of sequential `info` requests) against the
// broker's own round trip measured in the same run (an echo client answering the same topics), and
// stewardd's resident memory idle and with N owned devices in its provisioning database; and the
// start-up with those N devices (issue 19.3): time from the process start to `online` and to the end
// of start-up publishing (every device topic and the device list received by a steward/# subscriber),
// and the messages and bytes published under steward/ until then.
//
//   steward_daemon_bench [--requests N] [--devices N] [--daemon-wrapper PROGRAM] [--json]
// --daemon-wrapper runs stewardd under PROGRAM (heaptrack, perf record, ...) to see where its time
// and memory go; the figures then include the wrapper's own cost.
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>

#include "bridge/mqtt/broker_fixture.hpp"
#include "mqtt/mqtt_client.hpp"
#include "steward/pdm/sqlite_pdm.hpp"
#include "steward/version.hpp"
#include "support/background_process.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Latency {
    double p50 = 0;
    double p99 = 0;
};

Latency percentiles(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return {v[v.size() / 2], v[std::min(v.size() - 1, static_cast<std::size_t>(0.99 * static_cast<double>(v.size())))]};
}

// Sends `count` requests one after the other to request/<action> and times each response.
class Requester {
public:
    explicit Requester(int port) {
        steward::bridge::MqttOptions o;
        o.port = port;
        o.clientId = "bench-requester";
        client_ = std::make_unique<steward::bridge::MqttClient>(o);
        client_->onMessage([this](const steward::bridge::MqttMessage&) {
            {
                const std::lock_guard lock(mutex_);
                ++received_;
            }
            cv_.notify_all();
        });
        client_->subscribe("steward/bridge/response/+", 1);
        client_->start();
        for (int i = 0; i < 100 && !client_->connected(); ++i) std::this_thread::sleep_for(50ms);
        std::this_thread::sleep_for(200ms);  // the subscription settles
    }
    ~Requester() { client_->stop(); }
    Latency run(const std::string& action, int count) {
        std::vector<double> ms;
        for (int i = 0; i < count; ++i) {
            std::unique_lock lock(mutex_);
            const auto before = received_;
            lock.unlock();
            const auto start = Clock::now();
            client_->publish({"steward/bridge/request/" + action, "{\"transaction\":" + std::to_string(i) + "}", false, 1});
            lock.lock();
            if (!cv_.wait_for(lock, 10s, [&] { return received_ > before; })) throw std::runtime_error("no response to " + action);
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        }
        return percentiles(ms);
    }

private:
    std::unique_ptr<steward::bridge::MqttClient> client_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::uint64_t received_ = 0;
};

// A field of /proc/PID/status in kB: VmRSS (everything resident, shared library text included) or
// RssAnon (the process's own memory).
long statusKb(pid_t pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    }
    return -1;
}

// Everything under steward/# with its arrival time, from a subscription made before the daemon starts.
class StartupWatch {
public:
    explicit StartupWatch(int port) {
        steward::bridge::MqttOptions o;
        o.port = port;
        o.clientId = "bench-startup-watch";
        client_ = std::make_unique<steward::bridge::MqttClient>(o);
        client_->onMessage([this](const steward::bridge::MqttMessage& m) {
            {
                const std::lock_guard lock(mutex_);
                messages_.push_back({m.topic, m.payload.size(), Clock::now()});
            }
            cv_.notify_all();
        });
        client_->subscribe("steward/#", 1);
        client_->subscribe("bench/probe", 1);
        client_->start();
        for (int i = 0; i < 100 && !client_->connected(); ++i) std::this_thread::sleep_for(50ms);
        client_->publish({"bench/probe", "p", false, 1});
        std::unique_lock lock(mutex_);
        // The probe is back: the subscriptions are active and the broker's retained messages are in.
        cv_.wait_for(lock, 10s, [&] {
            return std::any_of(messages_.begin(), messages_.end(), [](const auto& m) { return m.topic == "bench/probe"; });
        });
        messages_.clear();
    }
    ~StartupWatch() { client_->stop(); }

    struct Result {
        double onlineMs = -1;
        double publishedMs = -1;  // every device topic and a device list received
        std::size_t messages = 0;
        std::size_t bytes = 0;  // topic + payload of every message until then
        std::size_t lists = 0;
    };
    // Waits until `devices` device topics and a device list have arrived (times from `start`).
    Result wait(Clock::time_point start, int devices, std::chrono::seconds timeout) {
        Result r;
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, timeout, [&] {
            std::set<std::string> deviceTopics;
            bool list = false;
            r = Result{};
            for (const auto& m : messages_) {
                const auto ms = std::chrono::duration<double, std::milli>(m.at - start).count();
                ++r.messages;
                r.bytes += m.topic.size() + m.size;
                if (m.topic == "steward/bridge/state" && r.onlineMs < 0) r.onlineMs = ms;
                if (m.topic == "steward/bridge/devices") {
                    list = true;
                    ++r.lists;
                }
                if (m.topic.rfind("steward/devices/", 0) == 0 && m.topic.find('/', 16) == std::string::npos) deviceTopics.insert(m.topic);
                if (list && deviceTopics.size() == static_cast<std::size_t>(devices)) {
                    r.publishedMs = ms;
                    return true;
                }
            }
            return false;
        });
        return r;
    }
    // Device lists received so far.
    std::size_t lists() const {
        const std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(
            std::count_if(messages_.begin(), messages_.end(), [](const auto& m) { return m.topic == "steward/bridge/devices"; }));
    }

private:
    struct Seen {
        std::string topic;
        std::size_t size;
        Clock::time_point at;
    };
    std::unique_ptr<steward::bridge::MqttClient> client_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<Seen> messages_;
};

// `wrapper` (optional): a program stewardd runs under, e.g. heaptrack or perf record.
std::unique_ptr<steward::test::BackgroundProcess> startDaemon(const std::filesystem::path& dir, int port, const std::string& wrapper) {
    std::ofstream(dir / "steward.yaml") << "state_dir: " << (dir / "state").string() << "\nplugin_dir: " << STEWARD_PLUGIN_DIR
                                        << "\npolicy_dir: " << (dir / "policies").string() << "\nmqtt: {port: " << port
                                        << "}\nlogging: {level: warning}\n";
    std::vector<std::string> args;
    if (!wrapper.empty()) args.emplace_back(STEWARDD_BIN);
    args.emplace_back("--config");
    args.push_back((dir / "steward.yaml").string());
    return std::make_unique<steward::test::BackgroundProcess>(wrapper.empty() ? std::string(STEWARDD_BIN) : wrapper, args);
}

}  // namespace

int main(int argc, char** argv) {
    int requests = 1000;
    int devices = 1000;
    bool json = false;
    std::string wrapper;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--requests" && i + 1 < argc) {
            requests = std::stoi(argv[++i]);
        } else if (a == "--devices" && i + 1 < argc) {
            devices = std::stoi(argv[++i]);
        } else if (a == "--daemon-wrapper" && i + 1 < argc) {
            wrapper = argv[++i];
        } else if (a == "--json") {
            json = true;
        } else if (a == "--version") {
            std::cout << "steward_daemon_bench " << steward::core::versionText() << '\n';
            return 0;
        } else {
            std::cout << "usage: steward_daemon_bench [--requests N] [--devices N] [--daemon-wrapper PROGRAM] [--json]\n"
                         "       steward_daemon_bench --version\n";
            return a == "--help" ? 0 : 2;
        }
    }
    // The broker too sends small packets at once (mosquitto.conf: set_tcp_nodelay true).
    steward::test::MosquittoBroker broker(steward::test::BrokerOptions{{}, {"set_tcp_nodelay true"}});

    // Baseline: an echo client answers on the same topics, so only the broker's round trip remains.
    Latency echo;
    {
        steward::bridge::MqttOptions o;
        o.port = broker.port();
        o.clientId = "bench-echo";
        steward::bridge::MqttClient echoer(o);
        echoer.subscribe("steward/bridge/request/+", 1, [&echoer](const steward::bridge::MqttMessage& m) {
            echoer.publish({"steward/bridge/response/echo", m.payload, false, 1});
        });
        echoer.start();
        Requester r(broker.port());
        r.run("echo", 50);  // warm-up
        echo = r.run("echo", requests);
        echoer.stop();
    }

    // stewardd, idle, empty PDM.
    steward::test::TempDir idleDir;
    std::filesystem::create_directories(idleDir.path() / "policies");
    Latency daemon;
    long idleKb = 0;
    long idleAnonKb = 0;
    {
        auto d = startDaemon(idleDir.path(), broker.port(), wrapper);
        Requester r(broker.port());
        r.run("info", 50);
        daemon = r.run("info", requests);
        std::this_thread::sleep_for(500ms);
        idleKb = statusKb(d->pid(), "VmRSS");
        idleAnonKb = statusKb(d->pid(), "RssAnon");
        d->stop();
    }

    // stewardd with N owned devices in its PDM (published retained at start).
    steward::test::TempDir fullDir;
    std::filesystem::create_directories(fullDir.path() / "policies");
    std::filesystem::create_directories(fullDir.path() / "state");
    {
        auto pdm = steward::core::openSqlitePdm(fullDir.path() / "state" / "pdm.sqlite");
        pdm->transaction([&] {
            for (int i = 0; i < devices; ++i) {
                steward::core::DeviceRecord r;
                r.id = steward::core::Uuid::random();
                r.name = "device " + std::to_string(i);
                r.otm = "oic.sec.doxm.jw";
                r.address = "127.0.0.1";
                r.port = 5683;
                r.securePort = static_cast<std::uint16_t>(20000 + i);
                r.deviceTypes = {"oic.d.light"};
                r.state = steward::core::DeviceRecordState::Owned;
                pdm->putDevice(r);
            }
        });
    }
    long fullKb = 0;
    long fullAnonKb = 0;
    Latency loaded;
    StartupWatch::Result startup;
    std::size_t listsAfter = 0;
    {
        StartupWatch watch(broker.port());
        const auto start = Clock::now();
        auto d = startDaemon(fullDir.path(), broker.port(), wrapper);
        startup = watch.wait(start, devices, 120s);
        std::this_thread::sleep_for(2s);  // two list intervals: a trailing list would be in
        listsAfter = watch.lists();
        Requester r(broker.port());
        r.run("info", 50);
        loaded = r.run("info", std::max(100, requests / 10));
        std::this_thread::sleep_for(500ms);
        fullKb = statusKb(d->pid(), "VmRSS");
        fullAnonKb = statusKb(d->pid(), "RssAnon");
        d->stop();
    }

    if (json) {
        Poco::JSON::Object o;
        o.set("requests", requests);
        o.set("echo_p50_ms", echo.p50);
        o.set("echo_p99_ms", echo.p99);
        o.set("stewardd_p50_ms", daemon.p50);
        o.set("stewardd_p99_ms", daemon.p99);
        o.set("rss_idle_kb", idleKb);
        o.set("devices", devices);
        o.set("rss_devices_kb", fullKb);
        o.set("rss_anon_idle_kb", idleAnonKb);
        o.set("rss_anon_devices_kb", fullAnonKb);
        o.set("startup_online_ms", startup.onlineMs);
        o.set("startup_published_ms", startup.publishedMs);
        o.set("startup_messages", startup.messages);
        o.set("startup_bytes", startup.bytes);
        o.set("startup_device_lists", listsAfter);
        o.stringify(std::cout);
        std::cout << '\n';
    } else {
        std::cout << "MQTT round trip, echo client (baseline): p50 " << echo.p50 << " ms, p99 " << echo.p99 << " ms (" << requests
                  << " requests)\n"
                  << "stewardd `info` request -> response:    p50 " << daemon.p50 << " ms, p99 " << daemon.p99 << " ms (ratio p50 "
                  << daemon.p50 / echo.p50 << ", p99 " << daemon.p99 / echo.p99 << ")\n"
                  << "  with " << devices << " devices in the PDM:          p50 " << loaded.p50 << " ms, p99 " << loaded.p99 << " ms\n"
                  << "stewardd RSS idle: " << static_cast<double>(idleKb) / 1024.0 << " MiB (own memory "
                  << static_cast<double>(idleAnonKb) / 1024.0 << " MiB, the rest shared library text); with " << devices
                  << " owned devices: " << static_cast<double>(fullKb) / 1024.0 << " MiB (own " << static_cast<double>(fullAnonKb) / 1024.0
                  << " MiB)\n"
                  << "start-up with " << devices << " devices in the PDM: online after " << startup.onlineMs
                  << " ms, start-up publishing done after " << startup.publishedMs << " ms; " << startup.messages << " messages, "
                  << startup.bytes << " bytes under steward/ until then; device lists by then and 2 s later: " << listsAfter << "\n";
    }
    return 0;
}
