// EndpointCore: construction, the I/O loop, the task queue and teardown.
#include "transport/endpoint_core.hpp"

#include <openssl/crypto.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "steward/crypto/random.hpp"
#include "transport/address.hpp"
#include "transport/endpoint_callbacks.hpp"
#include "transport/libcoap_runtime.hpp"
#include "transport/ocf_cipher_suites.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace steward::core::detail {

namespace {

thread_local bool tOnIoThread = false;

// Upper bound on one poll(): libcoap's own timers are honoured exactly; this only bounds how late
// a missed wake-up could be noticed.
constexpr int kMaxWaitMs = 250;

[[noreturn]] void fail(TransportErrorCode code, std::string message) { throw TransportException(TransportError{code, std::move(message)}); }

// A port nobody holds. libcoap binds its listeners with SO_REUSEADDR, and for UDP the kernel may
// then hand a "port 0" bind a port that another SO_REUSEADDR socket already has — two devices in
// one process (steward-device --count) would share a DTLS port and receive each other's
// handshakes. A socket without SO_REUSEADDR is only given a port nobody holds.
std::uint16_t unusedPort(const coap_address_t& bind) {
    const int fd = ::socket(bind.addr.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    coap_address_t probe = bind;
    coap_address_set_port(&probe, 0);
    std::uint16_t port = 0;
    if (::bind(fd, &probe.addr.sa, probe.size) == 0) {
        sockaddr_storage bound{};
        socklen_t length = sizeof(bound);
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
            port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                               : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
        }
    }
    ::close(fd);
    return port;  // 0 (let libcoap pick) if probing failed
}

coap_endpoint_t* listen(coap_context_t* context, const coap_address_t& bind, std::uint16_t port, coap_proto_t proto, const char* what) {
    coap_address_t address = bind;
    if (port == 0) port = unusedPort(bind);
    coap_address_set_port(&address, port);
    coap_endpoint_t* endpoint = coap_new_endpoint(context, &address, proto);
    if (endpoint == nullptr) {
        fail(TransportErrorCode::SendFailed,
             std::string("cannot listen for ") + what + " on port " + std::to_string(port) + " (address in use or not local?)");
    }
    return endpoint;
}

}  // namespace

