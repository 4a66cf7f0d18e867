// A burst of MQTT requests against stewardd on a stock mosquitto (default limits: 20 messages in
// flight and 1,000 queued per client; past that the broker drops without a word): N `info` requests
// published as fast as possible with QoS 1, each with its own transaction, and every response
// counted (ok / busy / missing), the time to the last one and requests per second; against the
// baseline measured in the same run, an echo client on the same broker republishing each request
// to a response topic. The broker's $SYS/broker/publish/messages/dropped is read before and after
// each run (the broker is given `sys_interval 1` so that it reports at once; no limit is changed).
//
//   steward_request_burst_bench [--requests N] [--json]      (exit status 1 if a request went unanswered)
#include <Poco/JSON/Object.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bridge/daemon/request_burst.hpp"
#include "bridge/mqtt/broker_fixture.hpp"
#include "mqtt/mqtt_client.hpp"
#include "steward/version.hpp"
#include "support/background_process.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using steward::test::BurstResult;

// The broker's count of messages it dropped ($SYS, retained, republished when it changes).
class DroppedCounter {
public:
    explicit DroppedCounter(int port) {
        steward::bridge::MqttOptions o;
        o.port = port;
        o.clientId = "bench-sys";
        client_ = std::make_unique<steward::bridge::MqttClient>(o);
        client_->subscribe("$SYS/broker/publish/messages/dropped", 0, [this](const steward::bridge::MqttMessage& m) {
            const std::lock_guard lock(mutex_);
            value_ = std::stoull(m.payload);
        });
        client_->start();
    }
    ~DroppedCounter() { client_->stop(); }
    // The value once the broker has had time to report (sys_interval 1, and a margin).
    std::uint64_t settled() {
        std::this_thread::sleep_for(2500ms);
        const std::lock_guard lock(mutex_);
        return value_;
    }

private:
    std::unique_ptr<steward::bridge::MqttClient> client_;
    std::mutex mutex_;
    std::uint64_t value_ = 0;  // never published: nothing dropped yet
};

struct Run {
    BurstResult result;
    std::uint64_t droppedBefore = 0, droppedAfter = 0;
};

Run burst(int port, DroppedCounter& dropped, const std::string& action, std::size_t requests, const std::string& tag) {
    Run run;
    run.droppedBefore = dropped.settled();
    steward::test::RequestBurst b(port, "steward/bridge/request/" + action, "steward/bridge/response/" + action, "bench-" + tag);
    run.result = b.run(requests, tag, 120s, 1s);
    run.droppedAfter = dropped.settled();
    return run;
}

std::unique_ptr<steward::test::BackgroundProcess> startDaemon(const std::filesystem::path& dir, int port) {
    std::filesystem::create_directories(dir / "policies");
    std::ofstream(dir / "steward.yaml") << "state_dir: " << (dir / "state").string() << "\nplugin_dir: " << STEWARD_PLUGIN_DIR
                                        << "\npolicy_dir: " << (dir / "policies").string() << "\nmqtt: {port: " << port
                                        << "}\nlogging: {level: information}\n";
    auto p = std::make_unique<steward::test::BackgroundProcess>(STEWARDD_BIN,
                                                                std::vector<std::string>{"--config", (dir / "steward.yaml").string()});
    if (!p->waitForLine([](const std::string& l) { return l.find("stewardd ready") != std::string::npos; }, 15s)) {
        throw std::runtime_error("stewardd did not become ready:\n" + p->output());
    }
    return p;
}

// Waits for the retained "online": stewardd subscribes to the requests before it says so.
void waitOnline(int port) {
    steward::bridge::MqttOptions o;
    o.port = port;
    o.clientId = "bench-online";
    steward::bridge::MqttClient c(o);
    std::mutex m;
    std::condition_variable cv;
    bool online = false;
    c.subscribe("steward/bridge/state", 1, [&](const steward::bridge::MqttMessage& msg) {
        const std::lock_guard lock(m);
        online = online || msg.payload.find("\"online\"") != std::string::npos;
        cv.notify_all();
    });
    c.start();
    std::unique_lock lock(m);
    const bool ok = cv.wait_for(lock, 15s, [&] { return online; });
    lock.unlock();
    c.stop();
    if (!ok) throw std::runtime_error("stewardd never said online");
}

