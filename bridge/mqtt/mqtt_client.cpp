#include "mqtt/mqtt_client.hpp"

#include <mosquitto.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "mqtt/backoff.hpp"
#include "mqtt/topic.hpp"

namespace steward::bridge {
namespace {

// How long one mosquitto_loop() call may wait for the socket; bounds how late the network thread
// notices stop(). Publishing from another thread wakes it at once (libmosquitto's socket pair).
constexpr int kLoopTimeoutMs = 100;
// How long stop() lets the broker take the last messages and the DISCONNECT.
constexpr auto kDisconnectGrace = std::chrono::seconds(2);
// How long stop() waits for the messages published before it to be written and acknowledged.
constexpr auto kDrainGrace = std::chrono::seconds(1);
// libmosquitto refuses a CONNECT keep-alive under 5 s.
constexpr int kMinWireKeepAlive = 5;

// mosquitto_lib_init/cleanup are process-wide and not thread-safe: count the clients that need
// the library, initialise it for the first and clean it up after the last.
class LibraryUse {
public:
    LibraryUse() {
        const std::lock_guard lock(mutex());
        if (count()++ == 0) mosquitto_lib_init();
    }
    ~LibraryUse() {
        const std::lock_guard lock(mutex());
        if (--count() == 0) mosquitto_lib_cleanup();
    }
    LibraryUse(const LibraryUse&) = delete;
    LibraryUse& operator=(const LibraryUse&) = delete;

private:
    static std::mutex& mutex() {
        static std::mutex m;
        return m;
    }
    static std::size_t& count() {
        static std::size_t n = 0;
        return n;
    }
};

// A libmosquitto result as text; MOSQ_ERR_ERRNO carries its reason in `savedErrno`.
std::string describe(int rc, int savedErrno) {
    if (rc == MOSQ_ERR_ERRNO) return std::error_code(savedErrno, std::generic_category()).message();
    if (rc == MOSQ_ERR_EAI) return "host name lookup failed";
    const char* text = mosquitto_strerror(rc);
    return text != nullptr ? std::string(text) : "error " + std::to_string(rc);
}

// "Connection Refused: not authorised." -> "connection refused: not authorised"
std::string connackReason(int rc) {
    const char* text = mosquitto_connack_string(rc);
    std::string reason = text != nullptr ? text : "connection refused (code " + std::to_string(rc) + ")";
    while (!reason.empty() && reason.back() == '.') reason.pop_back();
    for (auto& c : reason) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return reason;
}

void checkQos(int qos, const char* what) {
    if (qos < 0 || qos > 2) throw std::invalid_argument(std::string(what) + ": qos must be 0, 1 or 2");
}

}  // namespace

struct MqttClient::Impl {
    struct Subscription {
        int qos = 1;
        std::shared_ptr<const Handler> handler;
    };