EndpointCore::EndpointCore(EndpointOptions options) : options_(std::move(options)) {
    ensureLibcoapStarted();
    setDtlsAlertObserver(dtlsAlertCallback);
    if (options_.dtlsPort && !options_.serverPsk && !options_.serverPki) {
        fail(TransportErrorCode::InvalidArgument, "a DTLS port needs a server PSK or certificate configuration");
    }
    if (options_.serverPki) {
        std::string problem;
        serverPki_ = PreparedPki::prepare(*options_.serverPki, true, problem);
        if (!serverPki_) fail(TransportErrorCode::InvalidArgument, "serverPki: " + problem);
        options_.serverPki.reset();  // serverPki_ holds what is needed; one copy of the key is enough
    }
    if (options_.serverPsk) {
        if (!options_.serverPsk->keyForIdentity) fail(TransportErrorCode::InvalidArgument, "serverPsk.keyForIdentity is empty");
        if (!isUsablePskName(options_.serverPsk->identityHint)) {
            fail(TransportErrorCode::InvalidArgument, "the PSK identity hint contains a 0x00 byte or is longer than 64 bytes");
        }
    }
    const auto bind = parseAddress(options_.bindAddress, 0);
    if (!bind) fail(TransportErrorCode::InvalidArgument, "not a numeric IP address: " + options_.bindAddress);

    const auto tokenSeed = randomBytes(8);
    for (auto b : tokenSeed) tokenBase_ = (tokenBase_ << 8) | b;

    wakeFd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wakeFd_ < 0) fail(TransportErrorCode::SendFailed, std::string("eventfd: ") + std::strerror(errno));

    const std::lock_guard guard(libcoapLock());
    try {
        context_ = newOcfContext(ClientSuites::Psk);
        if (context_ == nullptr) fail(TransportErrorCode::SendFailed, "cannot create a CoAP context with the OCF cipher suites");
        configureContext(context_);
        if (options_.serverSessionIdleSeconds != 0) {
            coap_context_set_session_timeout(context_, options_.serverSessionIdleSeconds);
        }
        // libcoap ignores every new ClientHello while it counts more handshakes than this (its
        // default is 100), and it counts "hello" sessions that never echoed a cookie too. Our own
        // bounds (enforceHandshakeLimits) evict instead of ignoring, so libcoap's must sit above
        // them with room for cookie-less hellos. Its idle-session cap stays unset: it would evict
        // the oldest idle session, established ones included.
        const auto libcoapSlots = std::min<std::size_t>(options_.serverHandshakes.total * 4 + 64, 4096);
        coap_context_set_max_handshake_sessions(context_, static_cast<unsigned>(libcoapSlots));
        if (options_.serverPsk && !installServerPsk()) {
            fail(TransportErrorCode::SendFailed, "libcoap refused the server PSK set-up");
        }
        if (serverPki_ && !installServerPki()) {
            fail(TransportErrorCode::SendFailed, "libcoap refused the server certificate set-up");
        }
        if (options_.udpPort) udpPort_ = boundPort(listen(context_, *bind, *options_.udpPort, COAP_PROTO_UDP, "CoAP"));
        if (options_.dtlsPort) {
            dtlsPort_ = boundPort(listen(context_, *bind, *options_.dtlsPort, COAP_PROTO_DTLS, "CoAP over DTLS"));
        }
        coapFd_ = coap_context_get_coap_fd(context_);
        if (coapFd_ < 0) fail(TransportErrorCode::SendFailed, "libcoap was built without epoll support");
    } catch (...) {
        if (context_ != nullptr) {
            coap_set_app_data(context_, nullptr);
            coap_free_context(context_);
            context_ = nullptr;
        }
        ::close(wakeFd_);
        wakeFd_ = -1;
        throw;
    }
}

void EndpointCore::configureContext(coap_context_t* context) {
    coap_set_app_data(context, this);
    // libcoap reassembles block-wise bodies; handlers and callers see one body.
    coap_context_set_block_mode(context, static_cast<std::uint8_t>(COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY));
    // OCF's critical option 2053: without registering, libcoap drops such messages.
    coap_register_option(context, kOptionOcfContentFormatVersion);
    coap_register_option(context, kOptionOcfAcceptContentFormatVersion);
    installContextCallbacks(context);
}

bool EndpointCore::installServerPsk() {
    coap_dtls_spsk_t setup{};
    setup.version = COAP_DTLS_SPSK_SETUP_VERSION;
    setup.validate_id_call_back = serverIdentityCallback;
    auto& hint = options_.serverPsk->identityHint;
    // libcoap keeps this pointer until the next call here, which replaces it with the new one.
    setup.psk_info.hint.s = hint.empty() ? nullptr : hint.data();
    setup.psk_info.hint.length = hint.size();
    return coap_context_set_psk2(context_, &setup) == 1;
}

bool EndpointCore::setIdentityHint(PskBytes hint) {
    if (!options_.serverPsk || !isUsablePskName(hint)) return false;
    return call<bool>(
        [this, &hint]() {
            PskBytes previous = std::move(options_.serverPsk->identityHint);
            options_.serverPsk->identityHint = std::move(hint);
            if (installServerPsk()) return true;
            options_.serverPsk->identityHint = std::move(previous);
            installServerPsk();
            return false;
        },
        false);
}

