#include "client_address.hpp"

namespace steward::plugins::idprov {

std::string hostOf(const std::string& peerAddress) {
    std::string host = peerAddress.substr(0, peerAddress.rfind(':'));
    if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    const std::string mapped = "::ffff:";
    if (host.size() > mapped.size() && host.compare(0, mapped.size(), mapped) == 0 && host.find('.') != std::string::npos) {
        host = host.substr(mapped.size());
    }
    return host;
}

}  // namespace steward::plugins::idprov
