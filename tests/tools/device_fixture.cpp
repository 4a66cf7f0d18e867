#include "device_fixture.hpp"

#include "steward/onboarding/gateway_identity.hpp"
#include "steward/onboarding/ownership_transfer.hpp"

#include <Poco/JSON/Parser.h>

#include <stdexcept>

namespace steward::test {

Poco::JSON::Object::Ptr parseEventLine(const std::string& line) {
    if (line.empty() || line.front() != '{') return nullptr;
    try {
        return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        return nullptr;
    }
}

bool isEvent(const std::string& line, const std::string& kind) {
    const auto o = parseEventLine(line);
    return o && o->optValue<std::string>("event", "") == kind;
}

RunningDevices startDevices(const std::vector<std::string>& args, std::size_t expected) {
    std::vector<std::string> all{"--json", "--bind", "127.0.0.1"};
    all.insert(all.end(), args.begin(), args.end());
    RunningDevices running;
    running.process = std::make_unique<BackgroundProcess>(STEWARD_DEVICE_BIN, all);
    std::size_t from = 0;
    for (std::size_t i = 0; i < expected; ++i) {
        const auto ready =
            running.process->waitForLine([](const std::string& l) { return isEvent(l, "ready"); }, std::chrono::seconds(10), from);
        if (!ready) throw std::runtime_error("steward-device did not become ready:\n" + running.process->output());
        from = ready->first + 1;
        const auto o = parseEventLine(ready->second);
        DeviceAddress d;
        d.id = core::Uuid::parse(o->getValue<std::string>("uuid")).value();
        d.port = static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("port")));
        d.securePort = static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("secure_port")));
        running.devices.push_back(d);
    }
    return running;
}

std::optional<std::string> waitForPin(BackgroundProcess& process, std::size_t& from, std::chrono::milliseconds timeout) {
    const auto line = process.waitForLine([](const std::string& l) { return isEvent(l, "pin"); }, timeout, from);
    if (!line) return std::nullopt;
    from = line->first + 1;
    return parseEventLine(line->second)->getValue<std::string>("pin");
}

std::optional<core::SecretBytes> shownPin(BackgroundProcess& process, std::size_t& from, std::chrono::milliseconds timeout) {
    auto pin = waitForPin(process, from, timeout);
    if (!pin) return std::nullopt;
    return core::SecretBytes::adoptText(std::move(*pin));
}

std::variant<core::CoapResponse, std::string> asOwner(const std::filesystem::path& stateDir, const DeviceAddress& device,
                                                      const core::CoapRequest& request) {
    auto gateway = core::GatewayIdentity::openOrCreate(stateDir / "gateway.svrdb");
    auto psk = gateway.ownerCredential(device.id);
    if (!psk) return "the gateway holds no owner credential for " + device.id.toString();
    core::EndpointOptions o;
    o.udpPort = std::nullopt;
    core::CoapEndpoint endpoint(o);
    auto session = endpoint.openSession(device.secure(), core::ownerSessionPsk(gateway.id(), std::move(*psk)), std::chrono::seconds(5));
    if (!session) return "owner session: " + session.error().message;
    auto answer = endpoint.request(session.value(), request, std::chrono::seconds(5));
    if (!answer) return "owner request: " + answer.error().message;
    return answer.value();
}

}  // namespace steward::test
