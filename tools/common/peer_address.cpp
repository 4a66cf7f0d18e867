#include "peer_address.hpp"

#include <charconv>

#include "errors.hpp"

namespace steward::tools {

core::PeerAddress parsePeerAddress(const std::string& text, const std::string& option) {
    const auto fail = [&] { return UsageError(option + " needs HOST:PORT (e.g. 127.0.0.1:5683 or [::1]:5683), got '" + text + "'"); };
    std::string host;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') throw fail();
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon) throw fail();
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (host.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) throw fail();
    return {host, static_cast<std::uint16_t>(value)};
}

}  // namespace steward::tools
