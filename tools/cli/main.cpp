// steward: the provisioning client. This file only dispatches subcommands.
#include <iostream>

#include "discover_command.hpp"
#include "errors.hpp"

namespace {

std::string usage() {
    return R"(usage: steward <command> [options]

commands:
  discover    find devices on the network: all, unowned or owned (menu items 10, 11, 12)
  help CMD    the options of one command

Every command takes --help and --json. Exit status: 0 ok, 1 error, 2 usage.
)";
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty() || words[0] == "--help" || words[0] == "-h" || (words[0] == "help" && words.size() == 1)) {
        std::cout << usage();
        return words.empty() ? 2 : 0;
    }
    const std::string command = words[0] == "help" ? words[1] : words[0];
    std::vector<std::string> rest(words.begin() + 1, words.end());
    if (words[0] == "help") rest = {"--help"};
    try {
        if (command == "discover") return steward::tools::runDiscover(rest, std::cout, std::cerr);
        throw steward::tools::UsageError("unknown command '" + command + "'");
    } catch (const steward::tools::UsageError& e) {
        std::cerr << "steward: " << e.what() << " (see steward --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "steward: " << e.what() << '\n';
        return 1;
    }
}
