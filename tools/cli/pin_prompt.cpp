#include "pin_prompt.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <iostream>

namespace steward::tools {

std::optional<std::string> promptForPin(const core::Uuid& device, const std::string& name, std::chrono::seconds timeout) {
    std::cerr << "Enter the PIN shown on device " << device.toString() << (name.empty() ? "" : " (" + name + ")")
              << " [" << timeout.count() << " s]: " << std::flush;
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // Read byte by byte with poll: std::getline cannot give up at a deadline.
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            std::cerr << "\nno PIN entered in time\n";
            return std::nullopt;
        }
        pollfd fd{STDIN_FILENO, POLLIN, 0};
        const int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        char c = 0;
        const auto n = ::read(STDIN_FILENO, &c, 1);
        if (n <= 0) {
            std::cerr << "\nno PIN: end of input\n";
            return std::nullopt;
        }
        if (c == '\n') break;
        if (c != '\r') line.push_back(c);
    }
    line.erase(std::remove_if(line.begin(), line.end(), [](unsigned char ch) { return std::isspace(ch) != 0; }), line.end());
    return line;
}

}  // namespace steward::tools
