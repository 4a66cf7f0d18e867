#pragma once
// Publishes one DNS-SD service through the system's avahi-daemon (Avahi client API, its own
// threaded poll), e.g. IDProv's `idprov._idprov._tcp` with TXT `path=/idprov/directory`.
//
// It keeps the service published for its whole life:
//  - avahi-daemon not running at start, or restarted later: the client waits for it
//    (AVAHI_CLIENT_NO_FAIL) and publishes again when it is back;
//  - a name collision (another host publishes the same instance name): the next alternative name
//    ("idprov #2", ...) is chosen and published, and logged;
//  - the daemon's host name changing: published again.
// Which interfaces carry the announcements is avahi-daemon's configuration (allow-interfaces).
//
// Threading: the Avahi poll runs on an internal thread; the accessors may be called from any thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace steward::idprov {

struct ServiceAdvert {
    std::string instanceName = "idprov";
    std::string type = "_idprov._tcp";
    std::uint16_t port = 43776;
    std::vector<std::string> txt{"path=/idprov/directory"};  // "key=value" strings
};

class DnssdPublisher {
public:
    // Starts publishing; never throws for avahi-daemon being absent (it keeps waiting and logs
    // once; if even the D-Bus system bus is unreachable it tries again every 2 s). Throws
    // std::invalid_argument if the advert is not valid DNS-SD (instance name, service type, a TXT
    // item empty or over 255 bytes), std::runtime_error if the Avahi poll thread cannot be created.
    // `log` receives one short line per state change, e.g. "dnssd: published 'idprov' _idprov._tcp
    // port 43776" (may be empty; called from the poll thread, or from this constructor for the
    // first state; exceptions it throws are swallowed).
    DnssdPublisher(ServiceAdvert advert, std::function<void(const std::string&)> log);
    // Stops the poll thread (no `log` call after it returns) and withdraws the service.
    ~DnssdPublisher();
    DnssdPublisher(const DnssdPublisher&) = delete;
    DnssdPublisher& operator=(const DnssdPublisher&) = delete;

    // Whether the service is currently established (announced without conflict).
    bool established() const;
    // The instance name in use now (differs from the advert's after a collision).
    std::string instanceName() const;
    // How many times the service has been established (1 after start; +1 per re-publish).
    int establishedCount() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace steward::idprov
