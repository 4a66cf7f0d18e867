#include "steward/idprov/dnssd_publisher.hpp"

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/domain.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>
#include <avahi-common/thread-watch.h>
#include <avahi-common/timeval.h>

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace steward::idprov {
namespace {

// How long to wait before trying again when not even the D-Bus system bus can be reached
// (AVAHI_CLIENT_NO_FAIL only covers avahi-daemon being absent from a working bus).
constexpr unsigned kRetryMillis = 2000;

}  // namespace

// Everything here except the atomics and `name` (under `mutex`) is touched only by the poll
// thread, or by the constructor/destructor while that thread is not running.
struct DnssdPublisher::State {
    ServiceAdvert advert;
    std::function<void(const std::string&)> log;

    AvahiThreadedPoll* poll = nullptr;
    AvahiClient* client = nullptr;
    AvahiEntryGroup* group = nullptr;
    AvahiTimeout* retry = nullptr;
    bool waitingLogged = false;  // "not running; waiting" once per outage, not per retry

    std::atomic<bool> established{false};
    std::atomic<int> establishedCount{0};
    mutable std::mutex mutex;
    std::string name;  // the instance name in use

    void say(const std::string& line) noexcept {
        if (!log) return;
        try {
            log(line);
        } catch (...) {
            // a failing logger must not unwind into Avahi
        }
    }

    std::string currentName() const {
        const std::lock_guard lock(mutex);
        return name;
    }

    void connect();
    void scheduleRetry();
    void onClientState(AvahiClient* c, AvahiClientState s);
    void onGroupState(AvahiEntryGroup* g, AvahiEntryGroupState s);
    void publish(AvahiClient* c);
    void resetGroup();
    void renameAfterCollision();

    static void clientCallback(AvahiClient* c, AvahiClientState s, void* self) noexcept;
    static void groupCallback(AvahiEntryGroup* g, AvahiEntryGroupState s, void* self) noexcept;
    static void retryCallback(AvahiTimeout* t, void* self) noexcept;
};

void DnssdPublisher::State::clientCallback(AvahiClient* c, AvahiClientState s, void* self) noexcept {
    auto* state = static_cast<State*>(self);
    try {
        state->onClientState(c, s);
    } catch (const std::exception& e) {
        state->say(std::string("dnssd: error: ") + e.what());
    } catch (...) {
        state->say("dnssd: unknown error in the Avahi client callback");
    }
}

void DnssdPublisher::State::groupCallback(AvahiEntryGroup* g, AvahiEntryGroupState s, void* self) noexcept {
    auto* state = static_cast<State*>(self);
    try {
        state->onGroupState(g, s);
    } catch (const std::exception& e) {
        state->say(std::string("dnssd: error: ") + e.what());
    } catch (...) {
        state->say("dnssd: unknown error in the Avahi entry group callback");
    }
}

void DnssdPublisher::State::retryCallback(AvahiTimeout*, void* self) noexcept {
    auto* state = static_cast<State*>(self);
    try {
        state->connect();
    } catch (const std::exception& e) {
        state->say(std::string("dnssd: error: ") + e.what());
        state->scheduleRetry();
    } catch (...) {
        state->scheduleRetry();
    }
}

void DnssdPublisher::State::connect() {
    int error = 0;
    // The callback runs from inside avahi_client_new already, with `client` still unset: it
    // works on the pointer it is given.
    AvahiClient* c = avahi_client_new(avahi_threaded_poll_get(poll), AVAHI_CLIENT_NO_FAIL, clientCallback, this, &error);
    if (c == nullptr) {
        if (!waitingLogged) {
            say(std::string("dnssd: cannot reach the D-Bus system bus (") + avahi_strerror(error) + "); trying again every " +
                std::to_string(kRetryMillis / 1000) + " s");
            waitingLogged = true;
        }
        scheduleRetry();
        return;
    }
    client = c;
}

void DnssdPublisher::State::scheduleRetry() {
    const AvahiPoll* api = avahi_threaded_poll_get(poll);
    struct timeval tv;
    avahi_elapse_time(&tv, kRetryMillis, 0);
    if (retry == nullptr) {
        retry = api->timeout_new(api, &tv, retryCallback, this);
    } else {
        api->timeout_update(retry, &tv);
    }
}

void DnssdPublisher::State::onClientState(AvahiClient* c, AvahiClientState s) {
    client = c;
    switch (s) {
        case AVAHI_CLIENT_CONNECTING:
            established = false;
            if (!waitingLogged) {
                say("dnssd: avahi-daemon not running; waiting for it");
                waitingLogged = true;
            }
            break;
        case AVAHI_CLIENT_S_RUNNING:
            waitingLogged = false;
            publish(c);
            break;
        case AVAHI_CLIENT_S_COLLISION:
        case AVAHI_CLIENT_S_REGISTERING:
            // The daemon's host name is (re)being established: our records name that host, so
            // withdraw them and publish again once the daemon is running.
            if (group != nullptr && established) say("dnssd: avahi-daemon host name changing; publishing again");
            resetGroup();
            break;
        case AVAHI_CLIENT_FAILURE: {
            const int error = avahi_client_errno(c);
            established = false;
            // Freeing the client frees its entry group too.
            group = nullptr;
            avahi_client_free(c);
            client = nullptr;
            if (error == AVAHI_ERR_DISCONNECTED) {
                say("dnssd: avahi-daemon went away; waiting for it to return");
                waitingLogged = true;  // the reconnect below would otherwise log "not running" too
                connect();
            } else {
                say(std::string("dnssd: Avahi client failed (") + avahi_strerror(error) + "); trying again in " +
                    std::to_string(kRetryMillis / 1000) + " s");
                waitingLogged = true;
                scheduleRetry();
            }
            break;
        }
    }
}

void DnssdPublisher::State::resetGroup() {
    established = false;
    if (group != nullptr) avahi_entry_group_reset(group);
}

void DnssdPublisher::State::renameAfterCollision() {
    char* alternative = avahi_alternative_service_name(currentName().c_str());
    if (alternative == nullptr) throw std::bad_alloc();
    const std::string next = alternative;
    avahi_free(alternative);
    {
        const std::lock_guard lock(mutex);
        name = next;
    }
    say("dnssd: name collision, now '" + next + "'");
}

void DnssdPublisher::State::publish(AvahiClient* c) {
    if (group == nullptr) {
        group = avahi_entry_group_new(c, groupCallback, this);
        if (group == nullptr) {
            say(std::string("dnssd: cannot create an Avahi entry group: ") + avahi_strerror(avahi_client_errno(c)));
            return;
        }
    }
    if (!avahi_entry_group_is_empty(group)) return;  // already added; the group callback reports progress

    std::unique_ptr<AvahiStringList, decltype(&avahi_string_list_free)> txt(nullptr, avahi_string_list_free);
    for (auto it = advert.txt.rbegin(); it != advert.txt.rend(); ++it) {
        // avahi_string_list_add prepends: add in reverse to keep the advert's order.
        txt.reset(avahi_string_list_add(txt.release(), it->c_str()));
    }
    // A name taken by another service on this same daemon fails at once with COLLISION (one on
    // another host is reported later through the group callback): rename and try again.
    for (int attempt = 0;; ++attempt) {
        const std::string current = currentName();
        int ret = avahi_entry_group_add_service_strlst(group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, static_cast<AvahiPublishFlags>(0),
                                                       current.c_str(), advert.type.c_str(), nullptr, nullptr, advert.port, txt.get());
        if (ret == AVAHI_OK) ret = avahi_entry_group_commit(group);
        if (ret == AVAHI_OK) break;
        if (ret == AVAHI_ERR_COLLISION && attempt < 100) {
            avahi_entry_group_reset(group);
            renameAfterCollision();
            continue;
        }
        say("dnssd: cannot publish '" + current + "' " + advert.type + ": " + avahi_strerror(ret));
        avahi_entry_group_reset(group);
        break;
    }
}

void DnssdPublisher::State::onGroupState(AvahiEntryGroup* g, AvahiEntryGroupState s) {
    group = g;
    switch (s) {
        case AVAHI_ENTRY_GROUP_ESTABLISHED:
            established = true;
            ++establishedCount;
            say("dnssd: published '" + currentName() + "' " + advert.type + " port " + std::to_string(advert.port));
            break;
        case AVAHI_ENTRY_GROUP_COLLISION:
            established = false;
            renameAfterCollision();
            avahi_entry_group_reset(g);
            publish(avahi_entry_group_get_client(g));
            break;
        case AVAHI_ENTRY_GROUP_FAILURE:
            established = false;
            say(std::string("dnssd: publishing failed: ") + avahi_strerror(avahi_client_errno(avahi_entry_group_get_client(g))));
            break;
        case AVAHI_ENTRY_GROUP_UNCOMMITED:
        case AVAHI_ENTRY_GROUP_REGISTERING:
            established = false;
            break;
    }
}

DnssdPublisher::DnssdPublisher(ServiceAdvert advert, std::function<void(const std::string&)> log) : state_(std::make_unique<State>()) {
    if (!avahi_is_valid_service_name(advert.instanceName.c_str())) {
        throw std::invalid_argument("dnssd: invalid service instance name '" + advert.instanceName + "'");
    }
    if (!avahi_is_valid_service_type_generic(advert.type.c_str())) {
        throw std::invalid_argument("dnssd: invalid service type '" + advert.type + "'");
    }
    for (const auto& item : advert.txt) {
        if (item.empty() || item.size() > 255) throw std::invalid_argument("dnssd: invalid TXT item '" + item + "'");
    }
    state_->advert = std::move(advert);
    state_->log = std::move(log);
    state_->name = state_->advert.instanceName;
    state_->poll = avahi_threaded_poll_new();
    if (state_->poll == nullptr) throw std::runtime_error("dnssd: cannot create the Avahi poll");
    // Connected before the thread starts, so the callbacks (run here from avahi_client_new) need
    // no lock; from then on only the poll thread touches the Avahi objects.
    state_->connect();
    if (avahi_threaded_poll_start(state_->poll) < 0) {
        if (state_->client != nullptr) avahi_client_free(state_->client);
        avahi_threaded_poll_free(state_->poll);
        throw std::runtime_error("dnssd: cannot start the Avahi poll thread");
    }
}

DnssdPublisher::~DnssdPublisher() {
    // Stop (join) the poll thread first: after that no callback can run while we free.
    avahi_threaded_poll_stop(state_->poll);
    if (state_->retry != nullptr) avahi_threaded_poll_get(state_->poll)->timeout_free(state_->retry);
    if (state_->group != nullptr) avahi_entry_group_free(state_->group);  // withdraws the service
    if (state_->client != nullptr) avahi_client_free(state_->client);
    avahi_threaded_poll_free(state_->poll);
}

bool DnssdPublisher::established() const { return state_->established; }

std::string DnssdPublisher::instanceName() const { return state_->currentName(); }

int DnssdPublisher::establishedCount() const { return state_->establishedCount; }

}  // namespace steward::idprov
