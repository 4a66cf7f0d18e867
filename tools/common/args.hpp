#pragma once
// A tiny command-line parser: "--name value", "--name=value", flags, positionals, "--" to end
// options. A value option always takes the next word, so "--perm -R--N" and "--resource -" work.

#include <optional>
#include <string>
#include <vector>

#include "errors.hpp"

namespace steward::tools {

struct OptionSpec {
    std::string name;  // with dashes: "--subject"
    bool takesValue = false;
    bool repeatable = false;
};

class Args {
public:
    // Throws UsageError naming `command` for unknown options, a missing value, or a repeated
    // option that is not repeatable. "--help"/"-h" and "--json" are always known.
    Args(const std::vector<std::string>& words, const std::vector<OptionSpec>& specs, const std::string& command);

    const std::vector<std::string>& positionals() const { return positionals_; }
    bool has(const std::string& name) const;
    std::optional<std::string> value(const std::string& name) const;
    std::vector<std::string> values(const std::string& name) const;
    bool help() const { return has("--help"); }
    bool json() const { return has("--json"); }

    // Throws UsageError unless there are between min and max positionals.
    void requirePositionals(std::size_t min, std::size_t max, const std::string& what) const;

private:
    std::string command_;
    std::vector<std::string> positionals_;
    std::vector<std::pair<std::string, std::string>> options_;  // in command-line order
};

// What every program prints for --version, on stdout, before exiting 0 with nothing else started:
// one line "<program> <version>" (steward/version.hpp: "steward 0.1.0 (git f403a6c)").
std::string versionLine(const std::string& program);

// Whether `words` asks for JSON output, decided before parsing so that even a usage error can be
// reported in JSON.
bool wantsJson(const std::vector<std::string>& words);

}  // namespace steward::tools
