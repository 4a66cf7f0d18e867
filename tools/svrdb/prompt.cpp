#include "prompt.hpp"

#include <termios.h>
#include <unistd.h>

#include <charconv>

namespace steward::tools {
namespace {

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

// Turns terminal echo off for its lifetime.
class NoEcho {
public:
    NoEcho() {
        if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
        termios quiet = saved_;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    ~NoEcho() {
        if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    }
    NoEcho(const NoEcho&) = delete;
    NoEcho& operator=(const NoEcho&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

constexpr const char* kMaskedEcho = "********";

}  // namespace

std::string Prompter::read(std::string_view prompt) {
    out_ << prompt << std::flush;
    std::string answer;
    if (!std::getline(in_, answer)) {
        out_ << '\n';
        throw InputClosed();
    }
    return trimmed(answer);
}

std::string Prompter::line(std::string_view prompt) {
    std::string answer = read(prompt);
    // A terminal echoes what was typed; from a pipe, echo it so a transcript reads like a session.
    if (!terminal_) out_ << answer << '\n';
    return answer;
}

std::string Prompter::secretLine(std::string_view prompt) {
    std::string answer;
    if (terminal_) {
        NoEcho quiet;
        answer = read(prompt);
    } else {
        answer = read(prompt);
    }
    out_ << (answer.empty() || terminal_ ? "" : kMaskedEcho) << '\n';
    return answer;
}

int Prompter::number(std::string_view prompt, int min, int max) {
    return until(prompt, [&](const std::string& answer) {
        int value = 0;
        const auto [end, ec] = std::from_chars(answer.data(), answer.data() + answer.size(), value);
        if (answer.empty() || ec != std::errc() || end != answer.data() + answer.size() || value < min || value > max) {
            throw InputError("enter a number from " + std::to_string(min) + " to " + std::to_string(max));
        }
        return value;
    });
}

bool Prompter::yesNo(std::string_view prompt) {
    return until(prompt, [](const std::string& answer) {
        if (answer == "y" || answer == "Y" || answer == "yes") return true;
        if (answer == "n" || answer == "N" || answer == "no") return false;
        throw InputError("enter y or n");
    });
}

void Prompter::invalid(std::string_view why) { out_ << "     Invalid entry: " << why << ". Try again.\n"; }

}  // namespace steward::tools