EndpointCore::~EndpointCore() {
    // CoapEndpoint's destructor has already called shutdown(); this covers a failed start().
    if (thread_.joinable()) {
        if (onIoThread()) {
            thread_.detach();  // cannot join ourselves; only reachable through misuse
        } else {
            shutdown();
        }
    }
    if (context_ != nullptr || pkiClientContext_ != nullptr) {
        const std::lock_guard guard(libcoapLock());
        for (coap_context_t* context : {pkiClientContext_, context_}) {
            if (context == nullptr) continue;
            coap_set_app_data(context, nullptr);
            coap_free_context(context);
        }
    }
    if (wakeFd_ >= 0) ::close(wakeFd_);
}

void EndpointCore::start() {
    thread_ = std::thread([this] { run(); });
}

void EndpointCore::shutdown() {
    std::call_once(shutdownOnce_, [this] {
        {
            const std::lock_guard guard(queueMutex_);
            stopRequested_ = true;
        }
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto written = ::write(wakeFd_, &one, sizeof(one));
        if (thread_.joinable()) thread_.join();
    });
}

bool EndpointCore::post(Task task) {
    {
        const std::lock_guard guard(queueMutex_);
        if (!accepting_) return false;
        tasks_.push_back(std::move(task));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wakeFd_, &one, sizeof(one));
    return true;
}

bool EndpointCore::onAnyIoThread() { return tOnIoThread; }

void EndpointCore::refuseCrossEndpointCall() {
    transportLog(TransportLogLevel::Error,
                 "a blocking endpoint call was made from another endpoint's handler or callback; refused "
                 "(it would deadlock)");
}

void EndpointCore::run() {
    tOnIoThread = true;
    ioThreadId_.store(std::this_thread::get_id());
    for (;;) {
        int waitMs = 0;
        {
            const std::lock_guard guard(libcoapLock());
            runTasks();
            bool stop = false;
            {
                const std::lock_guard queueGuard(queueMutex_);
                stop = stopRequested_;
            }
            if (stop) {
                teardown();
                return;
            }
            if (coap_io_process(context_, COAP_IO_NO_WAIT) < 0) {
                transportLog(TransportLogLevel::Warning, "coap_io_process failed");
            }
            if (pkiClientContext_ != nullptr && coap_io_process(pkiClientContext_, COAP_IO_NO_WAIT) < 0) {
                transportLog(TransportLogLevel::Warning, "coap_io_process failed (certificate client sessions)");
            }
            runDeferred();
            enforceHandshakeLimits();
            expireDeadlines();
            runDeferred();
            waitMs = nextWaitMs();
        }
        // pkiClientFd_ is only written on this thread; -1 (ignored by poll) until that context exists.
        pollfd fds[3] = {{wakeFd_, POLLIN, 0}, {coapFd_, POLLIN, 0}, {pkiClientFd_, POLLIN, 0}};
        if (::poll(fds, 3, waitMs) > 0 && (fds[0].revents & POLLIN) != 0) {
            std::uint64_t count = 0;
            [[maybe_unused]] const auto got = ::read(wakeFd_, &count, sizeof(count));
        }
    }
}

void EndpointCore::runTasks() {
    for (;;) {
        Task task;
        {
            const std::lock_guard guard(queueMutex_);
            if (tasks_.empty()) return;
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        try {
            task();
        } catch (const std::exception& error) {
            transportLog(TransportLogLevel::Error, std::string("endpoint task failed: ") + error.what());
        } catch (...) {
            transportLog(TransportLogLevel::Error, "endpoint task failed");
        }
    }
}

int EndpointCore::nextWaitMs() {
    coap_tick_t now = 0;
    coap_ticks(&now);
    // Also sends whatever retransmission is due; returns the ms until libcoap's next timer, or 0
    // if none is pending.
    long long wait = kMaxWaitMs;
    for (coap_context_t* context : {context_, pkiClientContext_}) {
        if (context == nullptr) continue;
        const unsigned libcoapMs = coap_io_prepare_epoll(context, now);
        if (libcoapMs != 0) wait = std::min<long long>(wait, libcoapMs);
    }
    const auto clockNow = Clock::now();
    auto consider = [&](Clock::time_point deadline) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clockNow).count();
        wait = std::min<long long>(wait, std::max<long long>(left, 0));
    };
    for (const auto& [key, request] : pending_) consider(request.deadline);
    for (const auto& [id, record] : records_) {
        if (record->connectWaiter) consider(record->connectDeadline);
        if (record->state != SessionRecord::State::Handshaking) continue;
        if (record->stallDeadline) consider(*record->stallDeadline);
        if (record->cookieEchoedAt) consider(*record->cookieEchoedAt + options_.serverHandshakes.timeout);
    }
    return static_cast<int>(wait);
}

