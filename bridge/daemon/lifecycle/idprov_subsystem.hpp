#pragma once
// Subsystem "idprov": the IDProv host (EnrollmentHost): the enrollment plugin's HTTPS server and
// its threads when steward.yaml enables it. A missing plugin or a server that cannot start is
// logged and leaves the rest of the daemon running, as before.
#include <memory>

#include "enrollment_host.hpp"
#include "mqtt_subsystem.hpp"

namespace steward::bridge {

class IdprovSubsystem final : public DaemonSubsystem {
public:
    IdprovSubsystem(const ConfigurationSubsystem& configuration, const StorageSubsystem& storage, const MqttSubsystem& mqtt);
    ~IdprovSubsystem() override;
    const char* name() const override { return "idprov"; }

    EnrollmentHost& host() const;  // between initialize() and uninitialize()

protected:
    void initialize(Poco::Util::Application& app) override;
    void uninitialize() override;

private:
    const ConfigurationSubsystem& configuration_;
    const StorageSubsystem& storage_;
    const MqttSubsystem& mqtt_;
    std::unique_ptr<EnrollmentHost> host_;
};

}  // namespace steward::bridge
