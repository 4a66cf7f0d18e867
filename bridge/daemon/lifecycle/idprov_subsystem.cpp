#include "idprov_subsystem.hpp"

namespace steward::bridge {

IdprovSubsystem::IdprovSubsystem(const ConfigurationSubsystem& configuration, const StorageSubsystem& storage, const MqttSubsystem& mqtt)
    : configuration_(configuration), storage_(storage), mqtt_(mqtt) {}

IdprovSubsystem::~IdprovSubsystem() { uninitialize(); }

EnrollmentHost& IdprovSubsystem::host() const {
    if (!host_) throw std::logic_error("the IDProv host is not up");
    return *host_;
}

void IdprovSubsystem::initialize(Poco::Util::Application&) {
    host_ = std::make_unique<EnrollmentHost>(configuration_.config().idprov, storage_.gateway(), mqtt_.bridge(), informationLog());
    host_->start();  // false (and logged) when it cannot run: the daemon goes on without it
}

void IdprovSubsystem::uninitialize() {
    if (host_) {
        setActivity("stopping the IDProv server");
        host_->stop();
    }
    host_.reset();
}

}  // namespace steward::bridge
