#include "idprov_service.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <algorithm>
#include <sstream>

#include "guarded_connection.hpp"
#include "request_handler.hpp"
#include "server_tls.hpp"
#include "steward/idprov/idprov_error.hpp"
#include "steward/idprov/messages.hpp"
#include "steward/idprov/oob_hash.hpp"
#include "steward/idprov/oob_hash_policy.hpp"
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
    // Deep enough for the connection cap: attackers reconnecting as fast as they are refused must
    // not fill the kernel's accept queue and delay a legitimate SYN by a retransmission.
    socket.listen(static_cast<int>(std::max(64u, settings.maxConnections)));
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
      limiter_(settings.requestsPerMinute),
      connections_(std::max(1u, settings.maxConnectionsPerAddress), std::max(1u, settings.maxConnections)),
      threads_("idprov", 2, static_cast<int>(std::max(1u, settings.handlerThreads)), 60) {
    for (const auto& name : settings_.hashAlgorithms) {
        const auto algorithm = proto::parseAlgorithm(name);
        if (!algorithm) throw std::runtime_error("idprov: unknown hash algorithm '" + name + "'");
        try {  // the accepted cost must be one the protocol's limits allow
            proto::parseCostParameters(*algorithm, proto::costParameters(*algorithm, acceptedHashCost(settings_)));
        } catch (const proto::IdprovError& e) {
            throw std::runtime_error(std::string("idprov: ") + e.what());
        }
    }
    Poco::Net::SecureServerSocket socket = listenOn(settings_, makeServerContext(ca_, settings_.serverNames));
    port_ = socket.address().port();

    deadlines_ = std::make_unique<ConnectionDeadlines>(settings_.requestDeadline, [this](const std::string& peer) {
        logDropped(cutCount_, "idprov: connection from " + peer + " cut: its request was not complete within " +
                                  std::to_string(settings_.requestDeadline.count()) + " ms");
    });
    Poco::Net::HTTPServerParams::Ptr http = new Poco::Net::HTTPServerParams;
    http->setTimeout(Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(settings_.requestDeadline).count()));
    http->setKeepAlive(false);  // one request per connection: an idle connection would hold a handler
    http->setServerName("steward-idprov");
    Poco::Net::TCPServerParams::Ptr tcp = new Poco::Net::TCPServerParams;
    tcp->setMaxThreads(static_cast<int>(std::max(1u, settings_.handlerThreads)));
    // Every admitted connection fits in the queue: the dispatcher never drops one that the
    // limiter counted.
    tcp->setMaxQueued(static_cast<int>(std::max(1u, settings_.maxConnections)));
    tcp->setThreadIdleTime(Poco::Timespan(60, 0));
    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers = new IdprovRequestHandlerFactory(*this);
    server_ = std::make_unique<Poco::Net::TCPServer>(
        new GuardedConnectionFactory(connections_, *deadlines_, settings_.requestDeadline, http, handlers), threads_, socket, tcp);
    server_->setConnectionFilter(new AdmissionFilter(connections_, [this](const std::string& host) {
        logDropped(refusedCount_, "idprov: connection from " + host + " refused: too many open connections from it or in all");
    }));
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
    if (server_) {
        server_->stop();          // no more accepts
        deadlines_->expireAll();  // handlers still reading are cut now
        threads_.joinAll();
        server_.reset();
    }
}

void IdprovService::logDropped(std::atomic<std::uint64_t>& counter, const std::string& line) const {
    const std::uint64_t n = ++counter;
    if (n <= 5)
        log(line);
    else if (n % 100 == 0)
        log(line + " (" + std::to_string(n) + " so far)");
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
    enroller_.secretPosted(deviceId);
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
        << issuedCount_.load() << " certificate(s) issued since start, " << refusedCount_.load() << " connection(s) refused and "
        << cutCount_.load() << " cut at their deadline";
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
