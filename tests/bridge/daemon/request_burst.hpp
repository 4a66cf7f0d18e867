#pragma once
// A burst of MQTT requests as fast as the client can publish them (QoS 1), each with its own
// transaction, and every response counted against them: ok, busy, other errors, missing,
// duplicated. Used by the burst test and bench/request_burst_bench.cpp.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mqtt/mqtt_client.hpp"

namespace steward::test {

struct BurstResult {
    std::size_t sent = 0;
    std::size_t ok = 0;     // "status":"ok", or an echo of the request (no status)
    std::size_t busy = 0;   // an error response whose error starts with "busy"
    std::size_t error = 0;  // any other error response
    std::size_t missing = 0;
    std::size_t duplicates = 0;        // a second response with a transaction already answered
    std::size_t foreign = 0;           // responses whose transaction is none of ours
    std::size_t belowQos1 = 0;         // delivered at QoS 0 although subscribed with QoS 1
    double publishMs = 0;              // first publish -> last publish handed to the client
    double lastResponseMs = 0;         // first publish -> last response
    std::vector<std::string> samples;  // a few problems, for failure messages
    std::size_t answered() const { return ok + busy + error; }
    double requestsPerSecond() const { return lastResponseMs > 0 ? 1000.0 * static_cast<double>(answered()) / lastResponseMs : 0; }
};

class RequestBurst {
public:
    // Two clients: one publishes to `requestTopic`, one (subscribed with QoS 1 to `responseTopic`)
    // only records what arrives, so that reading never waits behind publishing. Returns once both
    // are connected and the subscription is active.
    RequestBurst(int port, std::string requestTopic, std::string responseTopic, const std::string& clientPrefix);
    ~RequestBurst();

    // Publishes `count` requests {"transaction":"<tag>-<i>"} and waits up to `timeout` for every
    // answer, then `settle` more for duplicates.
    BurstResult run(std::size_t count, const std::string& tag, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds settle = std::chrono::milliseconds(300));

private:
    struct Received {
        std::string payload;
        int qos;
        std::chrono::steady_clock::time_point at;
    };
    std::string requestTopic_, responseTopic_;
    std::unique_ptr<bridge::MqttClient> publisher_, receiver_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Received> received_;
    bool probed_ = false;
};

}  // namespace steward::test
