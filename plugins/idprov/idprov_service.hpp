#pragma once
// A running IDProv server: HTTPS on the configured address and port (Poco NetSSL), its DNS-SD
// announcement, the in-memory OOB secrets, the record of issued certificates, the rate limiter,
// and the guards against slow and numerous clients (guarded_connection.hpp; docs/idprov-dos.md).
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include "connection_deadlines.hpp"
#include "connection_limiter.hpp"
#include "enroller.hpp"
#include "issued_store.hpp"
#include "oob_store.hpp"
#include "rate_limiter.hpp"
#include "steward/idprov/dnssd_publisher.hpp"
#include "steward/plugin/enrollment_provider.hpp"

namespace steward::plugins::idprov {

class IdprovService : public core::EnrollmentService {
public:
    IdprovService(const core::EnrollmentSettings& settings, core::CertificateAuthority& ca,
                  std::function<void(const core::EnrollmentEvent&)> events, std::function<void(const std::string&)> log);
    ~IdprovService() override;

    core::OobSecretResult addOobSecret(const std::string& deviceId, const std::string& secret, const std::string& validUntil) override;
    std::uint16_t port() const override { return port_; }
    std::string directoryUrl() const override;
    std::string describe() const override;

    // For the request handlers.
    const core::EnrollmentSettings& settings() const { return settings_; }
    core::CertificateAuthority& ca() { return ca_; }
    Enroller& enroller() { return enroller_; }
    RateLimiter& limiter() { return limiter_; }
    ConnectionDeadlines& deadlines() { return *deadlines_; }
    void emit(const core::EnrollmentEvent& event);
    void log(const std::string& line) const;

private:
    core::EnrollmentSettings settings_;
    core::CertificateAuthority& ca_;
    std::function<void(const core::EnrollmentEvent&)> events_;
    std::function<void(const std::string&)> log_;
    OobStore secrets_;
    IssuedStore issued_;
    Enroller enroller_;
    RateLimiter limiter_;
    // Logs a dropped connection: the first few, then one in a hundred (an attack must not flood
    // the log).
    void logDropped(std::atomic<std::uint64_t>& counter, const std::string& line) const;

    std::uint16_t port_ = 0;
    ConnectionLimiter connections_;
    std::atomic<std::uint64_t> refusedCount_{0};
    std::atomic<std::uint64_t> cutCount_{0};
    std::unique_ptr<ConnectionDeadlines> deadlines_;
    Poco::ThreadPool threads_;
    std::unique_ptr<Poco::Net::TCPServer> server_;
    std::unique_ptr<steward::idprov::DnssdPublisher> publisher_;
    std::atomic<unsigned> issuedCount_{0};
};

}  // namespace steward::plugins::idprov
