#include "discovery/discovery_loop.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <map>
#include <set>

#include "discovery/discovery_answers.hpp"
#include "discovery/discovery_merge.hpp"
#include "steward/crypto/random.hpp"
#include "steward/transport/coap_wire.hpp"

namespace steward::core::detail {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kResendInterval = std::chrono::milliseconds(500);
// Unicast requests awaiting their first answer at any time. A burst of hundreds would make as
// many answers arrive at once and overflow the socket's receive buffer (each small datagram
// costs kilobytes of it), which then costs a whole resend interval.
constexpr std::size_t kMaxInFlight = 32;
constexpr std::uint16_t kCoapPort = 5683;
constexpr const char* kGroupV4 = "224.0.1.187";
constexpr const char* kGroupV6 = "ff02::158";  // link-local scope: answers come from neighbours only
constexpr std::size_t kMaxLogLines = 4096;
constexpr std::size_t kMaxUnmatchedLogged = 16;
// Datagrams read per socket before the deadline and resends are looked at again.
constexpr int kMaxDrainPerWake = 64;
// How often DiscoveryOptions::cancelled is asked, at the latest.
constexpr auto kCancelCheck = std::chrono::milliseconds(100);

// Probe: the doxm probe; ResProbe: /oic/res?rt=oic.r.doxm for owned devices that refuse
// anonymous doxm reads; the others follow up one device.
enum class Purpose { Probe, ResProbe, Resources, DeviceInfo };

const char* describe(Purpose purpose) {
    switch (purpose) {
        case Purpose::Probe:
            return "doxm answer";
        case Purpose::ResProbe:
            return "/oic/res probe answer";
        case Purpose::Resources:
            return "/oic/res answer";
        case Purpose::DeviceInfo:
            return "/oic/d answer";
    }
    return "answer";
}

// One request whose answers we wait for. Multicast probes collect answers until the deadline;
// unicast requests are resent until answered.
struct Pending {
    Purpose purpose = Purpose::Probe;
    CoapRequest request;
    std::vector<std::uint8_t> token;
    UdpSocket* socket = nullptr;
    PeerAddress to;
    std::string interfaceName;  // multicast probes only
    Uuid device;                // follow-ups only
    bool multicast = false;
    bool done = false;  // answered or abandoned: no more sends, and a follow-up takes no more answers
    bool sent = false;
    Clock::time_point nextSend{};
    Clock::time_point lastSent{};
};

CoapRequest nonConfirmableGet(std::string path, std::vector<std::string> query) {
    CoapRequest request = CoapRequest::get(std::move(path));
    request.query = std::move(query);
    request.confirmable = false;  // OCF discovery is non-confirmable; we resend ourselves
    return request;
}

CoapRequest doxmProbe(DiscoveryScope scope) {
    switch (scope) {
        case DiscoveryScope::Unowned:
            return nonConfirmableGet("/oic/sec/doxm", {"owned=FALSE"});
        case DiscoveryScope::Owned:
            return nonConfirmableGet("/oic/sec/doxm", {"owned=TRUE"});
        case DiscoveryScope::All:
            break;
    }
    return nonConfirmableGet("/oic/sec/doxm", {});
}

class Loop {
public:
    Loop(const DiscoveryOptions& options, DiscoverySockets& sockets, DiscoveryReporter& reporter)
        : options_(options), sockets_(sockets), reporter_(reporter) {
        std::uint8_t seed[2];
        randomBytes(seed);
        messageId_ = static_cast<std::uint16_t>((seed[0] << 8) | seed[1]);
    }

