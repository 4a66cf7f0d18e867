#pragma once
// Finding OCF devices: multicast GET /oic/sec/doxm on named interfaces and/or unicast to given
// addresses, then, per device, GET /oic/res?rt=oic.r.doxm (its secure port) and
// GET /oic/d?if=oic.if.baseline (its name and types: iotivity-lite gives `rt` only in the
// baseline representation). Plain CoAP over UDP, non-confirmable, as OCF discovery is.
//
// Everything a device sends is untrusted: answers that do not decode, that contradict the query,
// or whose follow-ups name another device are dropped with a reason. A device that answers doxm
// but not its follow-ups is still reported (without a secure port).
//
// Threading: discoverDevices() blocks the calling thread for at most about `timeout` and may run
// on several threads at once (each call has its own sockets). `log` runs on the calling thread.
// It never sends multicast unless interfaces are named: a gateway must not probe networks it was
// not configured for.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steward/model/uuid.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::core {

enum class DiscoveryScope {
    All,      // GET /oic/sec/doxm (no query)
    Unowned,  // ?owned=FALSE; an answer with owned=true is a lie and is dropped
    Owned,    // ?owned=TRUE; an answer with owned=false is a lie and is dropped
};

// "all", "unowned", "owned"
std::string_view toString(DiscoveryScope scope);

struct DiscoveredDevice;

struct DiscoveryOptions {
    DiscoveryScope scope = DiscoveryScope::All;
    // Total time budget. Devices jitter multicast answers by 0-2 s, so with multicast the call
    // always waits this long; unicast-only calls end once every target and follow-up answered.
    std::chrono::milliseconds timeout{3000};
    // Interfaces to multicast on (224.0.1.187 and/or ff02::158, port 5683). Empty: no multicast
    // at all — never "all interfaces" implicitly.
    std::vector<std::string> multicastInterfaces;
    bool ipv4 = true;  // which multicast families; unicast targets use their own family
    bool ipv6 = true;
    // Plain CoAP addresses to probe directly ("192.168.1.7", "[fe80::1%eth0]", port usually 5683).
    std::vector<PeerAddress> unicastTargets;
    // Owned scope only: keep only devices whose devowneruuid equals this.
    std::optional<Uuid> owner;
    // Devices `owner` holds an owner credential for (Owned and All scopes; needs `owner`). An
    // owned device may refuse anonymous doxm reads (iotivity-lite does), so the probe also asks
    // GET /oic/res?rt=oic.r.doxm and reports these devices from their doxm link, with
    // ownerConfirmed false: confirmOwnedDevices() (owner_session.hpp) asks them over the owner
    // credential. Answers to that probe from other devices are ignored.
    std::vector<Uuid> ownedDevices;
    // One line per dropped answer, refused endpoint, send failure or unanswered request (bounded);
    // may be empty.
    std::function<void(const std::string&)> log;
    // The doxm probes are sent again every reprobeInterval within the call (multicast, and unicast
    // targets that already answered; unanswered ones are resent every 500 ms anyway), so that a
    // device that starts during a long call is found within about this. 0: each probe goes out
    // once. Answers to every copy count; a device is still reported once. With it, the call lasts
    // the whole timeout. At least 100 ms when not 0.
    std::chrono::milliseconds reprobeInterval{0};
    // Called on the calling thread, during the call, once per device as soon as its follow-ups
    // are done (answered or, at the end of the call, abandoned): callers need not wait for the
    // whole timeout. It gets what is known then; answers merged later (another address) show
    // only in the result. Its exceptions end the call (and propagate).
    std::function<void(const DiscoveredDevice&)> onFound;
    // Asked at least every 100 ms when set: true ends the call early, with what was found so far.
    std::function<bool()> cancelled;
};

struct DiscoveredDevice {
    Uuid deviceId;
    std::vector<int> oxms;
    int oxmsel = 0;
    bool owned = false;
    Uuid owner;                               // devowneruuid
    std::string address;                      // numeric host that answered the doxm probe (IPv6 link-local with %ifname)
    std::uint16_t port = 0;                   // its plain CoAP port (source port of the answer)
    std::optional<std::uint16_t> securePort;  // first coaps ep of the doxm link in /oic/res, on `address`
    std::vector<std::string> endpoints;       // every accepted "ep" string, from every address that answered
    std::vector<std::string> deviceTypes;     // /oic/d rt (baseline interface) minus "oic.wk.d"
    std::string name;                         // /oic/d "n"
    // False for a device found only through /oic/res (DiscoveryOptions::ownedDevices): `owned`
    // and `owner` are what the gateway's records say until an owner session confirms them.
    bool ownerConfirmed = true;
};

struct DiscoveryResult {
    std::vector<DiscoveredDevice> devices;  // in the order their first answer arrived
    std::vector<std::string> rejected;      // one reason per dropped answer (bounded)
};

// Limits that keep a hostile network from growing a call without bound.
inline constexpr std::size_t kMaxDiscoveredDevices = 1024;
inline constexpr std::size_t kMaxDiscoveryRejections = 1024;

// Probes, collects and follows up until every unicast target and follow-up has answered (when no
// multicast was sent and nothing is reprobed), the timeout, or `cancelled`. Throws
// TransportException (InvalidArgument) before sending anything if an interface is unknown, a
// target is not a numeric unicast address or has port 0, the timeout is negative, or the reprobe
// interval is neither 0 nor at least 100 ms; (SendFailed) if no socket at all can be opened. A
// family whose socket cannot be opened (IPv6 disabled) is skipped with a log line, and so are
// failures to send one probe. With no interfaces and no targets it returns at once, empty.
DiscoveryResult discoverDevices(const DiscoveryOptions& options);

}  // namespace steward::core
