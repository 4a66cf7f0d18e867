#pragma once
// Line-oriented questions for the interactive menu. Works the same on a terminal and on a pipe:
// prompts are flushed before reading, and end of input throws InputClosed so that the menu can
// exit cleanly wherever it is.

#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "errors.hpp"

namespace steward::tools {

class InputClosed : public std::runtime_error {
public:
    InputClosed() : std::runtime_error("end of input") {}
};

class Prompter {
public:
    // `terminal`: stdin is a terminal, so a secret can be read without echo.
    Prompter(std::istream& in, std::ostream& out, bool terminal) : in_(in), out_(out), terminal_(terminal) {}

    std::ostream& out() { return out_; }

    // One line, surrounding blanks removed.
    std::string line(std::string_view prompt);
    // Like line(), without echo on a terminal (keys).
    std::string secretLine(std::string_view prompt);
    // Asks until the answer is a whole number in [min, max].
    int number(std::string_view prompt, int min, int max);
    // Asks until the answer is y/yes or n/no.
    bool yesNo(std::string_view prompt);

    // Asks until `parse(answer)` does not throw InputError; says why each refused answer is wrong.
    template <typename F>
    auto until(std::string_view prompt, F parse) -> decltype(parse(std::string())) {
        while (true) {
            const std::string answer = line(prompt);
            try {
                return parse(answer);
            } catch (const InputError& e) {
                invalid(e.what());
            }
        }
    }

    void invalid(std::string_view why);

private:
    std::string read(std::string_view prompt);

    std::istream& in_;
    std::ostream& out_;
    bool terminal_;
};

}  // namespace steward::tools
