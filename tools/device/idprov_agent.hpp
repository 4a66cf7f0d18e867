#pragma once
// steward-device --idprov: the device's IDProv side. It finds the gateway's provisioning server
// (DNS-SD _idprov._tcp, or a URL), enrols with its out-of-band secret (waiting while the gateway
// does not know the secret yet), keeps key, certificate and CA in its store (0600), renews halfway
// through the certificate's life over mutual TLS, and, with --mqtt, publishes its state to a broker
// that wants a client certificate, connecting again with each new certificate.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "event_log.hpp"
#include "steward/idprov/idprov_client.hpp"

namespace steward::bridge {
class MqttClient;
}

namespace steward::tools {

struct IdprovAgentOptions {
    std::string url;  // "" = find the server by DNS-SD
    std::chrono::milliseconds discoverTimeout{5000};
    std::string deviceId;
    std::string oobSecret;
    std::filesystem::path storeDirectory;
    std::string mqttBroker;  // "HOST:PORT"; "" = no MQTT
    std::string mqttTopic;   // default devices/<deviceID>/state
    std::string deviceName;
};

class IdprovAgent {
public:
    IdprovAgent(IdprovAgentOptions options, EventLog& log);
    ~IdprovAgent();  // stops the thread and the MQTT client
    IdprovAgent(const IdprovAgent&) = delete;
    IdprovAgent& operator=(const IdprovAgent&) = delete;

private:
    void run();
    std::string directoryUrl();
    // One enrolment or renewal attempt; returns how long to wait before the next step.
    std::chrono::seconds step();
    // The client, made (and the server found) on first use; dropped after a failure.
    idprov::IdprovClient& client();
    void connectMqtt(const idprov::DeviceCredentials& credentials);
    bool sleepFor(std::chrono::seconds delay);  // false when stopping

    IdprovAgentOptions options_;
    EventLog& log_;
    std::string serial_;  // of the certificate MQTT runs with
    std::unique_ptr<bridge::MqttClient> mqtt_;
    std::unique_ptr<idprov::IdprovClient> client_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace steward::tools
