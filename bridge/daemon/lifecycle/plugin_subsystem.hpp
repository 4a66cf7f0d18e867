#pragma once
// Subsystem "plugins": what the plugin directory gave (loaded, or skipped and why), logged once at
// start. The plugins themselves are loaded and unloaded with the gateway's state (core loads them in
// GatewayState's constructor), so there is nothing to take back here.
#include "storage_subsystem.hpp"

namespace steward::bridge {

class PluginSubsystem final : public DaemonSubsystem {
public:
    explicit PluginSubsystem(const StorageSubsystem& storage);
    const char* name() const override { return "plugins"; }

protected:
    void initialize(Poco::Util::Application& app) override;
    void uninitialize() override;

private:
    const StorageSubsystem& storage_;
};

}  // namespace steward::bridge