Poco::JSON::Object::Ptr json(const Run& r) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("sent", r.result.sent);
    o->set("ok", r.result.ok);
    o->set("busy", r.result.busy);
    o->set("error", r.result.error);
    o->set("missing", r.result.missing);
    o->set("duplicates", r.result.duplicates);
    o->set("publish_ms", r.result.publishMs);
    o->set("last_response_ms", r.result.lastResponseMs);
    o->set("requests_per_second", r.result.requestsPerSecond());
    o->set("broker_dropped_before", r.droppedBefore);
    o->set("broker_dropped_after", r.droppedAfter);
    return o;
}

void print(const std::string& what, const Run& r) {
    const auto& x = r.result;
    std::cout << what << ": " << x.sent << " sent, " << x.ok << " ok, " << x.busy << " busy, " << x.error << " other errors, " << x.missing
              << " missing, " << x.duplicates << " duplicates; last response after " << x.lastResponseMs << " ms (published in "
              << x.publishMs << " ms), " << static_cast<long>(x.requestsPerSecond()) << " requests/s; broker dropped "
              << r.droppedAfter - r.droppedBefore << " (counter " << r.droppedBefore << " -> " << r.droppedAfter << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t requests = 10000;
    bool asJson = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--requests" && i + 1 < argc) {
            requests = static_cast<std::size_t>(std::stoul(argv[++i]));
        } else if (a == "--json") {
            asJson = true;
        } else if (a == "--version") {
            std::cout << "steward_request_burst_bench " << steward::core::versionText() << '\n';
            return 0;
        } else {
            std::cout << "usage: steward_request_burst_bench [--requests N] [--json]\n"
                         "       steward_request_burst_bench --version\n"
                         "A burst of N (10000) `info` requests at stewardd on a stock mosquitto, against an echo client.\n";
            return a == "--help" ? 0 : 2;
        }
    }
    // Stock limits; only the $SYS tree is refreshed every second instead of every ten.
    steward::test::MosquittoBroker broker(steward::test::BrokerOptions{{}, {"sys_interval 1"}});
    DroppedCounter dropped(broker.port());

    // Baseline: an echo client answers each request from its network thread.
    Run echo;
    std::atomic<std::size_t> echoed{0};  // requests the echo client got: tells whose queue overflowed
    {
        steward::bridge::MqttOptions o;
        o.port = broker.port();
        o.clientId = "bench-echo";
        steward::bridge::MqttClient echoer(o);
        echoer.subscribe("steward/bridge/request/echo", 1, [&echoer, &echoed](const steward::bridge::MqttMessage& m) {
            ++echoed;
            echoer.publish({"steward/bridge/response/echo", m.payload, false, 1});
        });
        echoer.start();
        for (int i = 0; i < 100 && !echoer.connected(); ++i) std::this_thread::sleep_for(50ms);
        echo = burst(broker.port(), dropped, "echo", requests, "echo");
        echoer.stop();
    }

    steward::test::TempDir dir;
    Run daemon;
    {
        auto d = startDaemon(dir.path(), broker.port());
        waitOnline(broker.port());
        daemon = burst(broker.port(), dropped, "info", requests, "info");
        d->stop();
    }

    const double ratio = echo.result.requestsPerSecond() > 0 ? daemon.result.requestsPerSecond() / echo.result.requestsPerSecond() : 0;
    const double answered = 100.0 * static_cast<double>(daemon.result.answered()) / static_cast<double>(requests);
    if (asJson) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("requests", requests);
        o.set("echo", json(echo));
        o.set("echo_requests_received", echoed.load());
        o.set("stewardd", json(daemon));
        o.set("ratio_requests_per_second", ratio);
        o.set("answered_percent", answered);
        o.stringify(std::cout);
        std::cout << '\n';
    } else {
        print("echo client (baseline)", echo);
        std::cout << "  (the echo client received " << echoed.load() << " requests)\n";
        print("stewardd `info`       ", daemon);
        std::cout << "stewardd answered " << answered << "% of the burst; requests/s against the echo client: " << ratio << "\n";
        // mosquitto names the clients it dropped messages for.
        std::istringstream log(broker.output());
        for (std::string line; std::getline(log, line);) {
            if (line.find("dropped") != std::string::npos) std::cout << "broker: " << line << "\n";
        }
    }
    return daemon.result.missing == 0 ? 0 : 1;
}
