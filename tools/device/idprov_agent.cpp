#include "idprov_agent.hpp"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <sstream>

#include "mqtt/mqtt_client.hpp"
#include "steward/idprov/dnssd_browser.hpp"
#include "steward/transport/coap_endpoint.hpp"
#include "steward/util/iso_time.hpp"

namespace steward::tools {
namespace {

constexpr auto kRetryAfterFailure = std::chrono::seconds(15);

// How long until the certificate is halfway through its life (when it is renewed); zero or
// negative when that moment has passed.
std::chrono::seconds untilRenewal(const core::Certificate& cert) {
    const auto summary = cert.summary();
    const auto from = core::parseIsoTime(summary.notBefore);
    const auto to = core::parseIsoTime(summary.notAfter);
    if (!from || !to) return std::chrono::seconds(0);
    const auto due = *from + (*to - *from) / 2;
    return std::chrono::duration_cast<std::chrono::seconds>(due - std::chrono::system_clock::now());
}

bool stillValid(const core::Certificate& cert) {
    const auto notAfter = core::parseIsoTime(cert.summary().notAfter);
    return notAfter && *notAfter > std::chrono::system_clock::now();
}

}  // namespace

IdprovAgent::IdprovAgent(IdprovAgentOptions options, EventLog& log) : options_(std::move(options)), log_(log) {
    if (options_.mqttTopic.empty()) options_.mqttTopic = "devices/" + options_.deviceId + "/state";
    thread_ = std::thread([this] { run(); });
}

IdprovAgent::~IdprovAgent() {
    {
        const std::lock_guard<std::mutex> hold(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (mqtt_) mqtt_->stop();
}

bool IdprovAgent::sleepFor(std::chrono::seconds delay) {
    std::unique_lock<std::mutex> lock(mutex_);
    return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

std::string IdprovAgent::directoryUrl() {
    if (!options_.url.empty()) return options_.url;
    const auto found = idprov::browseServices("_idprov._tcp", options_.discoverTimeout);
    if (found.empty()) throw std::runtime_error("no _idprov._tcp server found by DNS-SD");
    const std::string url = idprov::idprovDirectoryUrl(found.front());
    log_.event(0, "idprov_server", "found IDProv server '" + found.front().instanceName + "' by DNS-SD", {{"url", url}});
    return url;
}

void IdprovAgent::run() {
    for (;;) {
        std::chrono::seconds next = kRetryAfterFailure;
        try {
            next = step();
        } catch (const std::exception& e) {
            log_.event(0, "idprov_error", e.what());
            client_.reset();  // a network failure: find the server again next time
        }
        if (!sleepFor(next)) return;
    }
}

idprov::IdprovClient& IdprovAgent::client() {
    if (!client_) {
        idprov::IdprovClientOptions o;
        o.deviceId = options_.deviceId;
        o.oobSecret = options_.oobSecret;
        o.storeDirectory = options_.storeDirectory;
        o.directoryUrl = directoryUrl();
        client_ = std::make_unique<idprov::IdprovClient>(o);
    }
    return *client_;
}

std::chrono::seconds IdprovAgent::step() {
    const idprov::DeviceCredentialStore store(options_.storeDirectory);
    auto stored = store.load();
    if (stored && stillValid(stored->certificate)) {
        // A valid certificate serves MQTT whatever happens to the renewal (from an earlier run, or
        // just issued); the gateway being unreachable must not take the device off the broker.
        if (serial_ != stored->certificate.summary().serialNumber) connectMqtt(*stored);
        const auto dueIn = untilRenewal(stored->certificate);
        if (dueIn > std::chrono::seconds(0)) return dueIn;
        const auto renewed = client().renew();
        if (renewed.status != idprov::ProvisionStatus::Approved) {
            log_.event(0, "idprov_renewal_failed", renewed.message);
            client_.reset();  // found again (DNS-SD) next time: the server may have moved
            return kRetryAfterFailure;
        }
        stored = store.load();
        log_.event(0, "idprov_renewed", "certificate renewed over mutual TLS",
                   {{"serial", stored->certificate.summary().serialNumber}, {"not_after", renewed.notAfter}});
        connectMqtt(*stored);
        return std::max(untilRenewal(stored->certificate), std::chrono::seconds(1));
    }

    if (options_.oobSecret.empty()) throw std::runtime_error("no valid certificate and no out-of-band secret to enrol with");
    const auto result = client().enroll();
    switch (result.status) {
        case idprov::ProvisionStatus::Waiting:
            log_.event(0, "idprov_waiting", "the gateway does not know this device's secret yet",
                       {{"retry_sec", std::to_string(result.retrySec)}});
            return std::chrono::seconds(std::clamp(result.retrySec, 1, 3600));
        case idprov::ProvisionStatus::Rejected:
            log_.event(0, "idprov_rejected", result.message);
            client_.reset();
            return kRetryAfterFailure;
        case idprov::ProvisionStatus::Approved:
            break;
    }
    stored = store.load();
    if (!stored) throw std::runtime_error("approved, but the credentials are not in the store");
    log_.event(0, "idprov_enrolled", "certificate issued by the gateway CA",
               {{"device_id", options_.deviceId}, {"serial", stored->certificate.summary().serialNumber}, {"not_after", result.notAfter}});
    connectMqtt(*stored);
    return std::max(untilRenewal(stored->certificate), std::chrono::seconds(1));
}

void IdprovAgent::connectMqtt(const idprov::DeviceCredentials& credentials) {
    serial_ = credentials.certificate.summary().serialNumber;
    if (options_.mqttBroker.empty()) return;
    if (mqtt_) mqtt_->stop();
    const auto hostPort = core::parseHostPort(options_.mqttBroker);
    if (!hostPort) throw std::runtime_error("--mqtt: not HOST:PORT: " + options_.mqttBroker);
    const idprov::DeviceCredentialStore store(options_.storeDirectory);
    bridge::MqttOptions m;
    m.host = hostPort->host;
    m.port = hostPort->port;
    m.clientId = options_.deviceId;
    m.tls = bridge::MqttTls{store.caFile().string(), store.certificateFile().string(), store.keyFile().string(), false};
    Poco::JSON::Object state;
    state.set("device_id", options_.deviceId);
    state.set("name", options_.deviceName);
    state.set("online", true);
    state.set("certificate_serial", serial_);
    std::ostringstream payload;
    state.stringify(payload);
    m.onlineTopic = options_.mqttTopic;
    m.onlinePayload = payload.str();
    m.willTopic = options_.mqttTopic;
    m.willPayload = R"({"device_id":")" + options_.deviceId + R"(","online":false})";
    m.log = [this](const std::string& line) { log_.event(0, "mqtt", line); };
    mqtt_ = std::make_unique<bridge::MqttClient>(m);
    mqtt_->onConnectionChange([this](bool connected, const std::string& reason) {
        if (connected) {
            log_.event(0, "mqtt_connected", "publishing on " + options_.mqttTopic + " with the IDProv certificate",
                       {{"broker", options_.mqttBroker}});
        } else {
            log_.event(0, "mqtt_disconnected", reason);
        }
    });
    mqtt_->start();
}

}  // namespace steward::tools