void EndpointCore::expireDeadlines() {
    const auto now = Clock::now();
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.deadline > now) {
            ++it;
            continue;
        }
        it->second.promise->set_value(TransportError{TransportErrorCode::Timeout, "no response before the deadline"});
        if (it->second.releaseSession) deferredReleases_.push_back(it->second.session);
        it = pending_.erase(it);
    }
    std::vector<SessionId> expired;
    for (const auto& [id, record] : records_) {
        if (record->state != SessionRecord::State::Handshaking) continue;
        if ((record->connectWaiter && record->connectDeadline <= now) || (record->stallDeadline && *record->stallDeadline <= now)) {
            expired.push_back(id);
        }
    }
    for (auto id : expired) {
        SessionRecord* record = findRecord(id);
        if (record == nullptr) continue;
        if (!record->keyExchangeReached && !record->peerAnswered) {
            finishRecord(*record, SessionEventType::Failed, TransportErrorCode::Timeout,
                         "the DTLS handshake did not complete before the deadline");
        } else if (record->clientPki) {
            finishRecord(*record, SessionEventType::Failed, TransportErrorCode::HandshakeFailed,
                         "the server answered but never completed the certificate handshake");
        } else if (record->info.role == SessionRole::Client) {
            finishRecord(*record, SessionEventType::Failed, TransportErrorCode::HandshakeFailed,
                         "the server never confirmed the key exchange: it most likely holds a different PSK "
                         "for this identity (DTLS silently drops records it cannot authenticate)");
        } else {
            evictServerHandshake(*record,
                                 "the client never completed the handshake after the key exchange: it most likely "
                                 "holds a different PSK");
        }
    }
}

void EndpointCore::runDeferred() {
    // Sessions are never released inside a libcoap callback (libcoap may still use them there).
    auto releases = std::move(deferredReleases_);
    deferredReleases_.clear();
    for (coap_session_t* session : releases) coap_session_release(session);
    auto erases = std::move(deferredErases_);
    deferredErases_.clear();
    for (SessionId id : erases) records_.erase(id);
}

void EndpointCore::teardown() {
    {
        const std::lock_guard guard(queueMutex_);
        accepting_ = false;
    }
    shuttingDown_ = true;
    runTasks();  // every queued operation now fails with Shutdown
    for (auto& [key, request] : pending_) {
        request.promise->set_value(TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"});
        if (request.releaseSession) deferredReleases_.push_back(request.session);
    }
    pending_.clear();
    for (auto& [id, record] : records_) {
        if (record->connectWaiter) {
            record->connectWaiter->set_value(TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"});
            record->connectWaiter.reset();
        }
        if (record->state == SessionRecord::State::Established) {
            emit(SessionEventType::Closed, *record, "endpoint shut down");
        }
        record->state = SessionRecord::State::Closed;
        coap_session_set_app_data(record->session, nullptr);
        if (record->ownsReference) deferredReleases_.push_back(record->session);
    }
    runDeferred();
    records_.clear();
    // From here libcoap's callbacks find no endpoint and do nothing.
    for (coap_context_t* context : {pkiClientContext_, context_}) {
        if (context == nullptr) continue;
        coap_set_app_data(context, nullptr);
        coap_free_context(context);
    }
    pkiClientContext_ = nullptr;
    pkiClientFd_ = -1;
    context_ = nullptr;
    resources_.clear();
}

}  // namespace steward::core::detail
