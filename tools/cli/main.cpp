// steward: the provisioning client. This file only dispatches subcommands.
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <iostream>

#include "args.hpp"
#include "credmgmt_commands.hpp"
#include "discover_command.hpp"
#include "errors.hpp"
#include "idprov_commands.hpp"
#include "menu_command.hpp"
#include "own_command.hpp"
#include "pairing_commands.hpp"
#include "remote_commands.hpp"
#include "resource_commands.hpp"
#include "state_commands.hpp"
#include "steward/transport/transport_log.hpp"

namespace {

std::string usage() {
    return R"(usage: steward [--local] <command> [options]
       steward --version

commands:
  discover    find devices: all, unowned or owned (menu items 10, 11, 12)
  own         take ownership of unowned devices (menu item 20)
  devices     what the provisioning database holds
  plugins     the plugins found, and why any was skipped
  menu        the provisioning client's numbered menu (10-50, 99)
)" + steward::tools::credentialCommandsSummary() +
           steward::tools::pairingCommandsSummary() + steward::tools::resourceCommandsSummary() + steward::tools::idprovCommandsSummary() +
           R"(  help CMD    the options of one command

with stewardd only (over MQTT):
)" + steward::tools::remoteOnlyCommandsSummary() +
           R"(
By default the commands are requests to stewardd over its MQTT API (--broker HOST:PORT, default
$STEWARD_BROKER or 127.0.0.1:1883); --local runs the provisioning core in this process instead
(no daemon, no broker; the state directory must not be in use by stewardd). discover and plugins
and ca-cert always run here. Every command takes --help, and prints text for people unless --json asks
for JSON (stewardd's raw response; with --json a failure is a {"status":"error","error":...} document
too). Errors and progress lines ("[3/10] ...") go to stderr. Exit status: 0 ok, 1 error, 2 usage.
)";
}

// With --json, stdout carries a JSON document whatever happens: a failure that stopped the command
// before it had an answer to print (no broker, no response, a usage error) is reported there too,
// in the shape of stewardd's error responses.
void jsonError(const std::vector<std::string>& words, const std::string& message) {
    if (!steward::tools::wantsJson(words)) return;
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("status", "error");
    o.set("error", message);
    o.stringify(std::cout);
    std::cout << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> words(argv + 1, argv + argc);
    const bool local = !words.empty() && words[0] == "--local";
    if (local) words.erase(words.begin());
    if (!words.empty() && words[0] == "--version") {
        std::cout << steward::tools::versionLine("steward");
        return 0;
    }
    if (words.empty() || words[0] == "--help" || words[0] == "-h" || (words[0] == "help" && words.size() == 1)) {
        std::cout << usage();
        return words.empty() ? 2 : 0;
    }
    // libcoap's warnings (an ICMP "connection refused" from a device that is off) are for --verbose.
    if (std::find(words.begin(), words.end(), "--verbose") == words.end()) {
        steward::core::setTransportLogLevel(steward::core::TransportLogLevel::Error);
    }
    const std::string command = words[0] == "help" ? words[1] : words[0];
    std::vector<std::string> rest(words.begin() + 1, words.end());
    if (words[0] == "help") rest = {"--help"};
    try {
        // Commands of their own network or files run here whatever the mode.
        if (command == "discover") return steward::tools::runDiscover(rest, local, std::cout, std::cerr);
        if (command == "plugins") return steward::tools::runPlugins(rest, std::cout, std::cerr);
        if (const int rc = steward::tools::runIdprovCommand(command, rest, std::cout, std::cerr); rc >= 0) return rc;
        if (!local) {
            if (const int rc = steward::tools::runRemoteCommand(command, rest, std::cout, std::cerr); rc >= 0) return rc;
            if (command == "menu")
                throw steward::tools::UsageError("the menu runs the provisioning core in this process: steward --local menu");
            throw steward::tools::UsageError("unknown command '" + command + "'");
        }
        if (command == "own") return steward::tools::runOwn(rest, std::cout, std::cerr);
        if (command == "devices") return steward::tools::runDevices(rest, std::cout, std::cerr);
        if (command == "menu") return steward::tools::runMenu(rest, std::cin, std::cout, std::cerr);
        if (command == "plugins") return steward::tools::runPlugins(rest, std::cout, std::cerr);
        if (const int rc = steward::tools::runCredentialCommand(command, rest, std::cout, std::cerr); rc >= 0) return rc;
        if (const int rc = steward::tools::runPairingCommand(command, rest, std::cout, std::cerr); rc >= 0) return rc;
        if (const int rc = steward::tools::runResourceCommand(command, rest, std::cout, std::cerr); rc >= 0) return rc;
        throw steward::tools::UsageError("unknown command '" + command + "'");
    } catch (const steward::tools::UsageError& e) {
        std::cerr << "steward: " << e.what() << " (see steward --help)\n";
        jsonError(rest, std::string(e.what()) + " (see steward --help)");
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "steward: " << e.what() << '\n';
        jsonError(rest, e.what());
        return 1;
    }
}
