#include "credmgmt_commands.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <csignal>
#include <cstdlib>
#include <functional>
#include <map>

#include "args.hpp"
#include "discovery_options.hpp"
#include "errors.hpp"
#include "input_parsing.hpp"
#include "link_status.hpp"
#include "local_context.hpp"
#include "remote_output.hpp"
#include "steward/discovery/device_discovery.hpp"
#include "steward/provisioning/owned_discovery.hpp"

namespace steward::tools {
namespace {

struct Command {
    std::string summary;
    std::string usage;  // after "usage: steward [--local] "
    std::vector<OptionSpec> options;
    // `err` takes progress lines.
    std::function<core::ProvisioningOutcome(const Args&, LocalContext&, core::ProvisioningContext&, std::ostream& err)> run;
};

core::Uuid uuidArg(const std::string& text) {
    auto id = core::Uuid::parse(text);
    if (!id) throw UsageError("not a device UUID: '" + text + "'");
    return *id;
}

std::vector<core::AceResource> resourcesArg(const Args& args) {
    std::vector<core::AceResource> out;
    for (const auto& r : args.values("--resource")) {
        out.push_back(withOrigin("--resource", [&] { return parseAceResource(r); }));
    }
    return out;
}

int keyBitsArg(const Args& args) {
    const auto text = args.value("--key-bits").value_or("128");
    if (text != "128" && text != "256") throw InputError("--key-bits: a pairwise key is 128 or 256 bits, not " + text);
    return std::stoi(text);
}

core::ProvisioningOutcome pairwise(const Args& args, LocalContext& ctx, core::ProvisioningContext& pc, bool withAces) {
    args.requirePositionals(2, 2, "two device UUIDs");
    core::PairwiseRequest request;
    request.a = uuidArg(args.positionals()[0]);
    request.b = uuidArg(args.positionals()[1]);
    request.keyBits = keyBitsArg(args);
    if (withAces) {
        request.resources = resourcesArg(args);
        if (request.resources.empty()) throw UsageError("link needs at least one --resource that each device grants the other");
        request.permission = withOrigin("--perm", [&] { return parsePermission(args.value("--perm").value_or("-RU-N")); });
    }
    return ctx.credentials()->provisionPairwise(pc, request);
}

core::ProvisioningOutcome oneDevice(const Args& args, const std::function<core::ProvisioningOutcome(const core::Uuid&)>& op) {
    args.requirePositionals(1, 1, "one device UUID");
    return op(uuidArg(args.positionals()[0]));
}

// `more` after `outcome`: all lines kept, failed if either failed.
void mergeOutcome(core::ProvisioningOutcome& outcome, const core::ProvisioningOutcome& more) {
    outcome.done.insert(outcome.done.end(), more.done.begin(), more.done.end());
    outcome.deferred.insert(outcome.deferred.end(), more.deferred.begin(), more.deferred.end());
    if (!more.ok) outcome.error = outcome.error.empty() ? more.error : outcome.error + "; " + more.error;
    outcome.ok = outcome.ok && more.ok;
}

void refreshAddresses(const Args& args, LocalContext& ctx, std::ostream& err) {
    if (args.values("--unicast").empty() && args.values("--multicast-if").empty()) return;
    auto discovery = discoveryOptionsFrom(args, err);
    discovery.scope = core::DiscoveryScope::Owned;
    discovery.owner = ctx.identity.id();
    discovery.ownedDevices = ctx.identity.devicesWithCredentials();
    auto found = core::discoverDevices(discovery).devices;
    core::confirmOwnedDevices(*ctx.endpoint, ctx.identity, found, std::chrono::seconds(3),
                              [&](const std::string& line) { err << "steward: " << line << '\n'; });
    for (const auto& d : found) {
        auto record = ctx.pdm->device(d.deviceId);
        if (!record || !d.securePort) continue;
        if (record->address == d.address && record->port == d.port && record->securePort == *d.securePort) continue;
        record->address = d.address;
        record->port = d.port;
        record->securePort = *d.securePort;
        ctx.pdm->putDevice(*record);
        err << "steward: " << d.deviceId.toString() << " is now at " << d.address << ":" << *d.securePort << '\n';
    }
}

const std::map<std::string, Command>& commands() {
    static const std::map<std::string, Command> table{
        {"acl",
         {"give a device ACEs (menu item 32)",
          "acl UUID --subject uuid:U|conntype:auth-crypt|conntype:anon-clear|role:R[@AUTH] --resource HREF|*|+|-... --perm CRUDN "
          "[--validity PERIOD[;RRULE]]",
          {{"--subject", true}, {"--resource", true, true}, {"--perm", true}, {"--validity", true, true}},
          [](const Args& args, LocalContext& ctx, core::ProvisioningContext& pc, std::ostream&) {
              args.requirePositionals(1, 1, "one device UUID");
              core::Ace ace;
              const auto subject = args.value("--subject");
              if (!subject) throw UsageError("acl needs --subject");
              ace.subject = withOrigin("--subject", [&] { return parseAceSubject(*subject); });
              ace.resources = resourcesArg(args);
              if (ace.resources.empty()) throw UsageError("acl needs at least one --resource");
              const auto perm = args.value("--perm");
              if (!perm) throw UsageError("acl needs --perm");
              ace.permission = withOrigin("--perm", [&] { return parsePermission(*perm); });
              for (const auto& v : args.values("--validity"))
                  ace.validity.push_back(withOrigin("--validity", [&] { return parseValidity(v); }));
              return ctx.credentials()->provisionAcl(pc, uuidArg(args.positionals()[0]), {ace}, "");
          }}},
        {"pair",
         {"a pairwise credential for two owned devices (menu item 31)",
          "pair UUID1 UUID2 [--key-bits 128|256]",
          {{"--key-bits", true}},
          [](const Args& args, LocalContext& ctx, core::ProvisioningContext& pc, std::ostream&) {
              return pairwise(args, ctx, pc, false);
          }}},
        {"link",
         {"pairwise credential plus ACEs both ways (menu item 30)",
          "link UUID1 UUID2 --resource HREF|*|+|-... [--perm CRUDN (default -RU-N)] [--key-bits 128|256]",
          {{"--key-bits", true}, {"--resource", true, true}, {"--perm", true}},
          [](const Args& args, LocalContext& ctx, core::ProvisioningContext& pc, std::ostream&) { return pairwise(args, ctx, pc, true); }}},
        {"unlink",
         {"take a pairwise link back from both devices (menu item 40)",
          "unlink UUID1 UUID2",
          {},
          [](const Args& args, LocalContext& ctx, core::ProvisioningContext& pc, std::ostream&) {
              args.requirePositionals(2, 2, "two device UUIDs");
              return ctx.credentials()->unlink(pc, uuidArg(args.positionals()[0]), uuidArg(args.positionals()[1]));
          }}},
        {"remove",
         {"revoke a device everywhere, reset it and forget it (menu item 50)",
          "remove UUID",
          {},
          [](const Args& args, LocalContext& ctx, core::ProvisioningContext& pc, std::ostream&) {
              return oneDevice(args, [&](const core::Uuid& id) { return removeAndBlock(*ctx.credentials(), pc, id); });
          }}},
        {"reset",
         {"remote reset: the device returns to its reset profile, unowned",
          "reset UUID",
          {},
          [](const Args& args, LocalContext& ctx, core::ProvisioningContext& pc, std::ostream&) {
              return oneDevice(args, [&](const core::Uuid& id) { return ctx.credentials()->resetDevice(pc, id); });
          }}},
        {"cert",
         {"the gateway CA as trust anchor and a device certificate with its key",
          "cert UUID [--days N (default 365)]",
          {{"--days", true}},
          [](const Args& args, LocalContext& ctx, core::ProvisioningContext& pc, std::ostream&) {
              const auto days = parseBoundedInt(args.value("--days").value_or("365"), "--days", 1, 36500);
              pc.ca = &ctx.ca();
              return oneDevice(args, [&](const core::Uuid& id) {
                  return ctx.credentials()->provisionCertificate(pc, id, std::chrono::hours(24 * days));
              });
          }}},
        {"sync",
         {"finish stale links and pending revocations/resets; record the direct pairings devices made",
          "sync [--unicast HOST:PORT... | --multicast-if IF...] [--timeout MS]", discoveryOptionSpecs(),
          [](const Args&, LocalContext& ctx, core::ProvisioningContext& pc, std::ostream& err) {
              const auto stale = ctx.pdm->staleLinks().size();
              const auto owed = ctx.pdm->pendingActions().size();
              if (stale + owed > 0) err << "sync: finishing " << stale << " stale link(s) and " << owed << " revocation(s)/reset(s) owed\n";
              auto outcome = ctx.credentials()->resolvePending(pc);
              if (const auto pairing = ctx.registry.pairingProvider()) {
                  // The plugin opens one owner session per owned device: a progress line each.
                  const auto total = ctx.pdm->devicesInState(core::DeviceRecordState::Owned).size();
                  std::size_t done = 0;
                  const auto inner = pc.progress;
                  pc.progress = [&, inner](const std::string& line) {
                      static const std::string kSession = "owner session to ";
                      if (line.rfind(kSession, 0) == 0 && done < total) {
                          err << progressLine(static_cast<std::int64_t>(++done), static_cast<std::int64_t>(total),
                                              "sync: reading the direct pairings of " + line.substr(kSession.size(), 36))
                              << '\n';
                      }
                      if (inner) inner(line);
                  };
                  mergeOutcome(outcome, pairing->syncPairings(pc));
                  pc.progress = inner;
              }
              return outcome;
          }}},
    };
    return table;
}

}  // namespace

core::ProvisioningOutcome removeAndBlock(const core::CredentialManagementProvider& credmgmt, core::ProvisioningContext& pc,
                                         const core::Uuid& device) {
    const bool blockedBefore = pc.pdm.isBlocked(device);
    if (!blockedBefore && pc.pdm.device(device)) pc.pdm.blockDevice(device, "removed");
    auto outcome = credmgmt.removeDevice(pc, device);
    if (!outcome.ok && !blockedBefore) {
        pc.pdm.unblockDevice(device);
    } else if (outcome.ok) {
        outcome.done.push_back(device.toString() +
                               " is blocked: stewardd will not own it again unasked (steward admit, or an explicit own, lifts it)");
    }
    return outcome;
}

void printOutcome(const core::ProvisioningOutcome& outcome, bool json, std::ostream& out, std::ostream& err, const std::string& command) {
    if (!outcome.ok) {
        if (command.empty()) {
            err << "steward: " << outcome.error << '\n';
        } else {
            printFailure(command, outcome.error, err);
        }
    }
    if (json) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("status", outcome.ok ? "ok" : "error");
        if (!outcome.ok) o.set("error", outcome.error);
        Poco::JSON::Array done, deferred;
        for (const auto& d : outcome.done) done.add(d);
        for (const auto& d : outcome.deferred) deferred.add(d);
        o.set("done", done);
        o.set("deferred", deferred);
        o.stringify(out);
        out << '\n';
        return;
    }
    if (outcome.ok) {
        printOutcomeLines(outcome.done, outcome.deferred, out);
        return;
    }
    // A failure keeps what was done before it (and what was deferred) on stdout.
    for (const auto& d : outcome.done) out << d << '\n';
    for (const auto& d : outcome.deferred) out << "deferred: " << d << '\n';
}

