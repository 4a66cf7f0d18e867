#include "args.hpp"

#include <algorithm>

#include "steward/version.hpp"

namespace steward::tools {
namespace {

const OptionSpec* find(const std::vector<OptionSpec>& specs, const std::string& name) {
    static const std::vector<OptionSpec> common{{"--help", false, true}, {"--json", false, true}};
    for (const auto* list : {&specs, &common}) {
        auto it = std::find_if(list->begin(), list->end(), [&](const OptionSpec& s) { return s.name == name; });
        if (it != list->end()) return &*it;
    }
    return nullptr;
}

}  // namespace

Args::Args(const std::vector<std::string>& words, const std::vector<OptionSpec>& specs, const std::string& command) : command_(command) {
    bool optionsEnded = false;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (optionsEnded || word.size() < 2 || word[0] != '-') {
            positionals_.push_back(word);
            continue;
        }
        if (word == "--") {
            optionsEnded = true;
            continue;
        }
        std::string name = word == "-h" ? "--help" : word;
        std::optional<std::string> inlineValue;
        if (const auto eq = name.find('='); name.starts_with("--") && eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name.resize(eq);
        }
        const OptionSpec* spec = find(specs, name);
        if (spec == nullptr) throw UsageError("unknown option '" + name + "' for '" + command_ + "'");
        if (!spec->repeatable && has(name)) throw UsageError("option " + name + " given twice");
        std::string value;
        if (spec->takesValue) {
            if (inlineValue) {
                value = *inlineValue;
            } else if (i + 1 < words.size()) {
                value = words[++i];
            } else {
                throw UsageError("option " + name + " needs a value");
            }
        } else if (inlineValue) {
            throw UsageError("option " + name + " takes no value");
        }
        options_.emplace_back(name, value);
    }
}

bool Args::has(const std::string& name) const {
    return std::any_of(options_.begin(), options_.end(), [&](const auto& o) { return o.first == name; });
}

std::optional<std::string> Args::value(const std::string& name) const {
    std::optional<std::string> last;
    for (const auto& o : options_) {
        if (o.first == name) last = o.second;
    }
    return last;
}

std::vector<std::string> Args::values(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& o : options_) {
        if (o.first == name) out.push_back(o.second);
    }
    return out;
}

void Args::requirePositionals(std::size_t min, std::size_t max, const std::string& what) const {
    if (positionals_.size() < min) throw UsageError("'" + command_ + "' needs " + what);
    if (positionals_.size() > max) {
        throw UsageError("unexpected argument '" + positionals_[max] + "' for '" + command_ + "'");
    }
}

std::string versionLine(const std::string& program) { return program + " " + std::string(core::versionText()) + "\n"; }

bool wantsJson(const std::vector<std::string>& words) { return std::find(words.begin(), words.end(), "--json") != words.end(); }

}  // namespace steward::tools
