#include "peer_address.hpp"

#include "errors.hpp"

namespace steward::tools {

core::PeerAddress parsePeerAddress(const std::string& text, const std::string& option) {
    auto parsed = core::parseHostPort(text);
    if (!parsed) throw UsageError(option + " needs HOST:PORT (e.g. 127.0.0.1:5683 or [::1]:5683), got '" + text + "'");
    return std::move(*parsed);
}

}  // namespace steward::tools
