#include "pin_prompt.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <iostream>

namespace steward::tools {
namespace {

constexpr std::size_t kMaxLine = 128;

}  // namespace

void printPinPrompt(std::ostream& err, const std::string& device, const std::string& name, int attempt, int attempts,
                    std::chrono::seconds left) {
    err << "Enter the PIN shown on device " << device << (name.empty() ? "" : " (" + name + ")") << " [";
    if (attempt > 0 && attempts > 1) err << "attempt " << attempt << " of " << attempts << ", ";
    err << std::max<long long>(left.count(), 0) << " s]: " << std::flush;
}

PinLineReader::PinLineReader(int fd) : fd_(fd) { line_.reserve(kMaxLine); }

PinLineReader::~PinLineReader() { core::wipeString(line_); }

PinLineReader::State PinLineReader::readAvailable() {
    for (;;) {
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, 0);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return State::Reading;
        char c = 0;
        const auto n = ::read(fd_, &c, 1);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return State::EndOfInput;
        if (c == '\n') return State::Line;
        // Filled in place, never grown past its first buffer (a reallocation would leave a copy).
        if (std::isspace(static_cast<unsigned char>(c)) == 0 && line_.size() < kMaxLine) line_.push_back(c);
    }
}

core::SecretBytes PinLineReader::take() {
    auto pin = core::SecretBytes::adoptText(std::move(line_));
    line_ = std::string();
    line_.reserve(kMaxLine);
    return pin;
}

void PinLineReader::clear() {
    core::wipeString(line_);
    line_.clear();
}

std::optional<core::SecretBytes> promptForPin(const core::Uuid& device, const std::string& name, std::chrono::seconds timeout) {
    printPinPrompt(std::cerr, device.toString(), name, 0, 0, timeout);
    PinLineReader reader(STDIN_FILENO);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // poll with the deadline, then read what is there: std::getline cannot give up at a deadline.
    for (;;) {
        switch (reader.readAvailable()) {
            case PinLineReader::State::Line:
                // From a pipe nothing was echoed: end the prompt's line.
                if (::isatty(STDIN_FILENO) == 0) std::cerr << '\n';
                return reader.take();
            case PinLineReader::State::EndOfInput:
                reader.clear();
                std::cerr << "\nno PIN: end of input\n";
                return std::nullopt;
            case PinLineReader::State::Reading:
                break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            reader.clear();
            std::cerr << "\nno PIN entered in time\n";
            return std::nullopt;
        }
        pollfd fd{STDIN_FILENO, POLLIN, 0};
        const int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR) {
            reader.clear();
            std::cerr << "\nno PIN: cannot read standard input\n";
            return std::nullopt;
        }
    }
}

}  // namespace steward::tools
