#include "pairing_commands.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>

#include "args.hpp"
#include "credmgmt_commands.hpp"
#include "errors.hpp"
#include "input_parsing.hpp"
#include "local_context.hpp"
#include "steward/device/device_security.hpp"
#include "steward/plugin/pairing_provider.hpp"

namespace steward::tools {
namespace {

constexpr const char* kUsage =
    "direct-pairing UUID --method preconfigured|random [--method ...] [--pin PIN]\n"
    "                --resource HREF|*|+|-... [--perm CRUDN (default RU)]\n"
    "       steward [--local] direct-pairing UUID --disable";

constexpr const char* kSummary = "let clients pair with a device by PIN, without the gateway (menu item 33)";

core::DirectPairingConfig configFrom(const Args& args, bool& pinMade) {
    core::DirectPairingConfig config;
    for (const auto& m : args.values("--method")) {
        const int method = withOrigin("--method", [&] { return parsePairingMethod(m); });
        if (std::find(config.methods.begin(), config.methods.end(), method) == config.methods.end()) config.methods.push_back(method);
    }
    if (config.methods.empty()) throw UsageError("direct-pairing needs --method preconfigured and/or --method random (or --disable)");
    const bool preconfigured =
        std::find(config.methods.begin(), config.methods.end(), core::pairing_method::kPreconfiguredPin) != config.methods.end();
    if (auto pin = args.value("--pin")) {
        if (!preconfigured) throw UsageError("--pin is the pre-configured PIN: it needs --method preconfigured");
        config.pin = withOrigin("--pin", [&] { return parsePairingPin(std::move(*pin)); });
    } else if (preconfigured) {
        // The user needs it to pair, so it is made here (and shown once) rather than by the plugin.
        config.pin = core::generatePin();
        pinMade = true;
    }
    core::PdAce entry;
    for (const auto& r : args.values("--resource"))
        entry.resources.push_back(withOrigin("--resource", [&] { return parseAceResource(r); }));
    if (entry.resources.empty()) throw UsageError("direct-pairing needs at least one --resource that a paired client may access");
    entry.permission = withOrigin("--perm", [&] { return parsePermission(args.value("--perm").value_or(kDefaultPairingPermission)); });
    config.pdacl.push_back(std::move(entry));
    return config;
}

// printOutcome's output, and the PIN made here once it is on the device: the one place a PIN is shown.
void printPairingOutcome(const core::ProvisioningOutcome& outcome, const core::SecretBytes* madePin, bool json, std::ostream& out,
                         std::ostream& err) {
    const bool showPin = outcome.ok && madePin != nullptr;
    if (!json || !showPin) {
        printOutcome(outcome, json, out, err, "direct-pairing");
        if (showPin) out << "pre-configured PIN: " << madePin->text() << '\n';
        return;
    }
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("status", "ok");
    Poco::JSON::Array done, deferred;
    for (const auto& d : outcome.done) done.add(d);
    for (const auto& d : outcome.deferred) deferred.add(d);
    o.set("done", done);
    o.set("deferred", deferred);
    o.set("pin", std::string(madePin->text()));
    o.stringify(out);
    out << '\n';
}

}  // namespace

int parsePairingMethod(const std::string& text) {
    if (text == "preconfigured" || text == "pre-configured" || text == "1") return core::pairing_method::kPreconfiguredPin;
    if (text == "random" || text == "randompin" || text == "random-pin" || text == "2") return core::pairing_method::kRandomPin;
    throw InputError("\"" + text + "\" is not a pairing method (preconfigured or random)");
}

core::SecretBytes parsePairingPin(std::string&& text) {
    auto pin = core::SecretBytes::adoptText(std::move(text));
    const bool digits = std::all_of(pin.begin(), pin.end(), [](std::uint8_t c) { return c >= '0' && c <= '9'; });
    if (pin.size() != 8 || !digits) throw InputError("a pre-configured PIN is exactly 8 digits");
    return pin;
}

std::string pairingCommandsSummary() { return "  direct-pairing " + std::string(kSummary) + "\n"; }

int runPairingCommand(const std::string& command, const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
    if (command != "direct-pairing") return -1;
    const Args args(words,
                    {{"--method", true, true},
                     {"--pin", true},
                     {"--resource", true, true},
                     {"--perm", true},
                     {"--disable"},
                     {"--state-dir", true},
                     {"--plugin-dir", true},
                     {"--verbose"}},
                    command);
    if (args.help()) {
        out << "usage: steward [--local] " << kUsage << "\n                [--state-dir DIR] [--plugin-dir DIR] [--verbose] [--json]\n\n"
            << kSummary << ".\n"
            << "Provisions /oic/sec/pconf on an owned, direct-pairing-capable device: the methods a client may pair with\n"
               "(preconfigured: the PIN given here; random: the device shows a fresh PIN), and what a paired client may\n"
               "access (--resource, with --perm CRUDN letters, default RU: read and update). Security resources\n"
               "(/oic/sec/...) are never granted, and wildcards never reach them. Without --pin a random pre-configured\n"
               "PIN is made and printed once (\"pre-configured PIN: ...\"); a --pin is visible to other users in ps.\n"
               "--disable: the device accepts no new pairing (pairings already made stay; unlink revokes them).\n"
               "`steward sync` records the pairings devices made as direct links (see `steward links`).\n"
               "Exit status: 0 done, 1 failed (nothing changed), 2 usage.\n";
        return 0;
    }
    args.requirePositionals(1, 1, "one device UUID");
    const auto device = core::Uuid::parse(args.positionals()[0]);
    if (!device) throw UsageError("not a device UUID: '" + args.positionals()[0] + "'");

    const bool disable = args.has("--disable");
    bool pinMade = false;
    core::DirectPairingConfig config;
    if (disable) {
        for (const char* o : {"--method", "--pin", "--resource", "--perm"}) {
            if (args.has(o)) throw UsageError(std::string("--disable takes no ") + o);
        }
    } else {
        config = configFrom(args, pinMade);
    }

    LocalContext ctx(resolvePaths(args.value("--state-dir"), args.value("--plugin-dir")), err);
    const bool verbose = args.has("--verbose");
    auto pc = ctx.provisioning([&](const std::string& line) {
        if (verbose) err << "    " << line << '\n';
    });
    const auto provider = ctx.pairing();
    const auto outcome = disable ? provider->disable(pc, *device) : provider->configure(pc, *device, config);
    printPairingOutcome(outcome, pinMade ? &config.pin : nullptr, args.json(), out, err);
    return outcome.ok ? 0 : 1;
}

}  // namespace steward::tools
