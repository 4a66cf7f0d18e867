#pragma once
// Provider interface of category "enrollment": a service that issues certificates from the
// gateway CA to devices that prove themselves another way than OCF ownership transfer (IDProv:
// an out-of-band secret, then renewal over mutual TLS). The host starts it with its settings and
// the CA, feeds it out-of-band secrets (from MQTT, the CLI) and hears what it issued.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "steward/plugin/provider.hpp"

namespace steward::core {

class CertificateAuthority;

struct EnrollmentSettings {
    std::string listenAddress = "0.0.0.0";  // "::" for dual stack, "127.0.0.1" for local only
    std::uint16_t port = 43776;             // 0: any free port (tests)
    std::filesystem::path stateDirectory;   // the service's own files (its TLS key and certificate)
    // Names and addresses put in the server certificate's subjectAltName (besides localhost,
    // 127.0.0.1 and ::1), e.g. the gateway's host name.
    std::vector<std::string> serverNames;
    std::chrono::seconds oobValidity = std::chrono::hours(72);  // default life of a secret
    std::chrono::seconds certificateValidity = std::chrono::hours(24 * 30);
    std::chrono::seconds waitingRetry = std::chrono::seconds(30);   // retrySec when Waiting
    std::vector<std::string> hashAlgorithms{"Argon2id", "PBKDF2"};  // offered, in order
    std::size_t maxBodyBytes = 16 * 1024;
    double requestsPerMinute = 60;  // per client address; a burst of the same size is allowed
    bool publishDnssd = true;       // announce _idprov._tcp through avahi-daemon
    std::string dnssdInstanceName = "idprov";

    // Denial of service from the LAN (issue 20; docs/idprov-dos.md says why each value).
    // The one hash cost accepted per algorithm (advertised in the directory; any other refused
    // before hashing). Defaults: OWASP's password storage guidance.
    std::uint32_t argon2MemoryKiB = 19456;
    std::uint32_t argon2Passes = 2;
    std::uint32_t argon2Lanes = 1;
    std::uint32_t pbkdf2Iterations = 600000;
    // TLS handshake, request line, headers and body of a connection, all together.
    std::chrono::milliseconds requestDeadline{5000};
    unsigned handlerThreads = 64;                   // connections served at once
    unsigned maxConnectionsPerAddress = 4;          // open (queued or served) per client address
    unsigned maxConnections = 256;                  // open, all addresses together
    unsigned concurrentHashes = 2;                  // KDF runs at once, all clients together (one per address)
    double hashesPerMinute = 10;                    // requests that need a KDF run, per client address and deviceID
    std::chrono::milliseconds hashQueueWait{3000};  // longest wait for a KDF slot before 503
};

struct EnrollmentEvent {
    enum class Kind { CertificateIssued, Rejected };
    Kind kind = Kind::CertificateIssued;
    std::string deviceId;
    bool renewal = false;
    std::string notAfter;  // ISO-8601 (issued)
    std::string serial;    // hex (issued)
    std::string peer;      // the client's address
    std::string reason;    // (rejected)
};

struct OobSecretResult {
    bool ok = false;
    std::string error;       // why not (bad deviceID, expired validUntil, ...)
    std::string validUntil;  // ISO-8601 of the stored secret
};

// A running enrollment service; stops when destroyed.
class EnrollmentService {
public:
    virtual ~EnrollmentService() = default;
    // Stores (or replaces) the one-time secret of `deviceId`. `validUntil` ISO-8601 ("" = now +
    // oobValidity). Never throws.
    virtual OobSecretResult addOobSecret(const std::string& deviceId, const std::string& secret, const std::string& validUntil) = 0;
    virtual std::uint16_t port() const = 0;
    virtual std::string directoryUrl() const = 0;  // https://<listen or 127.0.0.1>:<port>/idprov/directory
    // A line of what the service is doing (listening, DNS-SD name, secrets waiting, issued).
    virtual std::string describe() const = 0;
};

class EnrollmentProvider : public Provider {
public:
    // Starts the service: listening when this returns. Throws std::runtime_error if the port
    // cannot be bound or the TLS material cannot be made. `events` is called from the service's
    // threads and must not block.
    virtual std::unique_ptr<EnrollmentService> start(const EnrollmentSettings& settings, CertificateAuthority& ca,
                                                     std::function<void(const EnrollmentEvent&)> events,
                                                     std::function<void(const std::string&)> log) const = 0;
};

}  // namespace steward::core
