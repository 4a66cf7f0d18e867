#pragma once
// stewardd's configuration (steward.yaml): where its state lives, the broker, discovery, the
// ownership mode, logging. Every field is documented in config/steward.yaml. Loading is strict: an
// unknown key, a wrong type or a value out of range is a ConfigError naming the file, the line,
// the column and the key, so that a typo never silently changes what the gateway does.
#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "steward/plugin/enrollment_provider.hpp"

namespace steward::bridge {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class OwnershipMode { Manual, PermitJoin, Automatic };
std::string_view toString(OwnershipMode mode);

struct MqttConfig {
    std::string host = "127.0.0.1";
    int port = 1883;
    int keepAlive = 30;  // seconds without a packet from the broker before it is taken as hung (2..65535)
    std::string baseTopic = "steward";
    std::string clientId = "stewardd";
    std::string username;
    std::string password;
    std::string caFile;    // TLS when set
    std::string certFile;  // client certificate (with keyFile)
    std::string keyFile;
    bool homeAssistant = false;  // Home Assistant MQTT discovery messages
    std::string homeAssistantPrefix = "homeassistant";
    // The device list (<base>/bridge/devices) is published at most once per interval (0..60000).
    std::chrono::milliseconds deviceListInterval{1000};
    // Requests received but not yet handled (1..100000); one more is answered "busy" at once.
    int maxPendingRequests = 1000;
};

struct DiscoveryConfig {
    std::vector<std::string> interfaces;  // multicast only on these; empty: no multicast
    std::vector<std::string> unicast;     // "HOST:PORT" probed directly
    std::chrono::seconds interval{30};
    std::chrono::milliseconds timeout{2000};
    // While ownership is allowed (a permit-join window open, automatic mode), unowned devices are
    // also looked for between the rounds, probed again this often, so that a new device is seen
    // within about this; 0: off (only the rounds every interval).
    std::chrono::milliseconds joinInterval{1000};
};

struct OwnershipConfig {
    OwnershipMode mode = OwnershipMode::Manual;
    std::chrono::seconds permitJoinDefault{120};  // a window never exceeds permitJoinMax
    std::chrono::seconds permitJoinMax{3600};
    bool allowJustWorks = false;  // Just-Works is never automatic unless this says so
    int justWorksPerWindow = 1;   // at most this many Just-Works devices per window / per automatic round
    bool approval = false;        // discovered devices wait for approve/deny
    std::chrono::seconds pinTimeout{120};
    // A wrong PIN starts the transfer again (the device shows a new PIN) up to this many attempts
    // in all, while ownership is still wanted. Three: steward-device and iotivity-lite devices
    // start backing off after three wrong PINs from one address.
    int pinAttempts = 3;
    int maxPairingRequests = 8;  // pairing requests open at once; more transfers fail at the PIN step
    // Automatic and permit-join modes retry a failed ownership after this, doubling up to 30 min,
    // at most retryAttempts times in all (0: never).
    std::chrono::seconds retryAfter{30};
    int retryAttempts = 8;
    int workers = 2;  // how many devices stewardd owns at once (1..16)
};

// The owned devices' reachability and functions (device_functions/): polled over the owner
// session at this interval (0: never; then state only follows commands).
struct DeviceStateConfig {
    std::chrono::seconds pollInterval{30};
    std::chrono::milliseconds timeout{3000};  // one poll or command waits this long per step
};

// The IDProv server (plugin "idprov"): off unless enabled. settings.stateDirectory is filled in
// by stewardd (<state_dir>/idprov).
struct IdprovConfig {
    bool enabled = false;
    core::EnrollmentSettings settings;
};

struct DaemonConfig {
    std::filesystem::path file;  // where it was read from ("" for defaults)
    std::filesystem::path stateDir = "/var/lib/steward";
    std::filesystem::path pluginDir = "/usr/lib/steward/plugins";
    std::filesystem::path policyDir = "/etc/steward/policies.d";
    MqttConfig mqtt;
    DiscoveryConfig discovery;
    OwnershipConfig ownership;
    DeviceStateConfig devices;
    IdprovConfig idprov;
    std::string logLevel = "information";  // Poco level names: error, warning, notice, information, debug
    bool syslog = false;
};

// Throws ConfigError("<file>:<line>:<column>: <key>: <problem>").
DaemonConfig loadDaemonConfig(const std::filesystem::path& file);
DaemonConfig parseDaemonConfig(const std::string& yamlText, const std::filesystem::path& nameForErrors);

}  // namespace steward::bridge
