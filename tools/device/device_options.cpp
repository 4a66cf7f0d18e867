#include "device_options.hpp"

#include <charconv>
#include <iostream>

#include "args.hpp"
#include "errors.hpp"

namespace steward::tools {
namespace {

long long parseNumber(const std::string& option, const std::string& text, long long min, long long max) {
    long long v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
        throw UsageError(option + " needs a number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" + text + "'");
    }
    return v;
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::string::size_type start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const auto item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

}  // namespace

std::string deviceUsage() {
    return R"(usage: steward-device [options]

A secure OCF device (the IoTivity sample servers' equivalent): hosts /oic/res, /oic/d, /oic/p,
the security resources from its SVR DB, and a sample light (/a/light: on/off and brightness).
A new device starts unowned (RFOTM) and waits for a gateway to take ownership.

options:
  --otm justworks|randompin   ownership transfer method offered on first run (default justworks);
                              randompin prints a fresh 8-digit PIN on each ownership attempt
  --svrdb FILE                the SVR database (created 0600 on first run; default ./steward-device.dat)
  --uuid-seed S               derive the UUID from S (8-64 bytes) when the database is created
  --name NAME                 device name in /oic/d (default "Steward sample light")
  --bind ADDR                 numeric address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)
  --port P                    plain CoAP port (default: any free port)
  --secure-port P             DTLS port (default: any free port)
  --multicast-if IF[,IF]      join the OCF multicast group on these interfaces only (default: none)
  --multicast-jitter-ms MS    random delay of multicast answers, 0..MS (default 2000)
  --ownership-timeout S       give up an ownership session idle for S seconds and reset (default 10)
  --count N                   run N independent devices (distinct UUIDs, ports, databases);
                              needs --svrdb-dir; with --uuid-seed S, device i uses seed "S-i"
  --svrdb-dir DIR             where --count keeps its databases (device-1.dat ...)
  --reset                     restore the database's reset profile and exit (OCResetSVRDB)
  --json                      one JSON object per line instead of text lines
  --verbose                   also log every refused request and DTLS session
  --help                      this text

Lines printed: "ready" once listening (address and ports), the PIN when one is shown, and one line
per state change. SIGINT/SIGTERM stop cleanly. Exit status: 0 ok, 1 error, 2 usage.
)";
}

std::optional<DeviceOptions> parseDeviceOptions(const std::vector<std::string>& words) {
    const Args args(words,
                    {{"--otm", true}, {"--svrdb", true}, {"--svrdb-dir", true}, {"--uuid-seed", true}, {"--name", true},
                     {"--bind", true}, {"--port", true}, {"--secure-port", true}, {"--multicast-if", true, true},
                     {"--multicast-jitter-ms", true}, {"--ownership-timeout", true}, {"--count", true}, {"--reset"}, {"--verbose"}},
                    "steward-device");
    if (args.help()) {
        std::cout << deviceUsage();
        return std::nullopt;
    }
    args.requirePositionals(0, 0, "no positional arguments");
    DeviceOptions o;
    if (auto otm = args.value("--otm")) {
        if (*otm == "justworks") {
            o.otm = OtmChoice::JustWorks;
        } else if (*otm == "randompin") {
            o.otm = OtmChoice::RandomPin;
        } else {
            throw UsageError("--otm must be justworks or randompin, got '" + *otm + "'");
        }
    }
    o.svrdb = args.value("--svrdb").value_or("steward-device.dat");
    o.svrdbDir = args.value("--svrdb-dir").value_or("");
    o.uuidSeed = args.value("--uuid-seed");
    if (o.uuidSeed && (o.uuidSeed->size() < 8 || o.uuidSeed->size() > 64)) {
        throw UsageError("--uuid-seed must be 8 to 64 bytes long");
    }
    if (auto n = args.value("--name")) o.name = *n;
    if (auto b = args.value("--bind")) o.bindAddress = *b;
    if (auto p = args.value("--port")) o.port = static_cast<std::uint16_t>(parseNumber("--port", *p, 0, 65535));
    if (auto p = args.value("--secure-port")) o.securePort = static_cast<std::uint16_t>(parseNumber("--secure-port", *p, 0, 65535));
    for (const auto& v : args.values("--multicast-if")) {
        for (auto& i : splitList(v)) o.multicastInterfaces.push_back(i);
    }
    if (auto j = args.value("--multicast-jitter-ms")) o.multicastJitterMs = static_cast<int>(parseNumber("--multicast-jitter-ms", *j, 0, 10000));
    if (auto t = args.value("--ownership-timeout")) o.ownershipTimeoutS = static_cast<int>(parseNumber("--ownership-timeout", *t, 1, 3600));
    if (auto c = args.value("--count")) o.count = static_cast<int>(parseNumber("--count", *c, 1, 1000));
    if (o.count > 1) {
        if (o.svrdbDir.empty()) throw UsageError("--count needs --svrdb-dir");
        if (o.port != 0 || o.securePort != 0) throw UsageError("--count picks free ports itself; drop --port/--secure-port");
    }
    o.reset = args.has("--reset");
    o.json = args.json();
    o.verbose = args.has("--verbose");
    return o;
}

}  // namespace steward::tools