    DiscoveryResult run(const std::vector<MulticastProbe>& multicast, const std::vector<UnicastProbe>& unicast) {
        // Capped so that the deadline cannot overflow the clock; nobody waits a day for answers.
        deadline_ = Clock::now() + std::min<std::chrono::milliseconds>(options_.timeout, std::chrono::hours(24));
        addProbes(Purpose::Probe, doxmProbe(options_.scope), multicast, unicast);
        if (probesOwnedByResources()) {
            addProbes(Purpose::ResProbe, nonConfirmableGet("/oic/res", {"rt=oic.r.doxm"}), multicast, unicast);
        }

        while (true) {
            const auto now = Clock::now();
            if (now >= deadline_) break;
            if (options_.cancelled && options_.cancelled()) break;
            sendDue(now);
            if (finished()) break;
            auto until = std::min(deadline_, nextSendTime());
            if (options_.cancelled) until = std::min(until, Clock::now() + kCancelCheck);
            waitAndRead(until);
            reportReady();
        }
        for (const auto& p : pending_) {
            if (p.multicast || p.done) continue;
            reporter_.note("discovery: " + describePeer(p.to) + ": no answer to " + normalisePath(p.request.path) +
                           (p.purpose == Purpose::Probe ? "" : " (device " + p.device.toString() + ")"));
        }
        DiscoveryResult result;
        result.devices = table_.devices();
        result.rejected = reporter_.takeRejected();
        if (options_.onFound) {
            // Devices whose follow-ups never all answered are reported now, as they are.
            for (const auto& d : result.devices) {
                if (reported_.insert(d.deviceId).second) options_.onFound(d);
            }
        }
        return result;
    }

private:
    // `request` to the OCF group on each multicast interface and to each unicast target.
    void addProbes(Purpose purpose, const CoapRequest& request, const std::vector<MulticastProbe>& multicast,
                   const std::vector<UnicastProbe>& unicast) {
        for (const auto& m : multicast) {
            UdpSocket& socket = m.ipv6 ? *sockets_.v6 : *sockets_.v4;
            Pending& p =
                add(purpose, request, socket, PeerAddress{m.ipv6 ? std::string(kGroupV6) + "%" + m.interfaceName : kGroupV4, kCoapPort});
            p.multicast = true;
            p.interfaceName = m.interfaceName;
        }
        for (const auto& u : unicast) add(purpose, request, u.ipv6 ? *sockets_.v6 : *sockets_.v4, u.target);
    }

    // A doxm probe sent again every reprobeInterval, answered or not.
    bool reprobes(const Pending& p) const { return options_.reprobeInterval.count() > 0 && p.purpose == Purpose::Probe; }

    // Devices whose follow-ups are all done go to onFound, each once.
    void reportReady() {
        if (!options_.onFound) {
            ready_.clear();
            return;
        }
        auto ready = std::move(ready_);
        ready_.clear();
        for (const auto& id : ready) {
            if (table_.contains(id) && reported_.insert(id).second) options_.onFound(table_.device(id));
        }
    }

    // A follow-up of `p.device` answered or abandoned.
    void followUpDone(const Pending& p) {
        const auto left = outstanding_.find(p.device);
        if (left == outstanding_.end()) return;
        if (--left->second == 0) {
            outstanding_.erase(left);
            ready_.push_back(p.device);
        }
    }

    bool probesOwnedByResources() const {
        return options_.scope != DiscoveryScope::Unowned && options_.owner && !options_.ownedDevices.empty();
    }

    Pending& add(Purpose purpose, const CoapRequest& request, UdpSocket& socket, PeerAddress to) {
        Pending& p = pending_.emplace_back();
        p.purpose = purpose;
        p.request = request;
        p.socket = &socket;
        p.to = std::move(to);
        do {
            p.token = randomBytes(8);
        } while (byToken_.count(p.token) != 0);
        byToken_.emplace(p.token, &p);
        return p;
    }

    // Without multicast, nobody else can answer once every request has been answered (and nothing
    // is probed again).
    bool finished() const {
        if (std::any_of(pending_.begin(), pending_.end(), [this](const Pending& p) { return reprobes(p); })) return false;
        return std::all_of(pending_.begin(), pending_.end(), [](const Pending& p) { return !p.multicast && p.done; });
    }

    Clock::time_point nextSendTime() const {
        // Requests held back by the in-flight window are not due: an answer wakes the loop.
        Clock::time_point next = Clock::time_point::max();
        const auto inFlight = static_cast<std::size_t>(
            std::count_if(pending_.begin(), pending_.end(), [](const Pending& p) { return p.sent && !p.done && !p.multicast; }));
        for (const auto& p : pending_) {
            if ((p.done && !reprobes(p)) || (!p.sent && !p.multicast && inFlight >= kMaxInFlight)) continue;
            next = std::min(next, p.nextSend);
        }
        return next;
    }

