#include "neighbour_table.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace steward::plugins::idprov {

std::optional<std::string> neighbourMac(const std::string& ipv4, const std::string& table) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header: IP address, HW type, Flags, HW address, Mask, Device
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string ip, type, flags, mac;
        if (!(fields >> ip >> type >> flags >> mac) || ip != ipv4) continue;
        if (flags == "0x0" || mac == "00:00:00:00:00:00") return std::nullopt;  // incomplete entry
        std::transform(mac.begin(), mac.end(), mac.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return mac;
    }
    return std::nullopt;
}

bool sameMac(const std::string& a, const std::string& b) {
    const auto normal = [](const std::string& s) {
        std::string out;
        for (const char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            if (std::isxdigit(c)) out += static_cast<char>(std::tolower(c));
        }
        return out;
    };
    return normal(a) == normal(b);
}

}  // namespace steward::plugins::idprov
