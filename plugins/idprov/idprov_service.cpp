#include "idprov_service.hpp"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <sstream>

#include "request_handler.hpp"
#include "server_tls.hpp"
#include "steward/idprov/messages.hpp"
#include "steward/idprov/oob_hash.hpp"
#include "steward/util/iso_time.hpp"

namespace steward::plugins::idprov {

namespace proto = steward::idprov;

namespace {

// A secret may be given a life of up to a year; longer is almost certainly a typo.
constexpr auto kMaxOobLife = std::chrono::hours(24 * 366);

Poco::Net::SecureServerSocket listenOn(const core::EnrollmentSettings& settings, Poco::Net::Context::Ptr context) {
    const Poco::Net::SocketAddress address(settings.listenAddress, settings.port);
    Poco::Net::SecureServerSocket socket(context);
    if (address.family() == Poco::Net::SocketAddress::IPv6) {
        socket.bind6(address, true, false, false);  // "::" serves IPv4 too
    } else {
        socket.bind(address, true);
    }
    socket.listen(64);
    return socket;
}

}  // namespace

IdprovService::IdprovService(const core::EnrollmentSettings& settings, core::CertificateAuthority& ca,
                             std::function<void(const core::EnrollmentEvent&)> events, std::function<void(const std::string&)> log)
    : settings_(settings),
      ca_(ca),
      events_(std::move(events)),
      log_(std::move(log)),
      issued_(settings.stateDirectory / "issued"),
      enroller_(settings_, ca_, secrets_, issued_, [this](const std::string& line) { this->log(line); }),
      limiter_(settings.requestsPerMinute) {
    for (const auto& name : settings_.hashAlgorithms) {
        if (!proto::parseAlgorithm(name)) throw std::runtime_error("idprov: unknown hash algorithm '" + name + "'");
    }
    Poco::Net::SecureServerSocket socket = listenOn(settings_, makeServerContext(ca_, settings_.serverNames));
    port_ = socket.address().port();

    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    params->setMaxQueued(64);
    params->setTimeout(Poco::Timespan(10, 0));  // a silent client (or a stalled handshake) is dropped
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setServerName("steward-idprov");
    server_ = std::make_unique<Poco::Net::HTTPServer>(new IdprovRequestHandlerFactory(*this), socket, params);
    server_->start();
    this->log("idprov: listening on https://" + socket.address().toString() + kPathPrefix + "directory");

    if (settings_.publishDnssd) {
        proto::ServiceAdvert advert;
        advert.instanceName = settings_.dnssdInstanceName;
        advert.port = port_;
        advert.txt = {std::string("path=") + kPathPrefix + "directory"};
        publisher_ = std::make_unique<proto::DnssdPublisher>(advert, [this](const std::string& line) { this->log(line); });
    }
}

IdprovService::~IdprovService() {
    publisher_.reset();
    if (server_) server_->stopAll(true);
}

core::OobSecretResult IdprovService::addOobSecret(const std::string& deviceId, const std::string& secret, const std::string& validUntil) {
    core::OobSecretResult result;
    if (const std::string problem = proto::deviceIdProblem(deviceId); !problem.empty()) {
        result.error = "deviceID " + problem;
        return result;
    }
    if (secret.empty() || secret.size() > proto::kMaxOobSecretBytes) {
        result.error = "oobSecret must be 1 to " + std::to_string(proto::kMaxOobSecretBytes) + " bytes";
        return result;
    }
    const auto now = Clock::now();
    Clock::time_point until = now + settings_.oobValidity;
    if (!validUntil.empty()) {
        const auto parsed = core::parseIsoTime(validUntil);
        if (!parsed) {
            result.error = "validUntil '" + validUntil + "' is not an ISO-8601 time (e.g. 2026-12-01T12:00:00Z)";
            return result;
        }
        if (*parsed <= now) {
            result.error = "validUntil " + validUntil + " is in the past";
            return result;
        }
        if (*parsed - now > kMaxOobLife) {
            result.error = "validUntil " + validUntil + " is more than a year away";
            return result;
        }
        until = *parsed;
    }
    secrets_.put(deviceId, OobSecret{core::SecretBytes::fromText(secret), until});
    result.ok = true;
    result.validUntil = core::isoTime(until);
    log("idprov: out-of-band secret of '" + deviceId + "' stored, valid until " + result.validUntil);
    return result;
}

std::string IdprovService::directoryUrl() const {
    std::string host = settings_.listenAddress;
    if (host == "0.0.0.0" || host == "::" || host.empty()) host = "127.0.0.1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "https://" + host + ":" + std::to_string(port_) + kPathPrefix + "directory";
}

std::string IdprovService::describe() const {
    std::ostringstream out;
    out << "IDProv on port " << port_ << ", " << const_cast<OobStore&>(secrets_).size(Clock::now()) << " secret(s) waiting, "
        << issuedCount_.load() << " certificate(s) issued since start";
    if (publisher_) {
        out << ", DNS-SD '" << publisher_->instanceName() << "' " << (publisher_->established() ? "published" : "not yet published");
    }
    return out.str();
}

void IdprovService::emit(const core::EnrollmentEvent& event) {
    if (event.kind == core::EnrollmentEvent::Kind::CertificateIssued) ++issuedCount_;
    if (!events_) return;
    try {
        events_(event);
    } catch (const std::exception& e) {
        log(std::string("idprov: event handler failed: ") + e.what());
    }
}

void IdprovService::log(const std::string& line) const {
    if (log_) log_(line);
}

}  // namespace steward::plugins::idprov
