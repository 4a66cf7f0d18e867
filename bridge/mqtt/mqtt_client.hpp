#pragma once
// The gateway's MQTT client, over libmosquitto, speaking MQTT 3.1.1.
//
// What it promises the daemon:
// - publish(), subscribe() and the getters never wait for the network: they only take a short
//   internal lock. While the broker is away the provisioning core keeps running; non-retained
//   messages wait in a bounded queue of our own, retained ones are remembered per topic.
// - Retained state survives the broker: every retained topic's last value is published again after
//   each (re)connection, so a broker restarted without persistence gets the state back.
// - A retained value the broker already has from this connection is not sent again (publishing the
//   same state over and over costs nothing), unless the caller asks for it.
// - Availability: a last will (`willTopic`/`willPayload`, retained by default) marks the gateway
//   offline if it dies; `onlineTopic`/`onlinePayload` is published retained after every connection;
//   a clean stop() publishes the will payload itself before disconnecting (a clean DISCONNECT
//   discards the will, and the topic must not keep saying "online").
// - Reconnection with exponential back-off (reconnectMin doubling up to reconnectMax, with
//   jitter, back to reconnectMin after a successful connection), on every kind of failure: refused
//   TCP connection, unknown host, TLS handshake failure, refused credentials, lost connection. The
//   cap is a few seconds: a broker back after an outage is found again within it.
// - A hung broker (process stopped, host frozen, a middlebox dropping packets) is noticed: after
//   keepAliveSeconds/2 without any packet from the broker the client probes it (an UNSUBSCRIBE of
//   a reserved filter, which every broker answers), and drops the connection if the probe is not
//   answered within another keepAliveSeconds/2. So a broker silent for keepAliveSeconds is taken
//   as gone, and the client reconnects as after any other loss. libmosquitto's own keep-alive
//   (PINGREQ after a silent interval, dropped one interval later) would take up to twice the
//   interval and refuses intervals under 5 s; it stays on as a backstop.
// - Nothing thrown by a handler reaches libmosquitto: every callback catches, logs and goes on.
//
// Threading: the client runs one network thread of its own (started by start()); it drives
// libmosquitto with mosquitto_loop() and calls every handler. We do not use mosquitto_loop_start:
// libmosquitto 2.0's threaded loop ends silently after a TLS or DNS failure (and its reconnect
// delays are whole seconds), which would leave a daemon disconnected for good.
// Why our own queue: libmosquitto drops QoS 0 messages published while disconnected and keeps
// QoS>0 ones without bound and without "last value per topic", which is what retained state needs.
// Order after a reconnection: first what libmosquitto still had unacknowledged from the lost
// connection (it resends QoS>0 messages itself), then our subscriptions, the online message,
// every retained topic's current value, and the queue in publish order. So a stale retained value
// can never overwrite a newer one. QoS 0 and QoS>0 messages may overtake each other (libmosquitto
// holds QoS>0 ones back while 20 are unacknowledged); within one QoS the order is kept. QoS 0
// messages handed over just before a connection is lost can be lost, as QoS 0 allows.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace steward::bridge {

struct MqttTls {
    std::string caFile;     // PEM trust anchors for the broker's certificate (required)
    std::string certFile;   // client certificate (PEM), with keyFile; both empty for none
    std::string keyFile;    // the client certificate's private key (PEM, unencrypted)
    bool insecure = false;  // skip the broker host name check (testing only)
};

struct MqttOptions {
    std::string host = "127.0.0.1";
    int port = 1883;
    std::string clientId;            // empty: libmosquitto makes up a random one
    std::string username, password;  // username empty: none sent
    std::optional<MqttTls> tls;
    // A broker that sends nothing for this long (no answer to our probe) is taken as gone; also
    // bounds how long a connection attempt may wait for the broker's CONNACK. 2..65535. The
    // keep-alive announced to the broker in CONNECT is max(5, keepAliveSeconds) (libmosquitto's
    // minimum).
    int keepAliveSeconds = 30;
    std::string willTopic;  // empty: no last will
    std::string willPayload;
    bool willRetain = true;
    int willQos = 1;
    std::string onlineTopic, onlinePayload;  // published retained right after every (re)connection
    // Delays between connection attempts: reconnectMin doubling up to reconnectMax; each one drawn
    // from [(1 - reconnectJitter) * d, d]. Back to reconnectMin once a connection is accepted.
    std::chrono::milliseconds reconnectMin{500}, reconnectMax{5000};
    double reconnectJitter = 0.2;  // 0..1
    // Non-retained messages kept while disconnected; when full, the oldest is dropped (and
    // counted in Stats::dropped). Retained messages are not counted here: one value per topic is
    // kept, however long the broker is away.
    std::size_t maxQueued = 10000;
    // One line per connection, loss, failed attempt (with the reason) and per swallowed handler
    // exception. Never given a password or a payload. Called from the network thread or the caller
    // of publish()/stop(); must not throw (if it does, the exception is swallowed).
    std::function<void(const std::string&)> log;
};

