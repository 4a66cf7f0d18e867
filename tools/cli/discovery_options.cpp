#include "discovery_options.hpp"

#include <charconv>

#include "errors.hpp"
#include "peer_address.hpp"

namespace steward::tools {

std::vector<OptionSpec> discoveryOptionSpecs() { return {{"--multicast-if", true, true}, {"--unicast", true, true}, {"--timeout", true}}; }

int parseBoundedInt(const std::string& text, const std::string& option, int min, int max) {
    int value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max) {
        throw UsageError(option + " needs a number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" + text + "'");
    }
    return value;
}

core::DiscoveryOptions discoveryOptionsFrom(const Args& args, std::ostream& err) {
    core::DiscoveryOptions options;
    options.multicastInterfaces = args.values("--multicast-if");
    for (const auto& u : args.values("--unicast")) options.unicastTargets.push_back(parsePeerAddress(u, "--unicast"));
    if (options.multicastInterfaces.empty() && options.unicastTargets.empty()) {
        throw UsageError("name at least one --multicast-if or --unicast (Steward never multicasts on every interface)");
    }
    if (auto t = args.value("--timeout")) options.timeout = std::chrono::milliseconds(parseBoundedInt(*t, "--timeout", 1, 600000));
    options.log = [&err](const std::string& line) { err << "discover: " << line << '\n'; };
    return options;
}

}  // namespace steward::tools
