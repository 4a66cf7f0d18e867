#include "own_command.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>

#include "args.hpp"
#include "discovery_options.hpp"
#include "errors.hpp"
#include "local_context.hpp"
#include "pin_prompt.hpp"
#include "remote_output.hpp"

namespace steward::tools {

std::string ownUsage() {
    return R"(usage: steward [--local] own [UUID...|--all] [--method justworks|randompin]
                   (--unicast HOST:PORT... | --multicast-if IF...) [--timeout MS]
                   [--pin-timeout S] [--state-dir DIR] [--plugin-dir DIR] [--verbose] [--json]

Discovers unowned devices and takes ownership of the ones named (or --all), one after the other,
with the ownership plugin for the method each device offers (or --method). For Random PIN the
PIN the device shows is read from the terminal or standard input. The gateway's identity, owner
credentials and provisioning database live in the state directory (default /var/lib/steward or
$STEWARD_STATE_DIR). A progress line per device (--verbose: per step); a summary at the end;
exit 1 if any failed. Devices left pending by an interrupted run are settled first: kept if
they report this gateway as their owner, else forgotten.
)";
}

int runOwn(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
    auto specs = discoveryOptionSpecs();
    specs.push_back({"--all"});
    specs.push_back({"--method", true});
    specs.push_back({"--pin-timeout", true});
    specs.push_back({"--state-dir", true});
    specs.push_back({"--plugin-dir", true});
    specs.push_back({"--verbose"});
    const Args args(words, specs, "own");
    if (args.help()) {
        out << ownUsage();
        return 0;
    }
    const bool all = args.has("--all");
    std::vector<core::Uuid> wanted;
    for (const auto& p : args.positionals()) {
        auto id = core::Uuid::parse(p);
        if (!id) throw UsageError("not a device UUID: '" + p + "'");
        wanted.push_back(*id);
    }
    if (all == !wanted.empty()) throw UsageError("name the devices to own by UUID, or give --all");
    std::optional<int> method;
    if (auto m = args.value("--method")) {
        if (*m == "justworks") {
            method = core::oxm::kJustWorks;
        } else if (*m == "randompin") {
            method = core::oxm::kRandomPin;
        } else {
            throw UsageError("--method must be justworks or randompin, got '" + *m + "'");
        }
    }
    const auto pinTimeout = std::chrono::seconds(parseBoundedInt(args.value("--pin-timeout").value_or("120"), "--pin-timeout", 1, 3600));
    auto discovery = discoveryOptionsFrom(args, err);
    discovery.scope = core::DiscoveryScope::Unowned;

    LocalContext ctx(resolvePaths(args.value("--state-dir"), args.value("--plugin-dir")), err);
    std::size_t settledOwned = 0;  // interrupted transfers that turned out (or were finished) owned
    for (const auto& [id, resolution] : ctx.ownership.resolvePending()) {
        err << "steward: pending device " << id.toString() << " from an interrupted transfer: " << core::toString(resolution) << '\n';
        if (resolution == core::Resolution::Owned || resolution == core::Resolution::Finished) ++settledOwned;
    }
    auto found = core::discoverDevices(discovery).devices;
    if (!all) {
        for (const auto& id : wanted) {
            if (std::none_of(found.begin(), found.end(), [&](const auto& d) { return d.deviceId == id; })) {
                err << "steward: " << id.toString() << " was not found among the unowned devices\n";
            }
        }
        std::erase_if(found, [&](const auto& d) { return std::find(wanted.begin(), wanted.end(), d.deviceId) == wanted.end(); });
    }

    const bool verbose = args.has("--verbose");
    const char* killAt = std::getenv("STEWARD_FAULT_KILL_AT");
    Poco::JSON::Array results;
    std::size_t owned = 0;
    const auto total = found.size();
    for (std::size_t i = 0; i < total; ++i) {
        const auto& d = found[i];
        core::OwnOptions options;
        options.method = method;
        options.pin = [&](const core::Uuid& id) { return promptForPin(id, d.name, pinTimeout); };
        auto stepStarted = std::chrono::steady_clock::now();
        options.progress = [&](const std::string& step) {
            if (verbose) {
                // Time since the previous step: where a slow device (or gateway) spends it.
                const auto now = std::chrono::steady_clock::now();
                const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - stepStarted).count();
                stepStarted = now;
                err << "    " << d.deviceId.toString() << ": " << step << " (+" << us / 1000 << "." << (us % 1000) / 100 << " ms)\n";
            }
            // Fault injection for the crash-consistency tests: die (no cleanup at all) at a step.
            if (killAt != nullptr && step == killAt) ::raise(SIGKILL);
        };
        const auto started = std::chrono::steady_clock::now();
        const auto outcome = ctx.ownership.own(d, options);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        const auto what = (outcome.result.ok ? "owned" : "FAILED at " + outcome.result.failedStep + ": " + outcome.result.error) +
                          (outcome.note.empty() ? "" : " (" + outcome.note + ")");
        err << progressLine(static_cast<std::int64_t>(i + 1), static_cast<std::int64_t>(total),
                            ownLine(d.deviceId.toString(), outcome.method, what, ms))
            << '\n';
        if (outcome.result.ok) {
            ++owned;
            // Owning a device by hand is the explicit "own" that lifts a removal's block.
            if (ctx.pdm->unblockDevice(d.deviceId)) err << "    " << d.deviceId.toString() << ": no longer blocked\n";
        }
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("uuid", d.deviceId.toString());
        o->set("method", outcome.method);
        o->set("status", outcome.result.ok ? "owned" : "failed");
        if (!outcome.result.ok) {
            o->set("step", outcome.result.failedStep);
            o->set("error", outcome.result.error);
        }
        o->set("ms", ms);
        results.add(o);
    }
    if (args.json()) {
        results.stringify(out);
        out << '\n';
    } else {
        out << owned << " of " << total << " device(s) owned by gateway " << ctx.identity.id().toString() << '\n';
    }
    if (total == 0)
        err << "steward: no unowned device to own" << (settledOwned > 0 ? " (an interrupted transfer was settled: owned)" : "") << '\n';
    // Nothing left to own because an interrupted transfer was settled as owned is a success.
    return owned == total && (total > 0 || settledOwned > 0) ? 0 : 1;
}

}  // namespace steward::tools
