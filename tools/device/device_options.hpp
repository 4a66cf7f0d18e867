#pragma once
// steward-device's command line.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pair_mode.hpp"
#include "steward/cbor/cbor_value.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::tools {

enum class OtmChoice { JustWorks, RandomPin };

// Client mode (--call): one request to another device over a pairwise DTLS session.
struct CallOptions {
    core::PeerAddress peer;          // the other device's DTLS address
    std::string path;                // "/a/light"
    std::vector<std::string> query;  // from "PATH?a=1&b=2"
    core::CoapMethod method = core::CoapMethod::Get;
    std::optional<core::CborValue> payload;   // POST: --payload's JSON object, as CBOR
    std::chrono::milliseconds timeout{5000};  // for the handshake, and again for the answer
    bool verbose = false;                     // also the DTLS library's warnings
    bool certificate = false;                 // a certificate session instead of the pairwise PSK
};

// --idprov: get a certificate from the gateway's IDProv server and (with --mqtt) publish with it.
struct IdprovDeviceOptions {
    std::string url;             // "" = DNS-SD
    std::string deviceId;        // "" = the device's UUID
    std::string secretFile;      // the out-of-band secret (first line)
    std::string storeDirectory;  // "" = <svrdb>.idprov
    std::string mqttBroker;      // "HOST:PORT" or ""
    std::string mqttTopic;       // "" = devices/<deviceID>/state
    int discoverTimeoutMs = 5000;
};

struct DeviceOptions {
    OtmChoice otm = OtmChoice::JustWorks;
    std::string svrdb;     // one device: its SVR DB file
    std::string svrdbDir;  // --count N: one file per device in this directory
    std::optional<std::string> uuidSeed;
    std::string name = "Steward sample light";
    std::string bindAddress = "127.0.0.1";
    std::uint16_t port = 0;        // plain CoAP; 0 = any
    std::uint16_t securePort = 0;  // DTLS; 0 = any
    int count = 1;
    std::vector<std::string> multicastInterfaces;
    int multicastJitterMs = 2000;
    int ownershipTimeoutS = 10;  // an ownership session idle this long is abandoned
    bool reset = false;          // reset the SVR DB(s) to the reset profile and exit
    std::optional<IdprovDeviceOptions> idprov;
    std::optional<CallOptions> call;  // --call: one request as a client instead of serving
    std::optional<PairOptions> pair;  // --pair-with: pair by PIN as a client instead of serving
    bool directPairing = false;       // --direct-pairing: host pconf and dpairing
    bool json = false;
    bool verbose = false;
};

// Throws UsageError. Returns nullopt when --help or --version was given (its text already printed).
std::optional<DeviceOptions> parseDeviceOptions(const std::vector<std::string>& words);
std::string deviceUsage();

}  // namespace steward::tools
