#include "pin_prompt.hpp"

#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <iostream>

namespace steward::tools {

std::optional<core::SecretBytes> promptForPin(const core::Uuid& device, const std::string& name, std::chrono::seconds timeout) {
    std::cerr << "Enter the PIN shown on device " << device.toString() << (name.empty() ? "" : " (" + name + ")") << " [" << timeout.count()
              << " s]: " << std::flush;
    // Filled in place, never grown past its first buffer (a reallocation would leave a copy), and
    // wiped once the PIN is out.
    constexpr std::size_t kMaxLine = 128;
    std::string line;
    line.reserve(kMaxLine);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // Read byte by byte with poll: std::getline cannot give up at a deadline.
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            core::wipeString(line);
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
            core::wipeString(line);
            std::cerr << "\nno PIN: end of input\n";
            return std::nullopt;
        }
        if (c == '\n') break;
        if (std::isspace(static_cast<unsigned char>(c)) == 0 && line.size() < kMaxLine) line.push_back(c);
    }
    return core::SecretBytes::adoptText(std::move(line));
}

}  // namespace steward::tools
