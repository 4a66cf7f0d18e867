#include "device_options.hpp"

#include <charconv>
#include <iostream>

#include "args.hpp"
#include "errors.hpp"
#include "peer_address.hpp"
#include "steward/model/payload_json.hpp"
#include "steward/model/pconf.hpp"

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

std::vector<std::string> splitList(const std::string& text, char separator = ',') {
    std::vector<std::string> out;
    std::string::size_type start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(separator, start);
        const auto item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

// Options that only make sense for a device that serves; refused with --call.
const std::vector<std::string> kServingOptions = {
    "--otm",          "--svrdb-dir",           "--uuid-seed",         "--name",  "--bind",  "--port",          "--secure-port",
    "--multicast-if", "--multicast-jitter-ms", "--ownership-timeout", "--count", "--reset", "--direct-pairing"};
const std::vector<std::string> kCallOptions = {"--method", "--payload", "--timeout", "--cert"};

CallOptions parseCall(const Args& args) {
    for (const auto& o : kServingOptions) {
        if (args.has(o)) throw UsageError(o + " does not apply to --call");
    }
    if (!args.has("--svrdb")) throw UsageError("--call needs --svrdb FILE (the calling device's credentials)");
    args.requirePositionals(1, 1, "a PATH after --call HOST:PORT (e.g. /a/light)");
    CallOptions c;
    c.peer = parsePeerAddress(*args.value("--call"), "--call");
    const std::string& target = args.positionals().front();
    const auto mark = target.find('?');
    c.path = core::normalisePath(target.substr(0, mark));
    if (mark != std::string::npos) {
        for (auto& q : splitList(target.substr(mark + 1), '&')) c.query.push_back(q);
    }
    const auto method = args.value("--method").value_or("get");
    if (method == "get") {
        c.method = core::CoapMethod::Get;
    } else if (method == "post") {
        c.method = core::CoapMethod::Post;
    } else {
        throw UsageError("--method must be get or post, got '" + method + "'");
    }
    if (auto p = args.value("--payload")) {
        if (c.method != core::CoapMethod::Post) throw UsageError("--payload needs --method post");
        try {
            c.payload = core::jsonObjectToCbor(*p);
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("--payload: ") + e.what());
        }
    }
    if (auto t = args.value("--timeout")) c.timeout = std::chrono::milliseconds(parseNumber("--timeout", *t, 1, 600000));
    c.verbose = args.has("--verbose");
    c.certificate = args.has("--cert");
    return c;
}

PairOptions parsePair(const Args& args) {
    const bool discover = *args.value("--pair-with") == "discover";
    for (const auto& o : kServingOptions) {
        if (o == "--multicast-if" && discover) continue;
        if (args.has(o)) throw UsageError(o + " does not apply to --pair-with" + (o == "--multicast-if" ? " HOST:PORT" : ""));
    }
    for (const char* o : {"--call", "--method", "--payload", "--cert"}) {
        if (args.has(o)) throw UsageError(std::string(o) + " does not apply to --pair-with");
    }
    if (!args.has("--svrdb")) throw UsageError("--pair-with needs --svrdb FILE (where the pairing key is stored)");
    args.requirePositionals(0, 0, "no positional arguments with --pair-with");
    PairOptions p;
    if (discover) {
        for (const auto& v : args.values("--multicast-if")) {
            for (auto& i : splitList(v)) p.multicastInterfaces.push_back(i);
        }
        if (p.multicastInterfaces.empty())
            throw UsageError("--pair-with discover needs --multicast-if IF (multicast goes only where you say)");
    } else {
        p.server = parsePeerAddress(*args.value("--pair-with"), "--pair-with");
    }
    if (auto d = args.value("--pair-device")) {
        p.serverId = core::Uuid::parse(*d);
        if (!p.serverId) throw UsageError("--pair-device takes a device UUID, got '" + *d + "'");
    }
    if (auto m = args.value("--pair-method")) {
        if (*m == "preconfigured") {
            p.method = core::pairing_method::kPreconfiguredPin;
        } else if (*m == "random") {
            p.method = core::pairing_method::kRandomPin;
        } else {
            throw UsageError("--pair-method must be preconfigured or random, got '" + *m + "'");
        }
    }
    if (auto pin = args.value("--pin")) {
        if (pin->size() != 8 || pin->find_first_not_of("0123456789") != std::string::npos) throw UsageError("--pin takes 8 digits");
        p.pin = *pin;
    }
    if (auto t = args.value("--timeout")) p.timeout = std::chrono::milliseconds(parseNumber("--timeout", *t, 1, 600000));
    p.verbose = args.has("--verbose");
    return p;
}

}  // namespace

