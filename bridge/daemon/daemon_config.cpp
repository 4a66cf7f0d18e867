#include "daemon_config.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace steward::bridge {
namespace {

constexpr std::size_t kMaxConfigBytes = 1 << 20;

class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& problem) const {
        const auto mark = node.Mark();
        std::ostringstream s;
        s << file_;
        if (!mark.is_null()) s << ":" << mark.line + 1 << ":" << mark.column + 1;
        s << ": " << key << ": " << problem;
        throw ConfigError(s.str());
    }

    // Calls handlers[key] for every key of `map`; an unknown key is an error.
    void forEach(const YAML::Node& map, const std::string& path,
                 const std::map<std::string, std::function<void(const YAML::Node&, const std::string&)>>& handlers) const {
        if (!map || map.IsNull()) return;
        if (!map.IsMap()) fail(map, path.empty() ? "(top level)" : path, "expected a mapping");
        for (const auto& entry : map) {
            const auto key = entry.first.as<std::string>();
            const auto full = path.empty() ? key : path + "." + key;
            const auto it = handlers.find(key);
            if (it == handlers.end()) {
                std::string known;
                for (const auto& [k, h] : handlers) known += (known.empty() ? "" : ", ") + k;
                fail(entry.first, full, "unknown key (known here: " + known + ")");
            }
            it->second(entry.second, full);
        }
    }

    std::string text(const YAML::Node& n, const std::string& key) const {
        if (!n.IsScalar()) fail(n, key, "expected a string");
        return n.Scalar();
    }
    bool boolean(const YAML::Node& n, const std::string& key) const {
        bool v = false;
        if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) fail(n, key, "expected true or false");
        return v;
    }
    long long integer(const YAML::Node& n, const std::string& key, long long min, long long max) const {
        long long v = 0;
        if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v)) fail(n, key, "expected a whole number");
        if (v < min || v > max)
            fail(n, key, std::to_string(v) + " is out of range (" + std::to_string(min) + " to " + std::to_string(max) + ")");
        return v;
    }
    std::vector<std::string> list(const YAML::Node& n, const std::string& key) const {
        if (!n.IsSequence()) fail(n, key, "expected a list");
        std::vector<std::string> out;
        for (std::size_t i = 0; i < n.size(); ++i) out.push_back(text(n[i], key + "[" + std::to_string(i) + "]"));
        return out;
    }

private:
    std::string file_;
};

}  // namespace

std::string_view toString(OwnershipMode mode) {
    switch (mode) {
        case OwnershipMode::Manual:
            return "manual";
        case OwnershipMode::PermitJoin:
            return "permit_join";
        case OwnershipMode::Automatic:
            return "automatic";
    }
    return "?";
}