// The filter the keep-alive probe unsubscribes from: never subscribed, so the probe changes
// nothing on the broker; subscribe() refuses it.
inline constexpr const char* kKeepAliveProbeFilter = "$steward/keepalive-probe";

struct MqttMessage {
    std::string topic;
    std::string payload;
    bool retain = false;
    int qos = 0;
};

class MqttClient {
public:
    using Handler = std::function<void(const MqttMessage&)>;
    using ConnectionHandler = std::function<void(bool connected, const std::string& reason)>;

    struct Stats {
        std::uint64_t published;   // PUBLISH packets handed to libmosquitto (republished state included)
        std::uint64_t received;    // messages that came from the broker
        std::uint64_t dropped;     // non-retained messages dropped from the full queue or refused by libmosquitto
        std::uint64_t reconnects;  // successful connections after the first one
        std::uint64_t unchanged;   // retained messages not sent because the broker has that payload from us
    };

    // Checks the options and creates the libmosquitto handle; does not connect. Throws
    // std::invalid_argument for unusable options (empty host, bad port, invalid will topic, TLS
    // files libmosquitto cannot read, ...).
    explicit MqttClient(MqttOptions options);
    // stop(), then frees the handle.
    ~MqttClient();
    MqttClient(const MqttClient&) = delete;
    MqttClient& operator=(const MqttClient&) = delete;

    // Starts the network thread, which connects (and keeps reconnecting) in the background; returns
    // at once whether or not the broker is there. Calling it while running does nothing.
    void start();
    // Publishes the will payload (retained) when connected, disconnects cleanly and joins the
    // network thread (at most about two seconds for a broker that does not answer). Messages still
    // in our queue are discarded. Idempotent; start() may be called again afterwards. Must not be
    // called from a handler (throws std::logic_error there).
    void stop();

    // Never blocks on the network; thread-safe. Connected: handed to libmosquitto at once.
    // Disconnected: retained messages replace the topic's remembered value, others wait in the
    // queue. Either way, a retained message is remembered and published again after every
    // reconnection; an empty retained payload clears the topic on the broker and forgets it.
    // A retained message whose payload (and qos) equals the one last sent for its topic on this
    // connection is not sent again (counted in Stats::unchanged), unless `evenIfUnchanged` (e.g.
    // a consumer asked for everything again); republishing after a reconnection is unaffected.
    // Throws std::invalid_argument for an invalid topic name or a qos outside 0..2.
    void publish(const MqttMessage& message, bool evenIfUnchanged = false);

    // Remembered and subscribed again after every reconnection. With a handler, messages whose
    // topic matches `topicFilter` are also given to that handler (before the onMessage handler).
    // Throws std::invalid_argument for an invalid filter or qos, or the keep-alive probe's
    // reserved filter (kKeepAliveProbeFilter).
    void subscribe(const std::string& topicFilter, int qos = 1, Handler handler = {});
    // Forgets the subscription (and its handler) and unsubscribes when connected.
    void unsubscribe(const std::string& topicFilter);

    // Called on the network thread for every message received; exceptions are caught and logged.
    // Handlers may call publish()/subscribe(), not stop() or the destructor. Handlers can run until
    // stop() returns (onConnectionChange(false, "stopped") comes from stop() itself): whatever they
    // use must outlive the client's stop().
    void onMessage(Handler handler);
    // Called on the network thread: (true, "connected") after each accepted connection; (false,
    // reason) when an established connection is lost and when the broker refuses a connection
    // (e.g. "connection refused: not authorised"). Plain failed attempts (broker down) are only
    // logged. Exceptions are caught and logged.
    void onConnectionChange(ConnectionHandler handler);

    bool connected() const;
    Stats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace steward::bridge
