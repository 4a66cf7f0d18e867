#include "device_subsystem.hpp"

namespace steward::bridge {

DeviceSubsystem::DeviceSubsystem(const StorageSubsystem& storage) : storage_(storage) {}

DeviceSubsystem::~DeviceSubsystem() { uninitialize(); }

DeviceDirectory& DeviceSubsystem::directory() const {
    if (!directory_) throw std::logic_error("the device directory is not loaded");
    return *directory_;
}

void DeviceSubsystem::initialize(Poco::Util::Application&) {
    auto& gateway = storage_.gateway();
    for (const auto& [id, resolution] : gateway.ownership.resolvePending()) {
        daemonLogger().information("device " + id.toString() +
                                   " left pending by an interrupted transfer: " + std::string(core::toString(resolution)));
    }
    directory_ = std::make_unique<DeviceDirectory>();
    directory_->loadOwned(*gateway.pdm);
}

void DeviceSubsystem::uninitialize() { directory_.reset(); }

}  // namespace steward::bridge