    explicit Impl(MqttOptions o) : options(std::move(o)) {}
    ~Impl() {
        if (mosq != nullptr) mosquitto_destroy(mosq);
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    MqttOptions options;
    std::string endpoint;  // "host:port", for log lines
    LibraryUse library;    // declared before `mosq`: the library outlives the handle
    mosquitto* mosq = nullptr;

    // Guards the state shared between callers and the network thread.
    mutable std::mutex mutex;
    std::condition_variable wake;  // back-off waits, interrupted by stop()
    bool connected = false;
    bool everConnected = false;
    struct Retained {
        MqttMessage message;
        bool sent = false;  // handed to libmosquitto on the current connection
    };
    std::map<std::string, Retained> retained;  // last value of every retained topic
    std::set<std::string> clears;              // retained topics cleared while disconnected
    std::deque<MqttMessage> queue;             // non-retained messages waiting for a connection
    std::map<std::string, Subscription> subscriptions;
    std::shared_ptr<const Handler> messageHandler;
    std::shared_ptr<const ConnectionHandler> connectionHandler;
    Stats counters{0, 0, 0, 0, 0};

    // Start/stop, serialised by lifecycleMutex.
    std::mutex lifecycleMutex;
    std::thread thread;
    std::atomic<bool> stopping{false};
    // Messages handed to libmosquitto and not yet written (QoS 0) or acknowledged (QoS 1, 2). A
    // message libmosquitto drops with a lost connection is never settled: stop() waits at most
    // kDrainGrace for it.
    std::atomic<int> unsettled{0};

    // Only touched by the network thread.
    bool acceptedThisAttempt = false;
    bool connectionPending = false;  // CONNACK accepted, completeConnection() not yet run
    std::string attemptReason;       // why the current attempt or connection ended, if a callback knew
    // The keep-alive watchdog (see the header): when the current attempt started, when the broker
    // last sent us anything, and when the unanswered probe, if any, went out.
    std::chrono::steady_clock::time_point attemptStarted;
    std::chrono::steady_clock::time_point lastHeard;
    std::optional<std::chrono::steady_clock::time_point> probeSentAt;

    void log(const std::string& line) const noexcept {
        if (!options.log) return;
        try {
            options.log(line);
        } catch (...) {  // a logger must not take the client down
        }
    }

    // --- publishing (callers hold `mutex`) ---

    // Hands one message to libmosquitto; its result (the reason, if any, goes to `error`).
    int sendLocked(const MqttMessage& m, std::string* error) {
        const int rc =
            mosquitto_publish(mosq, nullptr, m.topic.c_str(), static_cast<int>(m.payload.size()), m.payload.data(), m.qos, m.retain);
        const int savedErrno = errno;
        if (rc == MOSQ_ERR_SUCCESS) {
            ++counters.published;
            ++unsettled;  // until libmosquitto says it is written (QoS 0) or acknowledged (QoS 1, 2)
        } else if (error != nullptr) {
            *error = rc == MOSQ_ERR_NO_CONN ? std::string("no connection") : describe(rc, savedErrno);
        }
        return rc;
    }

    void enqueueLocked(const MqttMessage& m) {
        if (options.maxQueued == 0) {
            ++counters.dropped;
            return;
        }
        queue.push_back(m);
        while (queue.size() > options.maxQueued) {
            queue.pop_front();  // the oldest goes first: fresher events are worth more
            ++counters.dropped;
        }
    }

    // --- the keep-alive watchdog (network thread) ---

    // Any packet from the broker shows it is alive. (Not PUBLISH callbacks: for QoS 0 they only
    // mean the message was written to the socket, which a hung broker's kernel still accepts.)
    void heardFromBroker() {
        lastHeard = std::chrono::steady_clock::now();
        probeSentAt.reset();
    }

    // Why the current attempt or connection must be given up, or empty while the broker answers.
    std::string watchdogVerdict() {
        const auto now = std::chrono::steady_clock::now();
        const auto keepAlive = std::chrono::seconds(options.keepAliveSeconds);
        const auto half = std::chrono::milliseconds(options.keepAliveSeconds * 500);
        if (!acceptedThisAttempt) {
            if (now - attemptStarted < keepAlive) return {};
            return "no answer to CONNECT within " + std::to_string(options.keepAliveSeconds) + " s";
        }
        if (probeSentAt) {
            if (now - *probeSentAt < half) return {};
            return "the broker sent nothing for " + std::to_string(options.keepAliveSeconds) + " s (keep-alive)";
        }
        if (now - lastHeard >= half) {
            // Answered with an UNSUBACK whatever the broker's ACLs say (MQTT 3.1.1 has no refusal).
            const int rc = mosquitto_unsubscribe(mosq, nullptr, kKeepAliveProbeFilter);
            if (rc == MOSQ_ERR_SUCCESS) probeSentAt = now;
        }
        return {};
    }

    // --- callbacks from libmosquitto, all on the network thread ---

    void handleConnect(int rc) {
        heardFromBroker();
        if (rc != 0) {
            const std::string reason = connackReason(rc);
            attemptReason = reason;
            log("mqtt: " + endpoint + " refused the connection: " + reason);
            notifyConnection(false, reason);
            return;
        }
        // libmosquitto resends the QoS>0 messages of the previous connection that were never
        // acknowledged, but only after this callback returns. Sending our state from here would
        // let such a stale retained value overwrite the fresh one, so the network thread does it
        // once mosquitto_loop() returns (completeConnection).
        acceptedThisAttempt = true;
        connectionPending = true;
    }

    // After an accepted connection: subscriptions, "online", retained state, then the queue. Until
    // this has run, publish() keeps filling the queue, so nothing overtakes the queued messages.
    void completeConnection() {
        connectionPending = false;
        std::vector<std::string> failures;
        bool reconnect = false;
        {
            const std::lock_guard lock(mutex);
            // Subscriptions first: the broker handles packets in order, so anything we publish
            // below to a topic we subscribe to comes back to us.
            for (const auto& [filter, sub] : subscriptions) {
                const int src = mosquitto_subscribe(mosq, nullptr, filter.c_str(), sub.qos);
                if (src != MOSQ_ERR_SUCCESS) failures.push_back("subscribe " + filter + ": " + describe(src, errno));
            }
            std::string error;
            auto send = [&](const MqttMessage& m) {
                const int rc = sendLocked(m, &error);
                if (rc != MOSQ_ERR_SUCCESS) failures.push_back("publish " + m.topic + ": " + error);
                return rc == MOSQ_ERR_SUCCESS;
            };
            if (!options.onlineTopic.empty()) send(MqttMessage{options.onlineTopic, options.onlinePayload, true, 1});
            for (const auto& topic : clears) send(MqttMessage{topic, "", true, 1});
            clears.clear();
            for (auto& [topic, r] : retained) r.sent = send(r.message);
            while (!queue.empty()) {
                if (!send(queue.front())) ++counters.dropped;
                queue.pop_front();
            }
            reconnect = everConnected;
            if (everConnected) ++counters.reconnects;
            everConnected = true;
            connected = true;
        }
        log("mqtt: " + std::string(reconnect ? "reconnected to " : "connected to ") + endpoint);
        for (const auto& f : failures) log("mqtt: after connecting: " + f);
        notifyConnection(true, "connected");
    }

    void handleDisconnect(int rc, int savedErrno) {
        if (attemptReason.empty()) {
            attemptReason = rc == MOSQ_ERR_SUCCESS ? std::string("disconnected") : describe(rc, savedErrno);
        }
        markDisconnected(attemptReason, rc == MOSQ_ERR_SUCCESS && stopping.load());
    }

    void handleMessage(const mosquitto_message& raw) {
        heardFromBroker();
        MqttMessage message;
        message.topic = raw.topic != nullptr ? raw.topic : "";
        if (raw.payload != nullptr && raw.payloadlen > 0) {
            message.payload.assign(static_cast<const char*>(raw.payload), static_cast<std::size_t>(raw.payloadlen));
        }
        message.retain = raw.retain;
        message.qos = raw.qos;

        std::vector<std::shared_ptr<const Handler>> handlers;
        {
            const std::lock_guard lock(mutex);
            ++counters.received;
            for (const auto& [filter, sub] : subscriptions) {
                if (sub.handler && topicMatches(filter, message.topic)) handlers.push_back(sub.handler);
            }
            if (messageHandler) handlers.push_back(messageHandler);
        }
        for (const auto& h : handlers) {
            try {
                (*h)(message);
            } catch (const std::exception& e) {
                log("mqtt: message handler failed on " + message.topic + ": " + e.what());
            } catch (...) {
                log("mqtt: message handler failed on " + message.topic + ": unknown exception");
            }
        }
    }

    // Returns whether we were connected until now; reports the end of the connection once.
    bool markDisconnected(const std::string& reason, bool requested = false) {
        {
            const std::lock_guard lock(mutex);
            if (!connected) return false;
            connected = false;
        }
        log(requested ? "mqtt: disconnected from " + endpoint : "mqtt: connection to " + endpoint + " lost: " + reason);
        notifyConnection(false, reason);
        return true;
    }

    void notifyConnection(bool up, const std::string& reason) {
        std::shared_ptr<const ConnectionHandler> handler;
        {
            const std::lock_guard lock(mutex);
            handler = connectionHandler;
        }
        if (!handler) return;
        try {
            (*handler)(up, reason);
        } catch (const std::exception& e) {
            log(std::string("mqtt: connection handler failed: ") + e.what());
        } catch (...) {
            log("mqtt: connection handler failed: unknown exception");
        }
    }

    // --- the network thread ---

    void run() noexcept {
        try {
            runLoop();
        } catch (const std::exception& e) {  // e.g. bad_alloc: keep the process, say why MQTT stopped
            log(std::string("mqtt: network thread ended: ") + e.what());
        } catch (...) {
            log("mqtt: network thread ended: unknown exception");
        }
    }

    void runLoop() {
        Backoff backoff(options.reconnectMin, options.reconnectMax, options.reconnectJitter);
        const int wireKeepAlive = std::max(options.keepAliveSeconds, kMinWireKeepAlive);
        while (!stopping.load()) {
            acceptedThisAttempt = false;
            connectionPending = false;
            attemptReason.clear();
            probeSentAt.reset();
            attemptStarted = std::chrono::steady_clock::now();
            // Non-blocking TCP connect (only the host name lookup may take a while, on this thread).
            int rc = mosquitto_connect_async(mosq, options.host.c_str(), options.port, wireKeepAlive);
            int savedErrno = errno;
            if (rc == MOSQ_ERR_SUCCESS) {
                // The watchdog ends an attempt that gets no CONNACK and a connection to a broker
                // that stopped answering, so this loop cannot hang on a silent broker. A dropped
                // connection's socket is closed by the next mosquitto_connect_async(); QoS>0
                // messages libmosquitto still holds unacknowledged are sent again after it.
                while (!stopping.load()) {
                    rc = mosquitto_loop(mosq, kLoopTimeoutMs, 1);
                    savedErrno = errno;
                    if (rc != MOSQ_ERR_SUCCESS) break;
                    if (connectionPending) completeConnection();
                    if (auto verdict = watchdogVerdict(); !verdict.empty()) {
                        attemptReason = std::move(verdict);
                        break;
                    }
                }
            }
            if (stopping.load()) break;
            const std::string reason = attemptReason.empty() ? describe(rc, savedErrno) : attemptReason;
            if (acceptedThisAttempt) backoff.reset();
            const bool wasConnected = markDisconnected(reason);
            const auto delay = backoff.next();
            log("mqtt: " + std::string(wasConnected ? "reconnecting to " : "cannot connect to ") + endpoint +
                (wasConnected ? "" : ": " + reason) + "; next attempt in " + std::to_string(delay.count()) + " ms");
            std::unique_lock lock(mutex);
            wake.wait_for(lock, delay, [this] { return stopping.load(); });
        }
        shutdown();
    }

    // Clean stop: say "offline" ourselves (the broker drops the will on a clean DISCONNECT), then
    // disconnect and give the broker a moment to take what is still in libmosquitto's buffers.
    void shutdown() {
        std::string error;
        {
            const std::lock_guard lock(mutex);
            if (connected && !options.willTopic.empty() &&
                sendLocked(MqttMessage{options.willTopic, options.willPayload, options.willRetain, options.willQos}, &error) ==
                    MOSQ_ERR_SUCCESS) {
                error.clear();
            }
            queue.clear();
        }
        if (!error.empty()) log("mqtt: could not publish " + options.willTopic + " before stopping: " + error);
        // The last messages (answers given just before the stop, "offline") are written and
        // acknowledged before the DISCONNECT: libmosquitto closes the socket right after writing
        // it, and an acknowledgement still unread then turns the close into a reset, on which the
        // broker drops what it had not processed yet (seen: the last answer lost, the will
        // published instead of "offline").
        const auto drainUntil = std::chrono::steady_clock::now() + kDrainGrace;
        while (connected && unsettled.load() > 0 && std::chrono::steady_clock::now() < drainUntil) {
            if (mosquitto_loop(mosq, 20, 1) != MOSQ_ERR_SUCCESS) break;
        }
        attemptReason = "stopped";
        if (mosquitto_disconnect(mosq) == MOSQ_ERR_SUCCESS) {
            const auto deadline = std::chrono::steady_clock::now() + kDisconnectGrace;
            while (std::chrono::steady_clock::now() < deadline) {
                if (mosquitto_loop(mosq, kLoopTimeoutMs, 1) != MOSQ_ERR_SUCCESS) break;
            }
        }
        markDisconnected("stopped", true);
    }

    // --- libmosquitto's C callbacks: nothing may unwind out of them ---

    static void onPublish(mosquitto* /*m*/, void* obj, int /*mid*/) noexcept {
        auto* self = static_cast<Impl*>(obj);
        if (self->unsettled.load() > 0) --self->unsettled;
    }
    static void onSubscribe(mosquitto* /*m*/, void* obj, int /*mid*/, int /*count*/, const int* /*granted*/) noexcept {
        static_cast<Impl*>(obj)->heardFromBroker();
    }
    static void onUnsubscribe(mosquitto* /*m*/, void* obj, int /*mid*/) noexcept { static_cast<Impl*>(obj)->heardFromBroker(); }

    static void onConnect(mosquitto* /*m*/, void* obj, int rc) noexcept {
        auto* self = static_cast<Impl*>(obj);
        try {
            self->handleConnect(rc);
        } catch (...) {
            self->log("mqtt: internal error in the connect callback");
        }
    }
    static void onDisconnect(mosquitto* /*m*/, void* obj, int rc) noexcept {
        const int savedErrno = errno;
        auto* self = static_cast<Impl*>(obj);
        try {
            self->handleDisconnect(rc, savedErrno);
        } catch (...) {
            self->log("mqtt: internal error in the disconnect callback");
        }
    }
    static void onMessage(mosquitto* /*m*/, void* obj, const mosquitto_message* message) noexcept {
        auto* self = static_cast<Impl*>(obj);
        if (message == nullptr) return;
        try {
            self->handleMessage(*message);
        } catch (...) {
            self->log("mqtt: internal error in the message callback");
        }
    }
    static void onLog(mosquitto* /*m*/, void* obj, int level, const char* text) noexcept {
        // Errors and warnings only (e.g. OpenSSL's reason for a failed handshake); libmosquitto
        // never puts passwords or payloads in them.
        if ((level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)) == 0 || text == nullptr) return;
        auto* self = static_cast<Impl*>(obj);
        try {
            self->log(std::string("mqtt: libmosquitto: ") + text);
        } catch (...) {
        }
    }
};

MqttClient::MqttClient(MqttOptions options) {
    const auto& o = options;
    if (o.host.empty()) throw std::invalid_argument("mqtt: the broker host is empty");
    if (o.port < 1 || o.port > 65535) throw std::invalid_argument("mqtt: the broker port must be 1..65535");
    if (o.keepAliveSeconds < 2 || o.keepAliveSeconds > 65535) {
        throw std::invalid_argument("mqtt: keep-alive must be 2..65535 seconds");
    }
    if (!o.willTopic.empty() && !isValidTopicName(o.willTopic)) {
        throw std::invalid_argument("mqtt: invalid will topic '" + o.willTopic + "'");
    }
    checkQos(o.willQos, "mqtt will");
    if (!o.onlineTopic.empty() && !isValidTopicName(o.onlineTopic)) {
        throw std::invalid_argument("mqtt: invalid online topic '" + o.onlineTopic + "'");
    }
    if (o.reconnectMin.count() <= 0 || o.reconnectMax < o.reconnectMin) {
        throw std::invalid_argument("mqtt: reconnect delays must satisfy 0 < min <= max");
    }
    if (!(o.reconnectJitter >= 0.0 && o.reconnectJitter <= 1.0)) throw std::invalid_argument("mqtt: reconnect jitter must be 0..1");
    if (o.tls && (o.tls->caFile.empty() || o.tls->certFile.empty() != o.tls->keyFile.empty())) {
        throw std::invalid_argument("mqtt: TLS needs a CA file, and a client certificate needs its key (and vice versa)");
    }

    impl_ = std::make_unique<Impl>(std::move(options));
    Impl& d = *impl_;
    d.endpoint = d.options.host + ":" + std::to_string(d.options.port);
    d.mosq = mosquitto_new(d.options.clientId.empty() ? nullptr : d.options.clientId.c_str(), true, &d);
    if (d.mosq == nullptr) throw std::invalid_argument("mqtt: cannot create a client (invalid client id?)");

    auto check = [](int rc, const std::string& what) {
        if (rc != MOSQ_ERR_SUCCESS) throw std::invalid_argument("mqtt: " + what + ": " + describe(rc, errno));
    };
    check(mosquitto_int_option(d.mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311), "protocol version");
    // Requests and their answers are small: without this, Nagle and delayed ACKs add ~40 ms to each.
    check(mosquitto_int_option(d.mosq, MOSQ_OPT_TCP_NODELAY, 1), "TCP_NODELAY");
    // Several threads call into the handle (publish() from callers, the loop on ours).
    check(mosquitto_threaded_set(d.mosq, true), "threaded mode");
    if (!d.options.willTopic.empty()) {
        check(mosquitto_will_set(d.mosq, d.options.willTopic.c_str(), static_cast<int>(d.options.willPayload.size()),
                                 d.options.willPayload.data(), d.options.willQos, d.options.willRetain),
              "last will");
    }
    if (!d.options.username.empty()) {
        check(mosquitto_username_pw_set(d.mosq, d.options.username.c_str(),
                                        d.options.password.empty() ? nullptr : d.options.password.c_str()),
              "username");
    }
    if (d.options.tls) {
        const auto& t = *d.options.tls;
        check(mosquitto_tls_set(d.mosq, t.caFile.c_str(), nullptr, t.certFile.empty() ? nullptr : t.certFile.c_str(),
                                t.keyFile.empty() ? nullptr : t.keyFile.c_str(), nullptr),
              "TLS files (" + t.caFile + (t.certFile.empty() ? "" : ", " + t.certFile) + ")");
        check(mosquitto_tls_insecure_set(d.mosq, t.insecure), "TLS host name check");
    }
    mosquitto_connect_callback_set(d.mosq, &Impl::onConnect);
    mosquitto_disconnect_callback_set(d.mosq, &Impl::onDisconnect);
    mosquitto_message_callback_set(d.mosq, &Impl::onMessage);
    mosquitto_publish_callback_set(d.mosq, &Impl::onPublish);
    mosquitto_subscribe_callback_set(d.mosq, &Impl::onSubscribe);
    mosquitto_unsubscribe_callback_set(d.mosq, &Impl::onUnsubscribe);
    mosquitto_log_callback_set(d.mosq, &Impl::onLog);
}

MqttClient::~MqttClient() {
    try {
        stop();
    } catch (...) {  // stop() from our own thread: nothing sensible left to do
    }
}

void MqttClient::start() {
    const std::lock_guard lock(impl_->lifecycleMutex);
    if (impl_->thread.joinable()) return;
    impl_->stopping.store(false);
    impl_->thread = std::thread([d = impl_.get()] { d->run(); });
}

void MqttClient::stop() {
    Impl& d = *impl_;
    const std::lock_guard lock(d.lifecycleMutex);
    if (!d.thread.joinable()) return;
    if (d.thread.get_id() == std::this_thread::get_id()) {
        throw std::logic_error("mqtt: stop() called from a handler on the client's own thread");
    }
    {
        const std::lock_guard stateLock(d.mutex);
        d.stopping.store(true);
    }
    d.wake.notify_all();
    d.thread.join();
}

void MqttClient::publish(const MqttMessage& message, bool evenIfUnchanged) {
    if (!isValidTopicName(message.topic)) throw std::invalid_argument("mqtt: invalid topic name '" + message.topic + "'");
    checkQos(message.qos, "mqtt publish");
    if (message.payload.size() > 268435455 - message.topic.size() - 4) {  // MQTT's maximum packet size
        throw std::invalid_argument("mqtt: payload too large for " + message.topic);
    }
    Impl& d = *impl_;
    std::string failure;
    {
        const std::lock_guard lock(d.mutex);
        Impl::Retained* remembered = nullptr;
        if (message.retain) {
            if (message.payload.empty()) {
                d.retained.erase(message.topic);
            } else {
                auto& r = d.retained[message.topic];
                // The broker already holds this very value from us (on this connection, or it is
                // sent again after the next one): nothing to send.
                if (!evenIfUnchanged && r.sent && r.message.payload == message.payload && r.message.qos == message.qos) {
                    ++d.counters.unchanged;
                    return;
                }
                r.message = message;
                r.sent = false;
                remembered = &r;
                d.clears.erase(message.topic);
            }
        }
        if (d.connected) {
            std::string error;
            const int rc = d.sendLocked(message, &error);
            if (rc == MOSQ_ERR_SUCCESS) {
                if (remembered != nullptr) remembered->sent = true;
                return;
            }
            if (rc != MOSQ_ERR_NO_CONN) {
                if (!message.retain) ++d.counters.dropped;
                failure = "mqtt: publish to " + message.topic + " failed: " + error;
            }
        }
        if (failure.empty()) {
            // Not connected (or the connection just went): keep it for the next connection.
            if (!message.retain) {
                d.enqueueLocked(message);
            } else if (message.payload.empty()) {
                d.clears.insert(message.topic);
            }
        }
    }
    if (!failure.empty()) d.log(failure);
}

void MqttClient::subscribe(const std::string& topicFilter, int qos, Handler handler) {
    if (!isValidTopicFilter(topicFilter)) throw std::invalid_argument("mqtt: invalid topic filter '" + topicFilter + "'");
    if (topicFilter == kKeepAliveProbeFilter)
        throw std::invalid_argument("mqtt: '" + topicFilter + "' is reserved for the keep-alive probe");
    checkQos(qos, "mqtt subscribe");
    Impl& d = *impl_;
    std::string failure;
    {
        const std::lock_guard lock(d.mutex);
        d.subscriptions[topicFilter] = Impl::Subscription{qos, handler ? std::make_shared<const Handler>(std::move(handler)) : nullptr};
        if (d.connected) {
            const int rc = mosquitto_subscribe(d.mosq, nullptr, topicFilter.c_str(), qos);
            if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
                failure = "mqtt: subscribe " + topicFilter + " failed: " + describe(rc, errno);
            }
        }
    }
    if (!failure.empty()) d.log(failure);
}

void MqttClient::unsubscribe(const std::string& topicFilter) {
    Impl& d = *impl_;
    const std::lock_guard lock(d.mutex);
    if (d.subscriptions.erase(topicFilter) == 0) return;
    if (d.connected) mosquitto_unsubscribe(d.mosq, nullptr, topicFilter.c_str());
}

void MqttClient::onMessage(Handler handler) {
    const std::lock_guard lock(impl_->mutex);
    impl_->messageHandler = handler ? std::make_shared<const Handler>(std::move(handler)) : nullptr;
}

void MqttClient::onConnectionChange(ConnectionHandler handler) {
    const std::lock_guard lock(impl_->mutex);
    impl_->connectionHandler = handler ? std::make_shared<const ConnectionHandler>(std::move(handler)) : nullptr;
}

bool MqttClient::connected() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->connected;
}

MqttClient::Stats MqttClient::stats() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->counters;
}

}  // namespace steward::bridge