std::string deviceUsage() {
    return R"(usage: steward-device [options]
       steward-device --svrdb FILE --call HOST:PORT PATH [--method get|post] [--payload JSON]
                      [--timeout MS] [--json] [--verbose]

A secure OCF device (the IoTivity sample servers' equivalent): hosts /oic/res, /oic/d, /oic/p,
the security resources from its SVR DB, and a sample light (/a/light: on/off and brightness).
A new device starts unowned (RFOTM) and waits for a gateway to take ownership.

options:
  --otm justworks|randompin   ownership transfer method offered on first run (default justworks);
                              randompin prints a fresh 8-digit PIN on each ownership attempt,
                              and a new one after 5 wrong PINs against it
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
  --direct-pairing            direct-pairing capable: host /oic/sec/pconf and /oic/sec/dpairing;
                              the owner enables pairing (steward direct-pairing), then clients
                              pair by PIN without the gateway (a random PIN is printed like the
                              ownership PIN)

IDProv (a certificate from the gateway CA against an out-of-band secret, then MQTT over mutual TLS):
  --idprov discover|URL       find the IDProv server by DNS-SD (_idprov._tcp) or use this directory
                              URL (https://HOST:43776/idprov/directory); enrol, renew halfway
  --idprov-id ID              the deviceID the gateway knows the secret under (default: the UUID)
  --idprov-secret-file F      the out-of-band secret (its first line), e.g. the label's serial
  --idprov-dir DIR            key, certificate and CA (0600; default: the SVR DB's name + .idprov)
  --idprov-discover-ms MS     how long one DNS-SD search lasts (default 5000)
  --mqtt HOST:PORT            once enrolled, publish the device's state (retained) to this broker
                              with the certificate; the broker is verified against the gateway CA
  --mqtt-topic T              where (default devices/<deviceID>/state)
  --json                      one JSON object per line instead of text lines
  --verbose                   also log every refused request and DTLS session
  --help                      this text
  --version                   print the version and exit

Lines printed: "ready" once listening (address and ports), the PIN when one is shown, and one line
per state change. SIGINT/SIGTERM stop cleanly. Exit status: 0 ok, 1 error, 2 usage.

client mode: the device FILE describes calls another device once, over DTLS with the pairwise
key (credtype 1) whose subject is the UUID the other device sends as its PSK identity hint.
FILE is only read, so this works while that device is running.
  --call HOST:PORT PATH       send one request to PATH (e.g. /a/light) at the other device's
                              DTLS address and print the answer's code and payload as JSON
  --method get|post           the request's method (default get)
  --payload JSON              the POST body: a JSON object, sent as CBOR
                              (e.g. '{"value":true,"brightness":40}' for /a/light)
  --timeout MS                how long to wait for the handshake, and again for the answer
                              (default 5000)
  --cert                      a certificate session instead: FILE's device certificate and key
                              (credusage cert) and its trust anchors (credusage trustca)
  --json                      one JSON object {"code":"2.05","payload":{...}} on stdout
  --verbose                   also show the DTLS library's warnings (e.g. the alert a refused
                              handshake got)
Exit status: 0 a 2.xx answer; 3 a 4.xx answer (4.01/4.03: refused); 1 no credential for the
peer, a failed handshake, no answer in time, or a 5.xx answer; 2 usage.

direct pairing, client side: the device FILE describes pairs with a direct-pairing server by PIN
(no gateway needed), stores the pairing key in FILE (which must not be in use by a running
steward-device), and can then --call the server's resources its pairing template grants.
  steward-device --svrdb FILE --pair-with HOST:PORT|discover [--multicast-if IF] [--pin P]
                 [--pair-method preconfigured|random] [--pair-device UUID]
  --pair-with HOST:PORT       the server's plain CoAP address (its "ready" line's port)
  --pair-with discover        find it instead by multicast GET /oic/sec/pconf on the interfaces
                              of --multicast-if IF[,IF] (devices with pairing enabled answer)
  --pair-device UUID          pair only with this device (needed when several answer)
  --pin P                     the 8-digit PIN; without it, it is asked for on stdin (for the random
                              method: the PIN the server shows once asked)
  --pair-method M             preconfigured or random (default: preconfigured when --pin is given
                              and offered, else random when offered)
  --timeout MS                per request and for the PIN handshake (default 5000)
Exit status: 0 paired; 3 refused (pairing disabled, method not offered, paired already, wrong PIN);
1 anything else; 2 usage.
)";
}

