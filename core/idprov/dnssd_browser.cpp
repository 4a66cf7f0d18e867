#include "steward/idprov/dnssd_browser.hpp"

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/address.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/simple-watch.h>
#include <avahi-common/strlst.h>
#include <net/if.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <set>
#include <utility>

namespace steward::idprov {
namespace {

using Clock = std::chrono::steady_clock;

std::string interfaceNameOf(AvahiIfIndex index) {
    char name[IF_NAMESIZE] = {};
    // The index is avahi-daemon's: right when we share its network namespace, as a device does.
    if (index >= 0 && ::if_indextoname(static_cast<unsigned>(index), name) != nullptr) return name;
    return std::to_string(index);
}

bool isIpv6LinkLocal(const AvahiAddress& a) {
    return a.proto == AVAHI_PROTO_INET6 && a.data.ipv6.address[0] == 0xfe && (a.data.ipv6.address[1] & 0xc0) == 0x80;
}

std::map<std::string, std::string> parseTxt(AvahiStringList* list) {
    std::map<std::string, std::string> txt;
    for (AvahiStringList* item = list; item != nullptr; item = avahi_string_list_get_next(item)) {
        char* key = nullptr;
        char* value = nullptr;
        size_t size = 0;
        if (avahi_string_list_get_pair(item, &key, &value, &size) != 0) continue;
        // RFC 6763 6.4: only the first occurrence of a key counts.
        txt.emplace(key, value != nullptr ? std::string(value, size) : std::string());
        avahi_free(key);
        avahi_free(value);
    }
    return txt;
}

// One browse: everything the callbacks share. Only the calling thread runs the simple poll.
struct Browse {
    AvahiSimplePoll* poll = nullptr;
    AvahiClient* client = nullptr;
    AvahiServiceBrowser* browser = nullptr;

    std::vector<DiscoveredService> found;
    std::set<std::pair<std::string, std::uint16_t>> seen;  // (address, port) already in `found`
    int pendingResolvers = 0;
    std::optional<Clock::time_point> allForNow;
    std::optional<Clock::time_point> firstResolution;
    std::string error;  // set when the browse cannot go on

    ~Browse() {
        // Freeing the client frees its browser and any resolver still running.
        if (client != nullptr) avahi_client_free(client);
        if (poll != nullptr) avahi_simple_poll_free(poll);
    }

    void fail(std::string message) {
        if (error.empty()) error = std::move(message);
        avahi_simple_poll_quit(poll);
    }

    void onResolved(AvahiIfIndex interface, const char* name, const char* hostName, const AvahiAddress* a, std::uint16_t port,
                    AvahiStringList* txt) {
        char text[AVAHI_ADDRESS_STR_MAX] = {};
        avahi_address_snprint(text, sizeof text, a);
        DiscoveredService service;
        service.instanceName = name != nullptr ? name : "";
        service.hostName = hostName != nullptr ? hostName : "";
        service.interfaceName = interfaceNameOf(interface);
        service.address = text;
        if (isIpv6LinkLocal(*a)) service.address += "%" + service.interfaceName;
        service.port = port;
        service.txt = parseTxt(txt);
        if (!firstResolution) firstResolution = Clock::now();
        if (seen.emplace(service.address, service.port).second) found.push_back(std::move(service));
    }

    static void clientCallback(AvahiClient* c, AvahiClientState state, void* self) noexcept {
        auto* b = static_cast<Browse*>(self);
        if (state == AVAHI_CLIENT_FAILURE) {
            b->fail(std::string("avahi-daemon connection lost (") + avahi_strerror(avahi_client_errno(c)) + ")");
        }
    }

    static void resolverCallback(AvahiServiceResolver* r, AvahiIfIndex interface, AvahiProtocol, AvahiResolverEvent event, const char* name,
                                 const char*, const char*, const char* hostName, const AvahiAddress* a, std::uint16_t port,
                                 AvahiStringList* txt, AvahiLookupResultFlags, void* self) noexcept {
        auto* b = static_cast<Browse*>(self);
        try {
            // A resolver that times out (the instance went away) is simply not a result.
            if (event == AVAHI_RESOLVER_FOUND && a != nullptr) b->onResolved(interface, name, hostName, a, port, txt);
        } catch (const std::exception& e) {
            b->fail(std::string("DNS-SD browse failed: ") + e.what());
        } catch (...) {
            b->fail("DNS-SD browse failed");
        }
        --b->pendingResolvers;
        avahi_service_resolver_free(r);
    }

