#include "menu_command.hpp"

#include "args.hpp"
#include "discovery_options.hpp"
#include "errors.hpp"
#include "local_context.hpp"
#include "menu_credmgmt.hpp"
#include "pin_prompt.hpp"
#include "steward/discovery/device_discovery.hpp"
#include "steward/provisioning/owned_discovery.hpp"

namespace steward::tools {
namespace {

void printMenu(std::ostream& out) {
    out << "****** Steward provisioning client ******\n"
           "** 10. Discover All Un/Owned Devices on Network\n"
           "** 11. Discover Only Unowned Devices on Network\n"
           "** 12. Discover Only Owned Devices on Network\n"
           "** 20. Register/Own All Discovered Unowned Devices\n"
           "** 30. Provision/Link Pairwise Things\n"
           "** 31. Provision Credentials for Pairwise Things\n"
           "** 32. Provision the Selected Access Control List(ACL)\n"
           "** 33. Provision Direct-Pairing Configuration\n"
           "** 34. Check Linked Status of the Selected Device on PRVN DB\n"
           "** 40. Unlink Pairwise Things\n"
           "** 50. Remove the Selected Device\n"
           "** 99. Exit Provisioning Client\n"
           ">> Enter Menu Number: "
        << std::flush;
}

void printDevices(const std::string& title, const std::vector<core::DiscoveredDevice>& devices, std::ostream& out) {
    out << "> " << title << '\n';
    if (devices.empty()) out << "     (none)\n";
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const auto& d = devices[i];
        out << "     [" << i + 1 << "] " << d.deviceId.toString() << "  " << d.address << ":" << d.port << "  \"" << d.name << "\""
            << (d.owned ? "  owned" : "  unowned") << '\n';
    }
}

}  // namespace

std::string menuUsage() {
    return R"(usage: steward [--local] menu (--unicast HOST:PORT... | --multicast-if IF...) [--timeout MS]
                    [--pin-timeout S] [--state-dir DIR] [--plugin-dir DIR]

The provisioning client's numbered menu: 10 discover all, 11 unowned, 12 owned (by this
gateway), 20 own every unowned device found, 30 link two devices (credentials and ACEs),
31 pairwise credentials, 32 an ACL, 33 direct pairing (pconf), 34 link status, 40 unlink, 50 remove
a device, 99 exit. Choices are read line by line from standard input; the end of input exits.
)";
}

int runMenu(const std::vector<std::string>& words, std::istream& in, std::ostream& out, std::ostream& err) {
    auto specs = discoveryOptionSpecs();
    specs.push_back({"--pin-timeout", true});
    specs.push_back({"--state-dir", true});
    specs.push_back({"--plugin-dir", true});
    const Args args(words, specs, "menu");
    if (args.help()) {
        out << menuUsage();
        return 0;
    }
    if (args.json()) throw UsageError("the menu is for people and has no --json: its items are subcommands that take --json");
    auto discovery = discoveryOptionsFrom(args, err);
    const auto pinTimeout = std::chrono::seconds(parseBoundedInt(args.value("--pin-timeout").value_or("120"), "--pin-timeout", 1, 3600));
    LocalContext ctx(resolvePaths(args.value("--state-dir"), args.value("--plugin-dir")), err);

    std::string line;
    for (;;) {
        printMenu(out);
        if (!std::getline(in, line)) break;
        out << '\n';
        if (line == "99") break;
        if (line == "10" || line == "11" || line == "12") {
            discovery.scope =
                line == "10" ? core::DiscoveryScope::All : (line == "11" ? core::DiscoveryScope::Unowned : core::DiscoveryScope::Owned);
            discovery.owner = line == "11" ? std::nullopt : std::optional(ctx.identity.id());
            discovery.ownedDevices = line == "11" ? std::vector<core::Uuid>{} : ctx.identity.devicesWithCredentials();
            auto found = core::discoverDevices(discovery).devices;
            core::confirmOwnedDevices(*ctx.endpoint, ctx.identity, found, std::chrono::seconds(3),
                                      [&](const std::string& l) { err << "steward: " << l << '\n'; });
            printDevices(line == "10" ? "Discovered Devices" : (line == "11" ? "Discovered Unowned Devices" : "Discovered Owned Devices"),
                         found, out);
        } else if (line == "20") {
            discovery.scope = core::DiscoveryScope::Unowned;
            discovery.owner.reset();
            const auto found = core::discoverDevices(discovery).devices;
            printDevices("Discovered Unowned Devices", found, out);
            std::size_t owned = 0;
            for (const auto& d : found) {
                core::OwnOptions options;
                options.pin = [&](const core::Uuid& id) { return promptForPin(id, d.name, pinTimeout); };
                const auto outcome = ctx.ownership.own(d, options);
                if (outcome.result.ok) {
                    ++owned;
                } else {
                    out << "     " << d.deviceId.toString() << ": FAILED at " << outcome.result.failedStep << ": " << outcome.result.error
                        << '\n';
                }
            }
            out << "> Registered Discovered Unowned Devices (" << owned << " of " << found.size() << ")\n"
                << "> Please Discover Owned Devices for the Registered Result, with [10|12] Menu\n";
        } else if (runCredentialMenuItem(line, ctx, in, out)) {
            // done
        } else if (!line.empty()) {
            out << "> \"" << line << "\" is not a menu item here\n";
        }
    }
    return 0;
}

}  // namespace steward::tools