    void sendDue(Clock::time_point now) {
        std::size_t inFlight = static_cast<std::size_t>(
            std::count_if(pending_.begin(), pending_.end(), [](const Pending& p) { return p.sent && !p.done && !p.multicast; }));
        for (auto& p : pending_) {
            if ((p.done && !reprobes(p)) || p.nextSend > now) continue;
            if (!p.sent && !p.multicast) {
                if (inFlight >= kMaxInFlight) continue;  // waits for an answer to make room
                ++inFlight;
            }
            p.sent = true;
            p.lastSent = now;
            // A multicast probe goes out once (devices answer it after a jitter of up to 2 s), or
            // again every reprobe interval, as does an answered unicast probe then.
            if (reprobes(p) && (p.multicast || p.done)) {
                p.nextSend = now + options_.reprobeInterval;
            } else {
                p.nextSend = p.multicast ? Clock::time_point::max() : now + kResendInterval;
            }
            // Each resend is a new message (a device may drop a repeated message ID as a
            // duplicate); the token stays, so a late answer to an earlier copy still counts.
            const auto bytes = encodeCoapMessage(requestToWire(p.request, messageId_++, p.token));
            try {
                if (p.multicast) p.socket->setMulticastInterface(p.interfaceName);
                p.socket->sendTo(p.to, bytes);
            } catch (const TransportException& e) {
                reporter_.note("discovery: sending " + normalisePath(p.request.path) + " to " + describePeer(p.to) +
                               (p.multicast ? " on " + p.interfaceName : "") + " failed: " + e.what());
            }
        }
    }

    void waitAndRead(Clock::time_point until) {
        std::vector<pollfd> fds;
        std::vector<UdpSocket*> owners;
        for (auto* socket : {sockets_.v4 ? &*sockets_.v4 : nullptr, sockets_.v6 ? &*sockets_.v6 : nullptr}) {
            if (socket == nullptr) continue;
            fds.push_back(pollfd{socket->fd(), POLLIN, 0});
            owners.push_back(socket);
        }
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
        const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<long long>(left, 0, 60'000)));
        if (ready <= 0) return;  // timeout, or EINTR: the caller's loop looks at the clock again
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if ((fds[i].revents & POLLIN) == 0) continue;
            for (int n = 0; n < kMaxDrainPerWake; ++n) {
                auto datagram = owners[i]->receive(std::chrono::milliseconds(0));
                if (!datagram) break;
                handle(*datagram, *owners[i]);
            }
        }
    }

    void unmatched(const Datagram& d, const std::string& why) {
        if (unmatched_++ < kMaxUnmatchedLogged) {
            reporter_.note("discovery: ignored a datagram from " + describePeer(d.from) + ": " + why);
        }
    }

    void handle(const Datagram& d, UdpSocket& socket) {
        CoapWireMessage message;
        try {
            message = decodeCoapMessage(d.bytes);
        } catch (const CoapWireError& e) {
            return unmatched(d, e.what());
        }
        const auto found = message.token.empty() ? byToken_.end() : byToken_.find(message.token);
        if (found == byToken_.end()) return unmatched(d, "no request of ours has its token");
        Pending& p = *found->second;
        // A follow-up went to one address; only that address may answer it.
        if (!p.multicast && p.purpose != Purpose::Probe && (d.from.port != p.to.port || !sameHost(p.to.host, d.from.host))) {
            return unmatched(d, "answer to a request sent to " + describePeer(p.to));
        }
        if (message.type == CoapMessageType::Confirmable) acknowledge(message, d, socket);
        if (p.done && p.purpose != Purpose::Probe && p.purpose != Purpose::ResProbe) return;  // a repeated answer to a follow-up
        if (!p.multicast) {
            // An answered probe that reprobes goes out again a reprobe interval after its last copy.
            if (!p.done && reprobes(p)) p.nextSend = p.lastSent + options_.reprobeInterval;
            if (!p.done && p.purpose != Purpose::Probe && p.purpose != Purpose::ResProbe) {
                p.done = true;
                followUpDone(p);
            }
            p.done = true;
        }

        CoapResponse response;
        try {
            response = responseFromWire(message);
        } catch (const CoapWireError& e) {
            return reporter_.reject(describePeer(d.from) + ": " + describe(p.purpose) + ": " + e.what());
        }
        switch (p.purpose) {
            case Purpose::Probe:
                return onDoxm(response, d.from, socket);
            case Purpose::ResProbe:
                return onResProbe(response, d.from, socket);
            case Purpose::Resources:
                return onResources(response, p.device, d.from);
            case Purpose::DeviceInfo:
                return onDeviceInfo(response, p.device, d.from);
        }
    }

