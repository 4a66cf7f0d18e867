#pragma once
// One running device: its security engine, its plain CoAP listener (with multicast), its DTLS
// listener, the sample light, and a maintenance thread for the work that must not run inside a
// listener (the delayed network reset, and keeping the DTLS listener's PSK hint in step with the state).
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core_resources.hpp"
#include "device_options.hpp"
#include "event_log.hpp"
#include "sample_light.hpp"
#include "steward/device/device_security.hpp"
#include "steward/transport/plain_coap_server.hpp"

namespace steward::tools {

struct InstanceConfig {
    int index = 1;  // for log lines
    std::string svrdbFile;
    std::optional<std::string> uuidSeed;
    std::string name;
    OtmChoice otm = OtmChoice::JustWorks;
    std::string bindAddress;
    std::uint16_t port = 0;
    std::uint16_t securePort = 0;
    std::vector<std::string> multicastInterfaces;
    std::chrono::milliseconds multicastJitter{2000};
    std::chrono::seconds ownershipTimeout{10};
    bool verbose = false;
    bool directPairing = false;  // host pconf and dpairing
};

class DeviceInstance {
public:
    // Opens or creates the SVR DB and starts listening. Throws on any failure.
    DeviceInstance(InstanceConfig config, EventLog& log);
    ~DeviceInstance();
    DeviceInstance(const DeviceInstance&) = delete;
    DeviceInstance& operator=(const DeviceInstance&) = delete;

    core::Uuid id() const;
    std::uint16_t port() const { return plain_->port(); }
    std::uint16_t securePort() const { return secure_->securePort(); }

private:
    core::CoapResponse dispatch(const core::CoapRequest& request, const core::PeerInfo& peer);
    core::CoapResponse discoveryResource(const core::CoapRequest& request, const core::PeerInfo& peer);
    DeviceDescription currentDescription() const;
    void startSecureListener();
    void refreshHint();
    void refreshCertificate();
    void maintain();
    void wake();

    InstanceConfig config_;
    EventLog& log_;
    DeviceDescription description_;  // name and type; the UUID is always the SVR DB's (currentDescription)
    std::unique_ptr<core::DeviceSecurity> security_;
    SampleLight light_;
    std::unique_ptr<core::PlainCoapServer> plain_;

    std::unique_ptr<core::CoapEndpoint> secure_;  // set once, before any traffic
    std::atomic<bool> closing_{false};
    std::mutex hintMutex_;
    core::PskBytes secureHint_;
    std::string certificateInUse_;  // the chain + anchors the DTLS listener serves, "" for none

    std::mutex wakeMutex_;
    std::condition_variable wakeCv_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread maintenance_;
};

}  // namespace steward::tools
