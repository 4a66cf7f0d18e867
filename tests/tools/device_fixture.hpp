#pragma once
// Starting real steward-device processes for a test and reading what they print (--json lines).
#include <Poco/JSON/Object.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "background_process.hpp"
#include "steward/crypto/secret_bytes.hpp"
#include "steward/model/uuid.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::test {

struct DeviceAddress {
    core::Uuid id;
    std::uint16_t port = 0;
    std::uint16_t securePort = 0;
    core::PeerAddress plain() const { return {"127.0.0.1", port}; }
    core::PeerAddress secure() const { return {"127.0.0.1", securePort}; }
};

struct RunningDevices {
    std::unique_ptr<BackgroundProcess> process;
    std::vector<DeviceAddress> devices;
    const DeviceAddress& operator[](std::size_t i) const { return devices.at(i); }
};

// steward-device --json --bind 127.0.0.1 <args>; waits for one "ready" line per expected device.
// Throws std::runtime_error with the program's output if they do not come.
RunningDevices startDevices(const std::vector<std::string>& args, std::size_t expected = 1);

// The JSON object of a --json line, or nullopt if the line is not one.
Poco::JSON::Object::Ptr parseEventLine(const std::string& line);
bool isEvent(const std::string& line, const std::string& kind);

// Waits for the next PIN printed at or after line `from`; returns it and moves `from` past it.
std::optional<std::string> waitForPin(BackgroundProcess& process, std::size_t& from,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(5));
// The same, as the secret an ownership request's PIN source returns.
std::optional<core::SecretBytes> shownPin(BackgroundProcess& process, std::size_t& from,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(5));

// `request` to `device` over the owner credential of the gateway whose state is in `stateDir` (as
// `steward --local` keeps it); the response, or an error message when no session or no answer.
std::variant<core::CoapResponse, std::string> asOwner(const std::filesystem::path& stateDir, const DeviceAddress& device,
                                                      const core::CoapRequest& request);

}  // namespace steward::test
