#pragma once
// The probe/collect loop of one discovery call: sends the doxm probes, reads every answer until
// the deadline (or, without multicast, until everything has answered), follows each new device
// up with /oic/res and /oic/d, and resends unanswered unicast requests every 500 ms (and the doxm
// probes every DiscoveryOptions::reprobeInterval); hands each device to onFound once followed up.

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "steward/discovery/device_discovery.hpp"
#include "steward/transport/udp_socket.hpp"

namespace steward::core::detail {

// Where the log lines and the rejection reasons of one call go, both bounded so that a flood of
// bad answers cannot grow them without limit.
class DiscoveryReporter {
public:
    explicit DiscoveryReporter(std::function<void(const std::string&)> log) : log_(std::move(log)) {}

    // A dropped answer: recorded in DiscoveryResult::rejected and logged.
    void reject(const std::string& reason);
    // Anything else worth a log line (refused endpoints, send failures, stray datagrams).
    void note(const std::string& line);
    std::vector<std::string> takeRejected() { return std::move(rejected_); }

private:
    std::function<void(const std::string&)> log_;
    std::vector<std::string> rejected_;
    std::size_t lines_ = 0;
};

// One socket per family; a family whose socket could not be opened is absent.
struct DiscoverySockets {
    std::optional<UdpSocket> v4;
    std::optional<UdpSocket> v6;
};

struct MulticastProbe {
    bool ipv6 = false;
    std::string interfaceName;
};

struct UnicastProbe {
    PeerAddress target;
    bool ipv6 = false;
};

// Runs the call; the probes' sockets must be open. Returns the devices and the rejections.
DiscoveryResult runDiscovery(const DiscoveryOptions& options, DiscoverySockets& sockets, const std::vector<MulticastProbe>& multicast,
                             const std::vector<UnicastProbe>& unicast, DiscoveryReporter& reporter);

// "127.0.0.1:5683", "[::1]:5683"
std::string describePeer(const PeerAddress& peer);

}  // namespace steward::core::detail
