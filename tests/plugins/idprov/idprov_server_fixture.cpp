#include "idprov_server_fixture.hpp"

#include <stdexcept>

#include "steward/plugin/provider.hpp"
#include "steward/util/atomic_file.hpp"

namespace steward::test {
namespace {

void writeText(const std::filesystem::path& file, const std::string& text, unsigned mode) {
    core::AtomicWriteOptions options;
    options.mode = mode;
    core::writeFileAtomically(file, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), options);
}

}  // namespace

core::EnrollmentSettings IdprovServer::defaultSettings() {
    core::EnrollmentSettings s;
    s.listenAddress = "127.0.0.1";
    s.port = 0;
    s.publishDnssd = false;
    s.requestsPerMinute = 0;  // no limit unless a test sets one
    return s;
}

core::EnrollmentSettings IdprovServer::cheapHashSettings() {
    core::EnrollmentSettings s = defaultSettings();
    s.argon2MemoryKiB = kCheapArgon2MemoryKiB;
    s.argon2Passes = 1;
    s.argon2Lanes = 1;
    s.pbkdf2Iterations = kCheapPbkdf2Iterations;
    return s;
}

IdprovServer::IdprovServer(core::EnrollmentSettings settings) {
    gateway_ = std::make_unique<core::GatewayState>(dir_.path() / "state", STEWARD_PLUGIN_DIR);
    auto provider =
        std::dynamic_pointer_cast<const core::EnrollmentProvider>(gateway_->registry.find(core::provider_category::kEnrollment, "idprov"));
    if (!provider) throw std::runtime_error("the idprov plugin is not in " STEWARD_PLUGIN_DIR);
    settings.stateDirectory = dir_.path() / "state" / "idprov";
    service_ = provider->start(
        settings, gateway_->ca(),
        [this](const core::EnrollmentEvent& e) {
            const std::lock_guard<std::mutex> hold(mutex_);
            events_.push_back(e);
        },
        [this](const std::string& line) {
            const std::lock_guard<std::mutex> hold(mutex_);
            log_.push_back(line);
        });
    writeText(caFile(), gateway_->ca().chainPem(), 0644);
}

IdprovServer::~IdprovServer() { service_.reset(); }

std::string IdprovServer::baseUrl() const { return "https://127.0.0.1:" + std::to_string(service_->port()) + "/idprov/"; }

std::vector<core::EnrollmentEvent> IdprovServer::events() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return events_;
}

std::vector<std::string> IdprovServer::logLines() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return log_;
}

std::string IdprovServer::log() const {
    std::string all;
    for (const auto& l : logLines()) all += l + "\n";
    return all;
}

bool IdprovServer::logged(const std::string& fragment) const {
    for (const auto& l : logLines()) {
        if (l.find(fragment) != std::string::npos) return true;
    }
    return false;
}

void IdprovServer::writeClientCertificate(const std::string& name, const std::string& cn, const std::string& ou,
                                          std::chrono::seconds validity, std::chrono::seconds notBeforeOffset) {
    core::CertificateProfile profile;
    profile.commonName = cn;
    profile.organizationalUnit = ou;
    profile.usage = core::CertificateUsage::Client;
    profile.validity = validity;
    profile.notBeforeOffset = notBeforeOffset;
    const auto issued = gateway_->ca().issueWithNewKey(profile);
    writeText(dir_.path() / (name + ".crt"), issued.certificate.pem(), 0644);
    writeText(dir_.path() / (name + ".key"), issued.key.pem(), 0600);
}

}  // namespace steward::test