    // A separate confirmable answer wants an ACK, or the device resends it for a while.
    void acknowledge(const CoapWireMessage& message, const Datagram& d, UdpSocket& socket) {
        CoapWireMessage ack;
        ack.type = CoapMessageType::Acknowledgement;
        ack.messageId = message.messageId;
        try {
            socket.sendTo(d.from, encodeCoapMessage(ack));
        } catch (const TransportException& e) {
            reporter_.note("discovery: acknowledging " + describePeer(d.from) + " failed: " + e.what());
        }
    }

    void onDoxm(const CoapResponse& response, const PeerAddress& from, UdpSocket& socket) {
        // 4.04 to an owned= filter means "not in that scope" (multicast listeners stay silent
        // instead); only unicast probes see it, and it is no fault of the device.
        if (response.code == CoapCode::NotFound && options_.scope != DiscoveryScope::All) return;
        const std::string source = describePeer(from);
        Doxm doxm;
        try {
            doxm = readDoxmAnswer(response);
            checkOwnedMatchesQuery(doxm, options_.scope);
        } catch (const AnswerRejected& e) {
            if (e.lying()) return dropLiar(doxm.deviceuuid, source + ": " + e.what());
            return reporter_.reject(source + ": " + e.what());
        }
        if (options_.scope == DiscoveryScope::Owned && options_.owner && doxm.devowneruuid != *options_.owner) {
            return reporter_.reject(source + ": doxm answer: " + doxm.deviceuuid.toString() + " is owned by " +
                                    doxm.devowneruuid.toString() + ", not by " + options_.owner->toString());
        }
        DeviceTable::Added added = DeviceTable::Added::Duplicate;
        try {
            added = table_.add(doxm, from.host, from.port);
        } catch (const AnswerRejected& e) {
            return reporter_.reject(source + ": " + e.what());
        }
        if (added == DeviceTable::Added::Duplicate) return;
        addFollowUp(Purpose::Resources, nonConfirmableGet("/oic/res", {"rt=oic.r.doxm"}), socket, from, doxm.deviceuuid);
        if (added == DeviceTable::Added::NewDevice) {
            addFollowUp(Purpose::DeviceInfo, deviceInfoRequest(), socket, from, doxm.deviceuuid);
        }
    }

    // iotivity-lite puts `rt` in /oic/d only with the baseline interface.
    static CoapRequest deviceInfoRequest() { return nonConfirmableGet("/oic/d", {"if=oic.if.baseline"}); }

    // An answer to the /oic/res probe: only devices the owner holds a credential for count; they
    // are reported as owned by `owner`, unconfirmed, unless their doxm answer already came.
    void onResProbe(const CoapResponse& response, const PeerAddress& from, UdpSocket& socket) {
        if (response.code == CoapCode::NotFound) return;
        const std::string source = describePeer(from);
        AnchoredLink found;
        try {
            found = readResProbeAnswer(response, from.host);
        } catch (const AnswerRejected& e) {
            return reporter_.note("discovery: " + source + ": " + e.what());  // not necessarily one of ours
        }
        const auto& owned = options_.ownedDevices;
        if (std::find(owned.begin(), owned.end(), found.device) == owned.end()) return;
        if (table_.contains(found.device)) return table_.addSecureLink(found.device, from.host, found.link);
        Doxm assumed;
        assumed.deviceuuid = found.device;
        assumed.owned = true;
        assumed.devowneruuid = *options_.owner;
        DeviceTable::Added added = DeviceTable::Added::Duplicate;
        try {
            added = table_.add(assumed, from.host, from.port, false);
        } catch (const AnswerRejected& e) {
            return reporter_.reject(source + ": " + e.what());
        }
        table_.addSecureLink(found.device, from.host, found.link);
        if (added == DeviceTable::Added::NewDevice) addFollowUp(Purpose::DeviceInfo, deviceInfoRequest(), socket, from, found.device);
    }

