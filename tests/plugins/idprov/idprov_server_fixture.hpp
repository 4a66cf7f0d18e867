#pragma once
// The real IDProv plugin, loaded from the build's plugin directory and started in this process on
// 127.0.0.1 (a free port, DNS-SD off unless asked), with a fresh gateway state (and CA) in a temp
// dir. Records the events it emits and the lines it logs. Shared by the server tests and the
// benchmark.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "steward/gateway/gateway_state.hpp"
#include "steward/plugin/enrollment_provider.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {

// Argon2id m=8192 KiB, t=1, p=1; PBKDF2 10,000 iterations.
inline constexpr std::uint32_t kCheapArgon2MemoryKiB = 8192;
inline constexpr std::uint32_t kCheapPbkdf2Iterations = 10000;

class IdprovServer {
public:
    explicit IdprovServer(core::EnrollmentSettings settings = defaultSettings());
    ~IdprovServer();

    static core::EnrollmentSettings defaultSettings();
    // defaultSettings() accepting only the protocol's cheapest hash cost (kCheapHashCost), so
    // tests do not spend seconds in the KDF.
    static core::EnrollmentSettings cheapHashSettings();

    core::EnrollmentService& service() { return *service_; }
    core::CertificateAuthority& ca() { return gateway_->ca(); }
    std::string baseUrl() const;  // https://127.0.0.1:PORT/idprov/
    const std::filesystem::path& dir() const { return dir_.path(); }

    std::vector<core::EnrollmentEvent> events() const;
    std::vector<std::string> logLines() const;
    std::string log() const;  // every line, for failure messages
    bool logged(const std::string& fragment) const;

    // Writes a client certificate from the gateway CA (CN, OU) to dir/<name>.crt and .key.
    void writeClientCertificate(const std::string& name, const std::string& cn, const std::string& ou,
                                std::chrono::seconds validity = std::chrono::hours(24),
                                std::chrono::seconds notBeforeOffset = std::chrono::minutes(-5));
    // The CA certificate as a file (dir/ca.crt).
    std::filesystem::path caFile() const { return dir_.path() / "ca.crt"; }

private:
    TempDir dir_;
    std::unique_ptr<core::GatewayState> gateway_;
    std::unique_ptr<core::EnrollmentService> service_;
    mutable std::mutex mutex_;
    std::vector<core::EnrollmentEvent> events_;
    std::vector<std::string> log_;
};

}  // namespace steward::test
