#pragma once
// Subsystem "devices": the device directory (what the daemon publishes about every device), filled
// with the PDM's owned devices once the transfers an earlier run left pending are settled by asking
// those devices over the CoAP endpoint (owned, or removed; unreachable ones stay pending and are
// settled later by the discovery rounds).
#include <memory>

#include "device_directory.hpp"
#include "storage_subsystem.hpp"

namespace steward::bridge {

class DeviceSubsystem final : public DaemonSubsystem {
public:
    explicit DeviceSubsystem(const StorageSubsystem& storage);
    ~DeviceSubsystem() override;
    const char* name() const override { return "devices"; }

    DeviceDirectory& directory() const;  // between initialize() and uninitialize()

protected:
    void initialize(Poco::Util::Application& app) override;
    void uninitialize() override;

private:
    const StorageSubsystem& storage_;
    std::unique_ptr<DeviceDirectory> directory_;
};

}  // namespace steward::bridge
