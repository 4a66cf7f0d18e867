#include "storage_subsystem.hpp"

namespace steward::bridge {

StorageSubsystem::StorageSubsystem(const ConfigurationSubsystem& configuration) : configuration_(configuration) {}

StorageSubsystem::~StorageSubsystem() { uninitialize(); }

core::GatewayState& StorageSubsystem::gateway() const {
    if (!gateway_) throw std::logic_error("the gateway's state is not open");
    return *gateway_;
}

void StorageSubsystem::initialize(Poco::Util::Application&) {
    const auto& config = configuration_.config();
    gateway_ = std::make_unique<core::GatewayState>(config.stateDir, config.pluginDir);
    daemonLogger().information("gateway " + gateway_->identity.id().toString());
}

void StorageSubsystem::uninitialize() { gateway_.reset(); }

}  // namespace steward::bridge
