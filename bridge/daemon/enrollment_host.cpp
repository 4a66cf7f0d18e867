#include "enrollment_host.hpp"

#include "steward/plugin/provider.hpp"

namespace steward::bridge {

namespace {

Poco::JSON::Object::Ptr eventData(const core::EnrollmentEvent& e) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("device_id", e.deviceId);
    o->set("peer", e.peer);
    if (e.kind == core::EnrollmentEvent::Kind::CertificateIssued) {
        o->set("renewal", e.renewal);
        o->set("not_after", e.notAfter);
        o->set("serial", e.serial);
    } else {
        o->set("reason", e.reason);
    }
    return o;
}

}  // namespace

EnrollmentHost::EnrollmentHost(const IdprovConfig& config, core::GatewayState& gateway, EventSink& events,
                               std::function<void(const std::string&)> log)
    : config_(config), gateway_(gateway), events_(events), log_(std::move(log)) {
    config_.settings.stateDirectory = gateway_.stateDir() / "idprov";
}

EnrollmentHost::~EnrollmentHost() { stop(); }

bool EnrollmentHost::running() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return service_ != nullptr;
}

bool EnrollmentHost::start() {
    const std::lock_guard<std::mutex> hold(mutex_);
    if (!config_.enabled || service_) return service_ != nullptr;
    auto provider =
        std::dynamic_pointer_cast<const core::EnrollmentProvider>(gateway_.registry.find(core::provider_category::kEnrollment, "idprov"));
    if (!provider) {
        startError_ = "no IDProv plugin (enrollment provider \"idprov\") in " + gateway_.pluginDir().string();
        log_("idprov: not started: " + startError_);
        return false;
    }
    try {
        service_ = provider->start(
            config_.settings, gateway_.ca(),
            [this](const core::EnrollmentEvent& e) {
                events_.event(e.kind == core::EnrollmentEvent::Kind::CertificateIssued ? "certificate_issued" : "enrollment_rejected",
                              eventData(e));
            },
            log_);
    } catch (const std::exception& e) {
        startError_ = e.what();
        log_(std::string("idprov: not started: ") + e.what());
        return false;
    }
    return true;
}

void EnrollmentHost::stop() {
    std::unique_ptr<core::EnrollmentService> stopping;
    {
        const std::lock_guard<std::mutex> hold(mutex_);
        stopping = std::move(service_);
    }
    // Destroyed outside the lock: its request threads may still emit events while it stops.
    stopping.reset();
}

core::OobSecretResult EnrollmentHost::addOobSecret(const std::string& deviceId, const std::string& secret, const std::string& validUntil) {
    if (!config_.enabled) throw std::runtime_error("IDProv is not enabled (idprov.enabled in steward.yaml)");
    const std::lock_guard<std::mutex> hold(mutex_);
    if (!service_) throw std::runtime_error("IDProv is not running: " + startError_);
    return service_->addOobSecret(deviceId, secret, validUntil);
}

Poco::JSON::Object::Ptr EnrollmentHost::info() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("enabled", config_.enabled);
    o->set("running", service_ != nullptr);
    if (service_) {
        o->set("url", service_->directoryUrl());
        o->set("port", static_cast<int>(service_->port()));
        o->set("status", service_->describe());
    } else if (!startError_.empty()) {
        o->set("error", startError_);
    }
    return o;
}

}  // namespace steward::bridge