std::string credentialCommandsSummary() {
    std::string s;
    for (const auto& [name, c] : commands()) s += "  " + name + std::string(12 - name.size(), ' ') + c.summary + "\n";
    s += "  links       link status of a device, or of all, from the provisioning database (menu item 34)\n";
    return s;
}

int runCredentialCommand(const std::string& command, const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
    if (command == "links") return runLinkStatus(words, out, err);
    const auto it = commands().find(command);
    if (it == commands().end()) return -1;
    const Command& c = it->second;
    auto specs = c.options;
    specs.push_back({"--state-dir", true});
    specs.push_back({"--plugin-dir", true});
    specs.push_back({"--verbose"});
    const Args args(words, specs, command);
    if (args.help()) {
        out << "usage: steward [--local] " << c.usage << "\n                [--state-dir DIR] [--plugin-dir DIR] [--verbose] [--json]\n\n"
            << c.summary << ".\nExit status: 0 done (possibly with work deferred until an unreachable device is seen again), "
            << "1 failed (nothing changed), 2 usage.\n";
        return 0;
    }
    LocalContext ctx(resolvePaths(args.value("--state-dir"), args.value("--plugin-dir")), err);
    if (command == "sync") refreshAddresses(args, ctx, err);
    const bool verbose = args.has("--verbose");
    // Fault injection for the crash-consistency tests: die (no cleanup at all) at a progress line.
    const char* killAt = std::getenv("STEWARD_FAULT_KILL_AT");
    auto pc = ctx.provisioning([&](const std::string& line) {
        if (verbose) err << "    " << line << '\n';
        if (killAt != nullptr && line == killAt) ::raise(SIGKILL);
    });
    const auto outcome = c.run(args, ctx, pc, err);
    printOutcome(outcome, args.json(), out, err, command);
    return outcome.ok ? 0 : 1;
}

}  // namespace steward::tools