DaemonConfig parseDaemonConfig(const std::string& yamlText, const std::filesystem::path& nameForErrors) {
    const Reader r(nameForErrors.string());
    YAML::Node root;
    try {
        root = YAML::Load(yamlText);
    } catch (const YAML::ParserException& e) {
        throw ConfigError(nameForErrors.string() + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                          ": YAML syntax: " + e.msg);
    }
    DaemonConfig c;
    c.file = nameForErrors;
    const auto seconds = [&](const YAML::Node& n, const std::string& k, long long min, long long max) {
        return std::chrono::seconds(r.integer(n, k, min, max));
    };
    r.forEach(
        root, "",
        {
            {"state_dir", [&](const YAML::Node& n, const std::string& k) { c.stateDir = r.text(n, k); }},
            {"plugin_dir", [&](const YAML::Node& n, const std::string& k) { c.pluginDir = r.text(n, k); }},
            {"policy_dir", [&](const YAML::Node& n, const std::string& k) { c.policyDir = r.text(n, k); }},
            {"mqtt",
             [&](const YAML::Node& m, const std::string& path) {
                 r.forEach(
                     m, path,
                     {
                         {"host", [&](const YAML::Node& n, const std::string& k) { c.mqtt.host = r.text(n, k); }},
                         {"port",
                          [&](const YAML::Node& n, const std::string& k) { c.mqtt.port = static_cast<int>(r.integer(n, k, 1, 65535)); }},
                         {"keepalive", [&](const YAML::Node& n,
                                           const std::string& k) { c.mqtt.keepAlive = static_cast<int>(r.integer(n, k, 2, 65535)); }},
                         {"base_topic",
                          [&](const YAML::Node& n, const std::string& k) {
                              c.mqtt.baseTopic = r.text(n, k);
                              if (c.mqtt.baseTopic.empty() || c.mqtt.baseTopic.find_first_of("+#") != std::string::npos ||
                                  c.mqtt.baseTopic.front() == '/' || c.mqtt.baseTopic.back() == '/') {
                                  r.fail(n, k, "a topic prefix without wildcards or leading/trailing '/'");
                              }
                          }},
                         {"client_id", [&](const YAML::Node& n, const std::string& k) { c.mqtt.clientId = r.text(n, k); }},
                         {"username", [&](const YAML::Node& n, const std::string& k) { c.mqtt.username = r.text(n, k); }},
                         {"password", [&](const YAML::Node& n, const std::string& k) { c.mqtt.password = r.text(n, k); }},
                         {"ca_file", [&](const YAML::Node& n, const std::string& k) { c.mqtt.caFile = r.text(n, k); }},
                         {"cert_file", [&](const YAML::Node& n, const std::string& k) { c.mqtt.certFile = r.text(n, k); }},
                         {"key_file", [&](const YAML::Node& n, const std::string& k) { c.mqtt.keyFile = r.text(n, k); }},
                         {"homeassistant", [&](const YAML::Node& n, const std::string& k) { c.mqtt.homeAssistant = r.boolean(n, k); }},
                         {"homeassistant_prefix",
                          [&](const YAML::Node& n, const std::string& k) { c.mqtt.homeAssistantPrefix = r.text(n, k); }},
                         {"device_list_interval_ms",
                          [&](const YAML::Node& n, const std::string& k) {
                              c.mqtt.deviceListInterval = std::chrono::milliseconds(r.integer(n, k, 0, 60000));
                          }},
                         {"max_pending_requests",
                          [&](const YAML::Node& n, const std::string& k) {
                              c.mqtt.maxPendingRequests = static_cast<int>(r.integer(n, k, 1, 100000));
                          }},
                     });
                 if (c.mqtt.certFile.empty() != c.mqtt.keyFile.empty()) r.fail(m, path, "cert_file and key_file go together");
             }},
            {"discovery",
             [&](const YAML::Node& m, const std::string& path) {
                 r.forEach(
                     m, path,
                     {
                         {"interfaces", [&](const YAML::Node& n, const std::string& k) { c.discovery.interfaces = r.list(n, k); }},
                         {"unicast", [&](const YAML::Node& n, const std::string& k) { c.discovery.unicast = r.list(n, k); }},
                         {"interval", [&](const YAML::Node& n, const std::string& k) { c.discovery.interval = seconds(n, k, 1, 86400); }},
                         {"timeout_ms",
                          [&](const YAML::Node& n, const std::string& k) {
                              c.discovery.timeout = std::chrono::milliseconds(r.integer(n, k, 100, 60000));
                          }},
                         {"join_interval_ms",
                          [&](const YAML::Node& n, const std::string& k) {
                              const auto ms = r.integer(n, k, 0, 60000);
                              if (ms != 0 && ms < 100) r.fail(n, k, "must be 0 (off) or at least 100");
                              c.discovery.joinInterval = std::chrono::milliseconds(ms);
                          }},
                     });
             }},
            {"devices",
             [&](const YAML::Node& m, const std::string& path) {
                 r.forEach(m, path,
                           {
                               {"poll_interval",
                                [&](const YAML::Node& n, const std::string& k) { c.devices.pollInterval = seconds(n, k, 0, 86400); }},
                               {"timeout_ms",
                                [&](const YAML::Node& n, const std::string& k) {
                                    c.devices.timeout = std::chrono::milliseconds(r.integer(n, k, 100, 60000));
                                }},
                           });
             }},
            {"ownership",
             [&](const YAML::Node& m, const std::string& path) {
                 r.forEach(m, path,
                           {
                               {"mode",
                                [&](const YAML::Node& n, const std::string& k) {
                                    const auto v = r.text(n, k);
                                    if (v == "manual") {
                                        c.ownership.mode = OwnershipMode::Manual;
                                    } else if (v == "permit_join") {
                                        c.ownership.mode = OwnershipMode::PermitJoin;
                                    } else if (v == "automatic") {
                                        c.ownership.mode = OwnershipMode::Automatic;
                                    } else {
                                        r.fail(n, k, "\"" + v + "\" is not a mode (manual, permit_join, automatic)");
                                    }
                                }},
                               {"permit_join_seconds",
                                [&](const YAML::Node& n, const std::string& k) { c.ownership.permitJoinDefault = seconds(n, k, 1, 3600); }},
                               {"permit_join_max_seconds",
                                [&](const YAML::Node& n, const std::string& k) { c.ownership.permitJoinMax = seconds(n, k, 1, 86400); }},
                               {"allow_justworks",
                                [&](const YAML::Node& n, const std::string& k) { c.ownership.allowJustWorks = r.boolean(n, k); }},
                               {"justworks_per_window",
                                [&](const YAML::Node& n, const std::string& k) {
                                    c.ownership.justWorksPerWindow = static_cast<int>(r.integer(n, k, 1, 10000));
                                }},
                               {"approval", [&](const YAML::Node& n, const std::string& k) { c.ownership.approval = r.boolean(n, k); }},
                               {"pin_timeout",
                                [&](const YAML::Node& n, const std::string& k) { c.ownership.pinTimeout = seconds(n, k, 5, 3600); }},
                               {"pin_attempts",
                                [&](const YAML::Node& n, const std::string& k) {
                                    c.ownership.pinAttempts = static_cast<int>(r.integer(n, k, 1, 10));
                                }},
                               {"max_pairing_requests",
                                [&](const YAML::Node& n, const std::string& k) {
                                    c.ownership.maxPairingRequests = static_cast<int>(r.integer(n, k, 1, 64));
                                }},
                               {"retry_after",
                                [&](const YAML::Node& n, const std::string& k) { c.ownership.retryAfter = seconds(n, k, 1, 86400); }},
                               {"retry_attempts",
                                [&](const YAML::Node& n, const std::string& k) {
                                    c.ownership.retryAttempts = static_cast<int>(r.integer(n, k, 0, 1000));
                                }},
                               {"workers", [&](const YAML::Node& n,
                                               const std::string& k) { c.ownership.workers = static_cast<int>(r.integer(n, k, 1, 16)); }},
                           });
                 if (c.ownership.permitJoinDefault > c.ownership.permitJoinMax) {
                     r.fail(m, path, "permit_join_seconds exceeds permit_join_max_seconds");
                 }
             }},
            {"idprov",
             [&](const YAML::Node& m, const std::string& path) {
                 auto& s = c.idprov.settings;
                 r.forEach(
                     m, path,
                     {
                         {"enabled", [&](const YAML::Node& n, const std::string& k) { c.idprov.enabled = r.boolean(n, k); }},
                         {"listen", [&](const YAML::Node& n, const std::string& k) { s.listenAddress = r.text(n, k); }},
                         {"port", [&](const YAML::Node& n,
                                      const std::string& k) { s.port = static_cast<std::uint16_t>(r.integer(n, k, 0, 65535)); }},
                         {"dnssd", [&](const YAML::Node& n, const std::string& k) { s.publishDnssd = r.boolean(n, k); }},
                         {"instance_name",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.dnssdInstanceName = r.text(n, k);
                              if (s.dnssdInstanceName.empty() || s.dnssdInstanceName.size() > 63) r.fail(n, k, "1 to 63 characters");
                          }},
                         {"server_names", [&](const YAML::Node& n, const std::string& k) { s.serverNames = r.list(n, k); }},
                         {"oob_validity_hours",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.oobValidity = std::chrono::hours(r.integer(n, k, 1, 24 * 366));
                          }},
                         {"certificate_validity_days",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.certificateValidity = std::chrono::hours(24 * r.integer(n, k, 1, 3650));
                          }},
                         {"waiting_retry", [&](const YAML::Node& n, const std::string& k) { s.waitingRetry = seconds(n, k, 1, 86400); }},
                         {"hash_algorithms",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.hashAlgorithms = r.list(n, k);
                              if (s.hashAlgorithms.empty()) r.fail(n, k, "at least one of Argon2id, PBKDF2");
                              for (const auto& a : s.hashAlgorithms) {
                                  if (a != "Argon2id" && a != "PBKDF2") r.fail(n, k, "\"" + a + "\" is not supported (Argon2id, PBKDF2)");
                              }
                          }},
                         {"max_body_bytes",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.maxBodyBytes = static_cast<std::size_t>(r.integer(n, k, 1024, 65536));
                          }},
                         {"requests_per_minute",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.requestsPerMinute = static_cast<double>(r.integer(n, k, 0, 100000));
                          }},
                         // Denial-of-service limits (docs/idprov-dos.md).
                         {"request_deadline_ms",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.requestDeadline = std::chrono::milliseconds(r.integer(n, k, 500, 60000));
                          }},
                         {"handler_threads",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.handlerThreads = static_cast<unsigned>(r.integer(n, k, 1, 1024));
                          }},
                         {"max_connections_per_address",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.maxConnectionsPerAddress = static_cast<unsigned>(r.integer(n, k, 1, 1024));
                          }},
                         {"max_connections",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.maxConnections = static_cast<unsigned>(r.integer(n, k, 1, 65536));
                          }},
                         {"concurrent_hashes",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.concurrentHashes = static_cast<unsigned>(r.integer(n, k, 1, 64));
                          }},
                         {"hashes_per_minute",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.hashesPerMinute = static_cast<double>(r.integer(n, k, 1, 10000));
                          }},
                         {"pbkdf2_iterations",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.pbkdf2Iterations = static_cast<std::uint32_t>(r.integer(n, k, 100000, 5000000));
                          }},
                         {"argon2_memory_kib",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.argon2MemoryKiB = static_cast<std::uint32_t>(r.integer(n, k, 8192, 65536));
                          }},
                         {"argon2_passes",
                          [&](const YAML::Node& n, const std::string& k) {
                              s.argon2Passes = static_cast<std::uint32_t>(r.integer(n, k, 1, 10));
                          }},
                         {"argon2_lanes", [&](const YAML::Node& n,
                                              const std::string& k) { s.argon2Lanes = static_cast<std::uint32_t>(r.integer(n, k, 1, 8)); }},
                     });
                 if (s.maxConnectionsPerAddress > s.maxConnections) r.fail(m, path, "max_connections_per_address exceeds max_connections");
             }},
            {"logging",
             [&](const YAML::Node& m, const std::string& path) {
                 r.forEach(m, path,
                           {
                               {"level",
                                [&](const YAML::Node& n, const std::string& k) {
                                    c.logLevel = r.text(n, k);
                                    static const std::vector<std::string> levels{"fatal",  "critical",    "error", "warning",
                                                                                 "notice", "information", "debug", "trace"};
                                    if (std::find(levels.begin(), levels.end(), c.logLevel) == levels.end()) {
                                        r.fail(n, k, "\"" + c.logLevel + "\" is not a level (error, warning, notice, information, debug)");
                                    }
                                }},
                               {"syslog", [&](const YAML::Node& n, const std::string& k) { c.syslog = r.boolean(n, k); }},
                           });
             }},
        });
    return c;
}

DaemonConfig loadDaemonConfig(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError(file.string() + ": cannot read the configuration file");
    std::string text;
    text.resize(kMaxConfigBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) throw ConfigError(file.string() + ": larger than 1 MiB; not a configuration file");
    return parseDaemonConfig(text, file);
}

}  // namespace steward::bridge