    static void browserCallback(AvahiServiceBrowser*, AvahiIfIndex interface, AvahiProtocol protocol, AvahiBrowserEvent event,
                                const char* name, const char* type, const char* domain, AvahiLookupResultFlags, void* self) noexcept {
        auto* b = static_cast<Browse*>(self);
        switch (event) {
            case AVAHI_BROWSER_NEW:
                if (avahi_service_resolver_new(b->client, interface, protocol, name, type, domain, AVAHI_PROTO_UNSPEC,
                                               static_cast<AvahiLookupFlags>(0), resolverCallback, b) != nullptr) {
                    ++b->pendingResolvers;
                }
                // A resolver that cannot even be created (the daemon's per-client limit) only
                // loses that one instance.
                break;
            case AVAHI_BROWSER_ALL_FOR_NOW:
                if (!b->allForNow) b->allForNow = Clock::now();
                break;
            case AVAHI_BROWSER_FAILURE:
                b->fail(std::string("DNS-SD browse failed (") + avahi_strerror(avahi_client_errno(b->client)) + ")");
                break;
            case AVAHI_BROWSER_REMOVE:
            case AVAHI_BROWSER_CACHE_EXHAUSTED:
                break;
        }
    }
};

}  // namespace

std::vector<DiscoveredService> browseServices(const std::string& type, std::chrono::milliseconds timeout,
                                              std::chrono::milliseconds settle) {
    Browse b;
    b.poll = avahi_simple_poll_new();
    if (b.poll == nullptr) throw DnssdError("cannot create the Avahi poll");
    int error = 0;
    // No AVAHI_CLIENT_NO_FAIL: a daemon that is not there is an answer, not something to wait for.
    b.client = avahi_client_new(avahi_simple_poll_get(b.poll), static_cast<AvahiClientFlags>(0), Browse::clientCallback, &b, &error);
    if (b.client == nullptr) throw DnssdError(std::string("avahi-daemon is not running (") + avahi_strerror(error) + ")");
    b.browser = avahi_service_browser_new(b.client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, type.c_str(), nullptr,
                                          static_cast<AvahiLookupFlags>(0), Browse::browserCallback, &b);
    if (b.browser == nullptr) {
        throw DnssdError("cannot browse '" + type + "' (" + avahi_strerror(avahi_client_errno(b.client)) + ")");
    }

    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto now = Clock::now();
        if (now >= deadline) break;
        auto wakeAt = deadline;
        if (b.allForNow) {
            // Avahi has told us what it already knew; give late answers (other interfaces, the
            // other IP version) `settle` after that, or after the first result if that came later.
            const auto start = std::max(*b.allForNow, b.firstResolution.value_or(*b.allForNow));
            const auto done = start + settle;
            if (now >= done && b.pendingResolvers == 0) break;
            if (now < done) wakeAt = std::min(wakeAt, done);
        }
        // Short slices: the poll only wakes for Avahi events, and the end condition is ours.
        const auto slice = std::chrono::duration_cast<std::chrono::milliseconds>(wakeAt - now).count();
        const int ret = avahi_simple_poll_iterate(b.poll, static_cast<int>(std::clamp<long long>(slice, 1, 100)));
        if (ret < 0 && b.error.empty()) b.error = "the Avahi poll failed";
        if (ret != 0) break;  // quit by a callback (b.error says why) or a poll error
    }
    if (!b.error.empty()) throw DnssdError(b.error);

    // IPv4 first, as documented; otherwise in the order they were resolved.
    std::stable_partition(b.found.begin(), b.found.end(),
                          [](const DiscoveredService& s) { return s.address.find(':') == std::string::npos; });
    return std::move(b.found);
}

std::string idprovDirectoryUrl(const DiscoveredService& service) {
    std::string host = service.address;
    if (host.find(':') != std::string::npos) {
        // RFC 6874: the zone separator is percent-encoded inside a URL.
        if (const auto zone = host.find('%'); zone != std::string::npos) host.replace(zone, 1, "%25");
        host = "[" + host + "]";
    }
    std::string path = "/idprov/directory";
    if (const auto it = service.txt.find("path"); it != service.txt.end() && !it->second.empty()) {
        path = it->second.front() == '/' ? it->second : "/" + it->second;
    }
    return "https://" + host + ":" + std::to_string(service.port) + path;
}

}  // namespace steward::idprov
