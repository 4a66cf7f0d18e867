// steward.yaml: every mistake is named with file, line, column and key; good files give the values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon_config.hpp"

namespace steward::bridge {
namespace {

using ::testing::HasSubstr;

std::string errorOf(const std::string& yaml) {
    try {
        parseDaemonConfig(yaml, "steward.yaml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(DaemonConfig, ReadsEveryFieldAndKeepsDefaultsForTheRest) {
    const auto c = parseDaemonConfig(R"(
state_dir: /srv/steward
mqtt: {host: broker.lan, port: 8883, base_topic: home/steward, ca_file: /etc/ca.pem, homeassistant: true}
discovery: {interfaces: [eth1], unicast: ["192.168.1.7:5683"], interval: 10, timeout_ms: 1500}
devices: {poll_interval: 5, timeout_ms: 800}
ownership: {mode: permit_join, permit_join_seconds: 60, allow_justworks: true, justworks_per_window: 2, approval: true, pin_timeout: 30}
logging: {level: debug, syslog: true}
)",
                                     "steward.yaml");
    EXPECT_EQ(c.stateDir, "/srv/steward");
    EXPECT_EQ(c.pluginDir, "/usr/lib/steward/plugins");
    EXPECT_EQ(c.mqtt.host, "broker.lan");
    EXPECT_EQ(c.mqtt.port, 8883);
    EXPECT_EQ(c.mqtt.baseTopic, "home/steward");
    EXPECT_TRUE(c.mqtt.homeAssistant);
    EXPECT_EQ(c.discovery.interfaces, std::vector<std::string>{"eth1"});
    EXPECT_EQ(c.discovery.interval, std::chrono::seconds(10));
    EXPECT_EQ(c.devices.pollInterval, std::chrono::seconds(5));
    EXPECT_EQ(c.devices.timeout, std::chrono::milliseconds(800));
    EXPECT_EQ(c.ownership.mode, OwnershipMode::PermitJoin);
    EXPECT_EQ(c.ownership.permitJoinDefault, std::chrono::seconds(60));
    EXPECT_TRUE(c.ownership.allowJustWorks);
    EXPECT_EQ(c.ownership.justWorksPerWindow, 2);
    EXPECT_TRUE(c.ownership.approval);
    EXPECT_EQ(c.logLevel, "debug");
    EXPECT_TRUE(c.syslog);
}

TEST(DaemonConfig, TheDefaultsAreSafe) {
    const auto c = parseDaemonConfig("", "steward.yaml");
    EXPECT_EQ(c.ownership.mode, OwnershipMode::Manual);
    EXPECT_FALSE(c.ownership.allowJustWorks);
    EXPECT_TRUE(c.discovery.interfaces.empty());  // no multicast anywhere unless named
    EXPECT_EQ(c.devices.pollInterval, std::chrono::seconds(30));
    EXPECT_LE(c.ownership.permitJoinDefault, c.ownership.permitJoinMax);
}

// The packaged /etc/steward/steward.yaml says "the values shown are the defaults": it must, or a
// user reading it (and the package) would disagree with what stewardd does without it.
TEST(DaemonConfig, TheShippedFileStatesTheProgramDefaults) {
    const auto shipped = loadDaemonConfig(STEWARD_SOURCE_DIR "/config/steward.yaml");
    const DaemonConfig d;
    EXPECT_EQ(shipped.stateDir, d.stateDir);
    EXPECT_EQ(shipped.pluginDir, d.pluginDir);
    EXPECT_EQ(shipped.policyDir, d.policyDir);
    EXPECT_EQ(shipped.mqtt.host, d.mqtt.host);
    EXPECT_EQ(shipped.mqtt.port, d.mqtt.port);
    EXPECT_EQ(shipped.mqtt.keepAlive, d.mqtt.keepAlive);
    EXPECT_EQ(shipped.mqtt.baseTopic, d.mqtt.baseTopic);
    EXPECT_EQ(shipped.mqtt.clientId, d.mqtt.clientId);
    EXPECT_EQ(shipped.mqtt.username, d.mqtt.username);
    EXPECT_EQ(shipped.mqtt.caFile, d.mqtt.caFile);
    EXPECT_EQ(shipped.mqtt.homeAssistant, d.mqtt.homeAssistant);
    EXPECT_EQ(shipped.mqtt.homeAssistantPrefix, d.mqtt.homeAssistantPrefix);
    EXPECT_EQ(shipped.mqtt.deviceListInterval, d.mqtt.deviceListInterval);
    EXPECT_EQ(shipped.mqtt.maxPendingRequests, d.mqtt.maxPendingRequests);
    EXPECT_EQ(shipped.discovery.interfaces, d.discovery.interfaces);
    EXPECT_EQ(shipped.discovery.unicast, d.discovery.unicast);
    EXPECT_EQ(shipped.discovery.interval, d.discovery.interval);
    EXPECT_EQ(shipped.discovery.timeout, d.discovery.timeout);
    EXPECT_EQ(shipped.discovery.joinInterval, d.discovery.joinInterval);
    EXPECT_EQ(shipped.devices.pollInterval, d.devices.pollInterval);
    EXPECT_EQ(shipped.devices.timeout, d.devices.timeout);
    EXPECT_EQ(shipped.ownership.mode, d.ownership.mode);
    EXPECT_EQ(shipped.ownership.permitJoinDefault, d.ownership.permitJoinDefault);
    EXPECT_EQ(shipped.ownership.permitJoinMax, d.ownership.permitJoinMax);
    EXPECT_EQ(shipped.ownership.allowJustWorks, d.ownership.allowJustWorks);
    EXPECT_EQ(shipped.ownership.justWorksPerWindow, d.ownership.justWorksPerWindow);
    EXPECT_EQ(shipped.ownership.approval, d.ownership.approval);
    EXPECT_EQ(shipped.ownership.pinTimeout, d.ownership.pinTimeout);
    EXPECT_EQ(shipped.ownership.pinAttempts, d.ownership.pinAttempts);
    EXPECT_EQ(shipped.ownership.maxPairingRequests, d.ownership.maxPairingRequests);
    EXPECT_EQ(shipped.ownership.retryAfter, d.ownership.retryAfter);
    EXPECT_EQ(shipped.ownership.retryAttempts, d.ownership.retryAttempts);
    EXPECT_EQ(shipped.ownership.workers, d.ownership.workers);
    EXPECT_EQ(shipped.idprov.enabled, d.idprov.enabled);
    EXPECT_EQ(shipped.logLevel, d.logLevel);
    EXPECT_EQ(shipped.syslog, d.syslog);
}

TEST(DaemonConfig, EveryMistakeNamesItsPlaceAndKey) {
    EXPECT_EQ(errorOf("mqtt:\n  prot: 1883\n"),
              "steward.yaml:2:3: mqtt.prot: unknown key (known here: base_topic, ca_file, cert_file, client_id, "
              "device_list_interval_ms, homeassistant, "
              "homeassistant_prefix, host, keepalive, key_file, max_pending_requests, password, port, username)");
    EXPECT_THAT(errorOf("mqtt: {port: 70000}\n"), HasSubstr("steward.yaml:1:14: mqtt.port: 70000 is out of range (1 to 65535)"));
    EXPECT_THAT(errorOf("mqtt: {port: many}\n"), HasSubstr("mqtt.port: expected a whole number"));
    EXPECT_THAT(errorOf("ownership:\n  mode: yolo\n"), HasSubstr("steward.yaml:2:9: ownership.mode: \"yolo\" is not a mode"));
    EXPECT_THAT(errorOf("ownership: {allow_justworks: maybe}\n"), HasSubstr("ownership.allow_justworks: expected true or false"));
    EXPECT_THAT(errorOf("discovery: {unicast: 5}\n"), HasSubstr("discovery.unicast: expected a list"));
    EXPECT_THAT(errorOf("mqtt: {base_topic: \"a/#\"}\n"), HasSubstr("mqtt.base_topic"));
    EXPECT_THAT(errorOf("mqtt: {cert_file: /c.pem}\n"), HasSubstr("cert_file and key_file go together"));
    EXPECT_THAT(errorOf("ownership: {permit_join_seconds: 600, permit_join_max_seconds: 60}\n"),
                HasSubstr("exceeds permit_join_max_seconds"));
    EXPECT_THAT(errorOf("logging: {level: loud}\n"), HasSubstr("logging.level"));
    EXPECT_THAT(errorOf("devices: {poll_interval: -1}\n"), HasSubstr("devices.poll_interval: -1 is out of range"));
    EXPECT_THAT(errorOf("devices: {timeout_ms: 5}\n"), HasSubstr("devices.timeout_ms: 5 is out of range"));
    EXPECT_THAT(errorOf("mqtt: {device_list_interval_ms: 60001}\n"),
                HasSubstr("mqtt.device_list_interval_ms: 60001 is out of range (0 to 60000)"));
    EXPECT_THAT(errorOf("mqtt: [1, 2\n"), HasSubstr("steward.yaml:"));
    EXPECT_THAT(errorOf("- a\n- b\n"), HasSubstr("expected a mapping"));
}

TEST(DaemonConfig, IdprovIsOffByDefaultAndReadsItsSettings) {
    EXPECT_FALSE(parseDaemonConfig("", "steward.yaml").idprov.enabled);
    const auto c = parseDaemonConfig(R"(
idprov:
  enabled: true
  listen: "::"
  port: 8443
  dnssd: false
  instance_name: gateway idprov
  server_names: [gw.local, 192.168.1.2]
  oob_validity_hours: 24
  certificate_validity_days: 7
  waiting_retry: 5
  hash_algorithms: [PBKDF2]
  max_body_bytes: 4096
  requests_per_minute: 10
  request_deadline_ms: 3000
  max_connections_per_address: 2
  max_connections: 100
  pbkdf2_iterations: 700000
  argon2_memory_kib: 32768
  concurrent_hashes: 1
)",
                                     "steward.yaml");
    const auto& s = c.idprov.settings;
    EXPECT_TRUE(c.idprov.enabled);
    EXPECT_EQ(s.listenAddress, "::");
    EXPECT_EQ(s.port, 8443);
    EXPECT_FALSE(s.publishDnssd);
    EXPECT_EQ(s.dnssdInstanceName, "gateway idprov");
    EXPECT_EQ(s.serverNames, (std::vector<std::string>{"gw.local", "192.168.1.2"}));
    EXPECT_EQ(s.oobValidity, std::chrono::hours(24));
    EXPECT_EQ(s.certificateValidity, std::chrono::hours(24 * 7));
    EXPECT_EQ(s.waitingRetry, std::chrono::seconds(5));
    EXPECT_EQ(s.hashAlgorithms, std::vector<std::string>{"PBKDF2"});
    EXPECT_EQ(s.maxBodyBytes, 4096u);
    EXPECT_EQ(s.requestsPerMinute, 10.0);
    EXPECT_EQ(s.requestDeadline, std::chrono::milliseconds(3000));
    EXPECT_EQ(s.maxConnectionsPerAddress, 2u);
    EXPECT_EQ(s.maxConnections, 100u);
    EXPECT_EQ(s.pbkdf2Iterations, 700000u);
    EXPECT_EQ(s.argon2MemoryKiB, 32768u);
    EXPECT_EQ(s.argon2Passes, 2u);  // the default
    EXPECT_EQ(s.concurrentHashes, 1u);

    EXPECT_THAT(errorOf("idprov:\n  hash_algorithms: [bcrypt]\n"),
                HasSubstr("steward.yaml:2:20: idprov.hash_algorithms: \"bcrypt\" is not supported"));
    EXPECT_THAT(errorOf("idprov: {hash_algorithms: []}\n"), HasSubstr("at least one"));
    EXPECT_THAT(errorOf("idprov: {port: 99999}\n"), HasSubstr("idprov.port: 99999 is out of range"));
    EXPECT_THAT(errorOf("idprov: {oob_validity_hours: 0}\n"), HasSubstr("idprov.oob_validity_hours"));
    EXPECT_THAT(errorOf("idprov: {enable: true}\n"), HasSubstr("idprov.enable: unknown key"));
    EXPECT_THAT(errorOf("idprov: {pbkdf2_iterations: 6000000}\n"), HasSubstr("idprov.pbkdf2_iterations: 6000000 is out of range"));
    EXPECT_THAT(errorOf("idprov: {max_connections_per_address: 10, max_connections: 5}\n"),
                HasSubstr("max_connections_per_address exceeds max_connections"));
}

TEST(DaemonConfig, AMissingFileIsAClearError) {
    try {
        loadDaemonConfig("/nonexistent/steward.yaml");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent/steward.yaml: cannot read"));
    }
}

// Join rounds (issue 19.5): on by default, 0 turns them off, no probe floods.
TEST(DaemonConfig, JoinIntervalIsOnByDefaultAndBounded) {
    EXPECT_EQ(DaemonConfig{}.discovery.joinInterval, std::chrono::milliseconds(1000));
    EXPECT_EQ(parseDaemonConfig("discovery: {join_interval_ms: 0}\n", "steward.yaml").discovery.joinInterval, std::chrono::milliseconds(0));
    EXPECT_EQ(parseDaemonConfig("discovery: {join_interval_ms: 250}\n", "steward.yaml").discovery.joinInterval,
              std::chrono::milliseconds(250));
    EXPECT_THAT(errorOf("discovery: {join_interval_ms: 50}\n"), HasSubstr("discovery.join_interval_ms: must be 0 (off) or at least 100"));
    EXPECT_THAT(errorOf("discovery: {join_interval_ms: 60001}\n"), HasSubstr("discovery.join_interval_ms: 60001 is out of range"));
}

// A burst of MQTT requests (the request window) and parallel ownership: defaults and bounds.
TEST(DaemonConfig, RequestWindowAndOwnershipWorkersHaveDefaultsAndBounds) {
    EXPECT_EQ(DaemonConfig{}.mqtt.maxPendingRequests, 1000);
    EXPECT_EQ(DaemonConfig{}.ownership.workers, 2);
    const auto c = parseDaemonConfig("mqtt: {max_pending_requests: 50}\nownership: {workers: 16}\n", "steward.yaml");
    EXPECT_EQ(c.mqtt.maxPendingRequests, 50);
    EXPECT_EQ(c.ownership.workers, 16);
    EXPECT_THAT(errorOf("mqtt: {max_pending_requests: 0}\n"),
                HasSubstr("steward.yaml:1:30: mqtt.max_pending_requests: 0 is out of range (1 to 100000)"));
    EXPECT_THAT(errorOf("mqtt: {max_pending_requests: lots}\n"), HasSubstr("mqtt.max_pending_requests: expected a whole number"));
    EXPECT_THAT(errorOf("ownership:\n  workers: 17\n"), HasSubstr("steward.yaml:2:12: ownership.workers: 17 is out of range (1 to 16)"));
    EXPECT_THAT(errorOf("ownership: {workers: 0}\n"), HasSubstr("ownership.workers: 0 is out of range"));
}

}  // namespace
}  // namespace steward::bridge