std::optional<DeviceOptions> parseDeviceOptions(const std::vector<std::string>& words) {
    const Args args(words,
                    {{"--otm", true},
                     {"--svrdb", true},
                     {"--svrdb-dir", true},
                     {"--uuid-seed", true},
                     {"--name", true},
                     {"--bind", true},
                     {"--port", true},
                     {"--secure-port", true},
                     {"--multicast-if", true, true},
                     {"--multicast-jitter-ms", true},
                     {"--ownership-timeout", true},
                     {"--count", true},
                     {"--reset"},
                     {"--verbose"},
                     {"--call", true},
                     {"--method", true},
                     {"--payload", true},
                     {"--timeout", true},
                     {"--cert"},
                     {"--idprov", true},
                     {"--idprov-id", true},
                     {"--idprov-secret-file", true},
                     {"--idprov-dir", true},
                     {"--idprov-discover-ms", true},
                     {"--mqtt", true},
                     {"--mqtt-topic", true},
                     {"--direct-pairing"},
                     {"--pair-with", true},
                     {"--pin", true},
                     {"--pair-method", true},
                     {"--pair-device", true},
                     {"--version"}},
                    "steward-device");
    if (args.help()) {
        std::cout << deviceUsage();
        return std::nullopt;
    }
    if (args.has("--version")) {
        std::cout << versionLine("steward-device");
        return std::nullopt;
    }
    DeviceOptions o;
    if (args.has("--pair-with")) {
        o.pair = parsePair(args);
        o.svrdb = *args.value("--svrdb");
        o.json = args.json();
        return o;
    }
    for (const char* p : {"--pin", "--pair-method", "--pair-device"}) {
        if (args.has(p)) throw UsageError(std::string(p) + " needs --pair-with");
    }
    if (args.has("--call")) {
        o.call = parseCall(args);  // checks that --svrdb is given
        o.svrdb = *args.value("--svrdb");
        o.json = args.json();
        return o;
    }
    for (const auto& c : kCallOptions) {
        if (args.has(c)) throw UsageError(c + " needs --call");
    }
    args.requirePositionals(0, 0, "no positional arguments");
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
    if (auto j = args.value("--multicast-jitter-ms"))
        o.multicastJitterMs = static_cast<int>(parseNumber("--multicast-jitter-ms", *j, 0, 10000));
    if (auto t = args.value("--ownership-timeout")) o.ownershipTimeoutS = static_cast<int>(parseNumber("--ownership-timeout", *t, 1, 3600));
    if (auto c = args.value("--count")) o.count = static_cast<int>(parseNumber("--count", *c, 1, 1000));
    if (o.count > 1) {
        if (o.svrdbDir.empty()) throw UsageError("--count needs --svrdb-dir");
        if (o.port != 0 || o.securePort != 0) throw UsageError("--count picks free ports itself; drop --port/--secure-port");
    }
    if (auto source = args.value("--idprov")) {
        IdprovDeviceOptions i;
        if (*source != "discover") {
            if (source->rfind("https://", 0) != 0) throw UsageError("--idprov takes 'discover' or an https:// directory URL");
            i.url = *source;
        }
        i.deviceId = args.value("--idprov-id").value_or("");
        i.secretFile = args.value("--idprov-secret-file").value_or("");
        i.storeDirectory = args.value("--idprov-dir").value_or("");
        i.mqttBroker = args.value("--mqtt").value_or("");
        i.mqttTopic = args.value("--mqtt-topic").value_or("");
        if (auto t = args.value("--idprov-discover-ms"))
            i.discoverTimeoutMs = static_cast<int>(parseNumber("--idprov-discover-ms", *t, 100, 600000));
        if (o.count > 1) throw UsageError("--idprov runs with one device (no --count)");
        o.idprov = i;
    } else {
        for (const char* opt : {"--idprov-id", "--idprov-secret-file", "--idprov-dir", "--idprov-discover-ms", "--mqtt", "--mqtt-topic"}) {
            if (args.has(opt)) throw UsageError(std::string(opt) + " needs --idprov");
        }
    }
    o.reset = args.has("--reset");
    o.directPairing = args.has("--direct-pairing");
    o.json = args.json();
    o.verbose = args.has("--verbose");
    return o;
}

}  // namespace steward::tools
