// steward-svrdb: print and edit a device's SVR database, by subcommand or interactive menu.
// This file only dispatches: which command, and how its failure becomes an exit code.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "menu.hpp"

namespace {

using steward::tools::Args;
using steward::tools::Command;
using steward::tools::Output;
using steward::tools::UsageError;

constexpr int kUsageExit = 2;

int usageError(const std::string& message, bool json) {
    Output out(json, std::cout, std::cerr);
    out.error(message + " (see steward-svrdb --help)");
    return kUsageExit;
}

int runCommand(const Command& command, const std::vector<std::string>& words) {
    Output out(steward::tools::wantsJson(words), std::cout, std::cerr);
    try {
        const Args args(words, command.options, command.name);
        if (args.help()) {
            std::cout << steward::tools::commandUsage(command);
            return 0;
        }
        return command.run(args, out);
    } catch (const UsageError& e) {
        return usageError(e.what(), out.json());
    } catch (const std::exception& e) {
        out.error(e.what());
        return 1;
    }
}

int runMenuCommand(const std::vector<std::string>& words) {
    if (words.size() == 1 && (words[0] == "--help" || words[0] == "-h")) {
        std::cout << "usage: steward-svrdb menu FILE   (or: steward-svrdb FILE)\n\n"
                     "The interactive numbered menu: print every resource, add, modify and delete ACEs and\n"
                     "credentials, reset. Reads answers line by line from stdin (a pipe works); end of input exits.\n";
        return 0;
    }
    if (words.size() != 1 || words[0].starts_with("-")) return usageError("'menu' needs exactly one database FILE", false);
    return steward::tools::runMenu(words[0], std::cin, std::cout, std::cerr, ::isatty(STDIN_FILENO) == 1);
}

int help(const std::vector<std::string>& words) {
    if (words.empty()) {
        std::cout << steward::tools::generalUsage();
        return 0;
    }
    std::string name = words[0];
    if (words.size() > 1) name += " " + words[1];
    if (name == "menu") return runMenuCommand({"--help"});
    if (const Command* command = steward::tools::findCommand(name)) {
        std::cout << steward::tools::commandUsage(*command);
        return 0;
    }
    return usageError("no help for unknown command '" + name + "'", false);
}

// A lone argument that names no command is the database for the menu, if it looks like a file;
// otherwise it is more likely a mistyped command.
bool looksLikeFile(const std::string& word) {
    std::error_code ec;
    return std::filesystem::exists(word, ec) || word.find('/') != std::string::npos || word.find('.') != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty()) {
        std::cerr << steward::tools::generalUsage();
        return kUsageExit;
    }
    const std::string& first = words[0];
    const std::vector<std::string> rest(words.begin() + 1, words.end());
    if (first == "--help" || first == "-h" || first == "help") return help(rest);
    if (first == "--version") {
        std::cout << steward::tools::versionLine("steward-svrdb");
        return 0;
    }
    if (first == "menu") return runMenuCommand(rest);
    if (first == "acl" || first == "cred") {
        if (!rest.empty() && (rest[0] == "--help" || rest[0] == "-h")) {
            std::cout << steward::tools::generalUsage();
            return 0;
        }
        if (rest.empty() || rest[0].starts_with("-")) {
            return usageError("'" + first + "' needs a subcommand (" +
                                  (first == "acl" ? "add, modify, delete" : "add-psk, add-trustca, add-cert, modify, delete") + ")",
                              steward::tools::wantsJson(rest));
        }
        const std::string name = first + " " + rest[0];
        const Command* command = steward::tools::findCommand(name);
        if (command == nullptr) return usageError("unknown subcommand '" + name + "'", steward::tools::wantsJson(rest));
        return runCommand(*command, std::vector<std::string>(rest.begin() + 1, rest.end()));
    }
    if (const Command* command = steward::tools::findCommand(first)) return runCommand(*command, rest);
    if (first.starts_with("-")) return usageError("unknown option '" + first + "'", steward::tools::wantsJson(words));
    if (words.size() == 1 && looksLikeFile(first)) return runMenuCommand(words);
    return usageError("unknown subcommand '" + first + "'", steward::tools::wantsJson(words));
}
