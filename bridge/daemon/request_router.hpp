#pragma once
// The MQTT API's actions: each request body is checked here (a bad one gets an error response,
// never a crash), quick ones are answered on the request dispatcher's thread (never the MQTT
// network thread: MqttBridge queues requests for it), device operations are queued on the
// provisioning worker and answered when done. Every response echoes the request's transaction.
#include <functional>
#include <map>
#include <string>

#include "device_directory.hpp"
#include "enrollment_host.hpp"
#include "job_queue.hpp"
#include "mqtt_bridge.hpp"
#include "onboarding.hpp"
#include "pin_broker.hpp"
#include "policy/policy_store.hpp"
#include "policy_applier.hpp"

namespace steward::bridge {

class RequestRouter {
public:
    struct Parts {
        const DaemonConfig& config;
        core::GatewayState& gateway;
        DeviceDirectory& directory;
        JobQueue& worker;
        PinBroker& pins;
        Onboarding& onboarding;
        PolicyStore& policies;
        PolicyApplier& applier;
        OnboardingMetrics& metrics;
        MqttBridge& mqtt;
        EnrollmentHost& enrollment;
    };
    RequestRouter(Parts parts, std::function<void(const std::string&)> log);

    // Called for <base>/bridge/request/<action>, by one thread at a time (the request dispatcher's,
    // or the start-up thread handing on the requests the gate held), in arrival order.
    void handle(const std::string& action, const std::string& payload);

    // Reloads the policies (SIGHUP or request); on success re-applies them on the worker, telling
    // `progress` (optional) of each device, then calls `applied` (optional; at once when nothing
    // needs applying again, also when the re-apply is cancelled by a stop) with the reload's result.
    ReloadResult reloadPolicies(std::function<void(const ReloadResult&)> applied = {}, PolicyApplier::Progress progress = {});

    Poco::JSON::Object::Ptr info() const;

private:
    using Reply = std::function<void(const Poco::Dynamic::Var& data)>;
    using Handler =
        std::function<void(const Poco::JSON::Object::Ptr& body, const Reply& ok, const std::function<void(const std::string&)>& fail)>;

    // Runs `op` on the worker and answers with its outcome.
    void onWorker(const std::string& name, const std::function<core::ProvisioningOutcome()>& op, const Reply& ok,
                  const std::function<void(const std::string&)>& fail, const std::vector<core::Uuid>& touched);

    // A `progress` event ({action, transaction, message}) for the request being handled; callable
    // later from any thread. Only inside a handler: handle() has a single caller at a time.
    std::function<void(const std::string&)> progressReporter() const;
    // The same with the place in a run over many devices: {..., done, total}.
    std::function<void(std::size_t done, std::size_t total, const std::string&)> countedProgressReporter() const;

    struct CurrentRequest {
        std::string action;
        Poco::Dynamic::Var transaction;
    };
    Parts parts_;
    std::function<void(const std::string&)> log_;
    CurrentRequest current_;  // set by handle() for progressReporter()
    std::map<std::string, Handler> handlers_;
};

}  // namespace steward::bridge
