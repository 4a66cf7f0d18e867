#pragma once
// Subsystem "storage": the gateway's state directory opened as core::GatewayState: its identity and
// owner credentials (gateway.svrdb and its owner-key log gateway.svrdb.keys), the PDM (pdm.sqlite), the CA (created on first use). Core
// opens the client CoAP endpoint and loads the plugins in the same constructor; the "plugins" subsystem reports what they did.
#include <memory>

#include "configuration_subsystem.hpp"
#include "steward/gateway/gateway_state.hpp"

namespace steward::bridge {

class StorageSubsystem final : public DaemonSubsystem {
public:
    explicit StorageSubsystem(const ConfigurationSubsystem& configuration);
    ~StorageSubsystem() override;
    const char* name() const override { return "storage"; }

    core::GatewayState& gateway() const;  // between initialize() and uninitialize()

protected:
    void initialize(Poco::Util::Application& app) override;
    void uninitialize() override;

private:
    const ConfigurationSubsystem& configuration_;
    std::unique_ptr<core::GatewayState> gateway_;
};

}  // namespace steward::bridge
