#pragma once
// The functions of the devices the gateway owns, bridged onto MQTT (issue 17): each owned device is
// polled over the owner session at an interval, which tells whether it is reachable
// (<base>/devices/<uuid>/availability: online/offline, retained) and refreshes the state of every
// resource the function table knows (<base>/devices/<uuid>/<key>, retained, JSON); commands
// arrive on <base>/devices/<uuid>/<key>/set and are POSTed to the device over the same credential.
// What the gateway may do is what the device's ACEs grant it: a function is bridged when the
// gateway may read it, and takes commands only when it may also update it (otherwise it is
// read-only). A refused or failed command leaves the state as it was and raises a command_failed
// event. resource/get and resource/set requests run here too, on the same path.
//
// CoAP Observe is not used yet (the transport has no Observe client; steward-device lists /a/light
// as observable but does not notify): state follows the device by polling, and is read again at
// once after every command.
//
// Threading: one worker thread does all the device work, commands and requests before polls;
// every public function only queues and returns (safe from the MQTT thread). Its queue is bounded:
// a request beyond it is answered busy, a command beyond it raises command_failed.
#include <Poco/JSON/Object.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "device_functions/function_types.hpp"
#include "steward/cbor/cbor_value.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/provisioning/device_resources.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::bridge {

struct BridgedFunction {
    std::string key;   // its topic level ("a_light")
    std::string href;  // "/a/light"
    const FunctionType* type = nullptr;
    bool writable = false;  // the gateway's ACEs grant update
    std::string unit;       // sensors: as the device reports it
    friend bool operator==(const BridgedFunction&, const BridgedFunction&) = default;
};

class DeviceFunctions {
public:
    struct Options {
        std::string base;                       // "steward"
        std::chrono::seconds pollInterval{30};  // 0: never polled (state only after commands)
        std::chrono::milliseconds timeout{3000};
        std::size_t maxQueued = 256;
    };
    struct Access {
        core::CoapEndpoint& endpoint;
        const core::GatewayIdentity& identity;
    };
    struct Hooks {
        std::function<void(const std::string& topic, const std::string& payload, bool retain)> publish;
        std::function<void(const std::string& type, Poco::JSON::Object::Ptr data)> event;
        std::function<void(const core::Uuid&)> functionsChanged;  // the list or the reachability changed
        std::function<void(const std::string&)> log;
    };
    // A request's outcome: the value (JSON), or an error for the requester.
    using Done = std::function<void(const Poco::Dynamic::Var& value, const std::string& error)>;

    DeviceFunctions(Options options, Access access, Hooks hooks);
    ~DeviceFunctions();
    DeviceFunctions(const DeviceFunctions&) = delete;
    DeviceFunctions& operator=(const DeviceFunctions&) = delete;

    void start();
    // Ends the worker; queued requests are answered "the gateway is shutting down".
    void stop();

    // The device is owned and reachable at `at` (host, secure port): it is tracked, and polled at
    // once when it is new or `changed` (its policies changed: the ACEs may have). Not owned
    // (nullopt): forgotten, and its retained state and availability topics cleared.
    void track(const core::Uuid& id, const std::optional<core::PeerAddress>& at, bool changed);
    // A message on <base>/devices/<uuid>/<key>/set.
    void command(const core::Uuid& id, const std::string& key, const std::string& payload);
    void read(const core::Uuid& id, const std::string& href, Done done);
    void write(const core::Uuid& id, const std::string& href, core::CborValue body, Done done);

    std::vector<BridgedFunction> functionsOf(const core::Uuid& id) const;
    bool tracked(const core::Uuid& id) const;
    std::string availabilityTopic(const core::Uuid& id) const;
    std::string stateTopic(const core::Uuid& id, const std::string& key) const;
    // "<base>/devices/+/+/set" and how to read one: the device and the key, or nullopt.
    std::string commandFilter() const;
    std::optional<std::pair<core::Uuid, std::string>> parseCommandTopic(const std::string& topic) const;

private:
    struct Device {
        core::PeerAddress at;
        std::vector<BridgedFunction> functions;
        std::map<std::string, Poco::JSON::Object::Ptr> state;  // key -> last state published
        std::map<std::string, std::string> published;          // key -> payload published
        std::optional<bool> online;                            // as last published
        std::chrono::steady_clock::time_point nextPoll{};      // time_point{}: at once
    };
    struct Task {
        std::function<void()> run;
        std::function<void()> cancel;  // when the gateway stops first
    };

    // A resource/get or resource/set: `work` on an owner session, on the worker; `done` gets its
    // value or the error.
    using SessionWork = std::function<Poco::Dynamic::Var(core::DeviceResourceSession&)>;
    void request(const core::Uuid& id, Done done, SessionWork work);
    bool enqueue(Task task);
    void run();
    void poll(const core::Uuid& id);
    void runCommand(const core::Uuid& id, const std::string& key, const std::string& payload);
    void setOnline(const core::Uuid& id, bool online, const std::string& why);
    void publishState(const core::Uuid& id, const std::string& key, const Poco::JSON::Object::Ptr& state);
    void commandFailed(const core::Uuid& id, const std::string& key, const std::string& href, const std::string& error);
    std::optional<core::PeerAddress> addressOf(const core::Uuid& id) const;

    const Options options_;
    Access access_;
    Hooks hooks_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Task> tasks_;
    std::map<core::Uuid, Device> devices_;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace steward::bridge