    void addFollowUp(Purpose purpose, const CoapRequest& request, UdpSocket& socket, const PeerAddress& to, const Uuid& device) {
        Pending& p = add(purpose, request, socket, to);
        p.device = device;
        p.nextSend = Clock::now();  // sent by the loop's next sendDue()
        ++outstanding_[device];
    }

    void onResources(const CoapResponse& response, const Uuid& device, const PeerAddress& from) {
        if (!table_.contains(device)) return;  // dropped meanwhile
        const std::string source = describePeer(from);
        try {
            const SecureLink link = readResAnswer(response, device, from.host);
            for (const auto& line : link.refused) {
                reporter_.note("discovery: " + source + ": " + device.toString() + ": refused endpoint " + line);
            }
            table_.addSecureLink(device, from.host, link);
        } catch (const AnswerRejected& e) {
            if (e.lying()) return dropLiar(device, source + ": " + e.what());
            reporter_.reject(source + ": " + e.what());
        }
    }

    void onDeviceInfo(const CoapResponse& response, const Uuid& device, const PeerAddress& from) {
        if (!table_.contains(device)) return;
        const std::string source = describePeer(from);
        try {
            table_.setInfo(device, readDeviceAnswer(response, device));
        } catch (const AnswerRejected& e) {
            if (e.lying()) return dropLiar(device, source + ": " + e.what());
            reporter_.reject(source + ": " + e.what());
        }
    }

    void dropLiar(const Uuid& device, const std::string& reason) {
        table_.drop(device);
        for (auto& p : pending_) {
            if (p.purpose != Purpose::Probe && p.purpose != Purpose::ResProbe && p.device == device) p.done = true;
        }
        outstanding_.erase(device);
        reporter_.reject(reason + "; device " + device.toString() + " dropped");
    }

    const DiscoveryOptions& options_;
    DiscoverySockets& sockets_;
    DiscoveryReporter& reporter_;
    Clock::time_point deadline_{};
    std::uint16_t messageId_ = 0;
    std::deque<Pending> pending_;  // a deque: handlers add follow-ups while holding a Pending&
    std::map<std::vector<std::uint8_t>, Pending*> byToken_;
    DeviceTable table_;
    std::size_t unmatched_ = 0;
    std::map<Uuid, int> outstanding_;  // follow-ups not yet done, per device
    std::vector<Uuid> ready_;          // devices whose follow-ups just became done
    std::set<Uuid> reported_;          // given to onFound
};

}  // namespace

void DiscoveryReporter::reject(const std::string& reason) {
    if (rejected_.size() < kMaxDiscoveryRejections) {
        rejected_.push_back(reason);
    } else if (rejected_.size() == kMaxDiscoveryRejections) {
        rejected_.push_back("further rejections not recorded");
    }
    note("discovery: dropped: " + reason);
}

void DiscoveryReporter::note(const std::string& line) {
    if (!log_) return;
    if (lines_ < kMaxLogLines) log_(line);
    if (lines_ == kMaxLogLines) log_("discovery: further log lines suppressed");
    if (lines_ <= kMaxLogLines) ++lines_;
}

std::string describePeer(const PeerAddress& peer) {
    const bool ipv6 = peer.host.find(':') != std::string::npos && !peer.host.starts_with('[');
    return (ipv6 ? "[" + peer.host + "]" : peer.host) + ":" + std::to_string(peer.port);
}

DiscoveryResult runDiscovery(const DiscoveryOptions& options, DiscoverySockets& sockets, const std::vector<MulticastProbe>& multicast,
                             const std::vector<UnicastProbe>& unicast, DiscoveryReporter& reporter) {
    return Loop(options, sockets, reporter).run(multicast, unicast);
}

}  // namespace steward::core::detail
