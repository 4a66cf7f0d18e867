#pragma once
// steward-device's command line.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace steward::tools {

enum class OtmChoice { JustWorks, RandomPin };

struct DeviceOptions {
    OtmChoice otm = OtmChoice::JustWorks;
    std::string svrdb;        // one device: its SVR DB file
    std::string svrdbDir;     // --count N: one file per device in this directory
    std::optional<std::string> uuidSeed;
    std::string name = "Steward sample light";
    std::string bindAddress = "127.0.0.1";
    std::uint16_t port = 0;         // plain CoAP; 0 = any
    std::uint16_t securePort = 0;   // DTLS; 0 = any
    int count = 1;
    std::vector<std::string> multicastInterfaces;
    int multicastJitterMs = 2000;
    int ownershipTimeoutS = 10;  // an ownership session idle this long is abandoned
    bool reset = false;       // reset the SVR DB(s) to the reset profile and exit
    bool json = false;
    bool verbose = false;
};

// Throws UsageError. Returns nullopt when --help was given (usage already printed).
std::optional<DeviceOptions> parseDeviceOptions(const std::vector<std::string>& words);
std::string deviceUsage();

}  // namespace steward::tools
