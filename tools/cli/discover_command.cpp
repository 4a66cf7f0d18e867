#include "discover_command.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <iomanip>
#include <optional>

#include "args.hpp"
#include "discovery_options.hpp"
#include "errors.hpp"
#include "local_context.hpp"
#include "steward/discovery/device_discovery.hpp"
#include "steward/model/doxm.hpp"
#include "steward/provisioning/owned_discovery.hpp"

namespace steward::tools {
namespace {

std::string methods(const std::vector<int>& oxms) {
    std::string out;
    for (int m : oxms) out += (out.empty() ? "" : ",") + std::string(core::oxm::name(m));
    return out;
}

Poco::JSON::Object::Ptr toJson(const core::DiscoveredDevice& d) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("uuid", d.deviceId.toString());
    o->set("owned", d.owned);
    if (d.owned) o->set("owner", d.owner.toString());
    Poco::JSON::Array::Ptr oxms = new Poco::JSON::Array;
    for (int m : d.oxms) oxms->add(std::string(core::oxm::name(m)));
    o->set("methods", oxms);
    o->set("address", d.address);
    o->set("port", d.port);
    if (d.securePort) o->set("secure_port", *d.securePort);
    Poco::JSON::Array::Ptr eps = new Poco::JSON::Array;
    for (const auto& e : d.endpoints) eps->add(e);
    o->set("endpoints", eps);
    Poco::JSON::Array::Ptr types = new Poco::JSON::Array;
    for (const auto& t : d.deviceTypes) types->add(t);
    o->set("types", types);
    o->set("name", d.name);
    return o;
}

}  // namespace

std::string discoverUsage() {
    return R"(usage: steward discover [--scope all|unowned|owned | --unowned | --owned] [--owner UUID]
                        [--multicast-if IF]... [--unicast HOST:PORT]... [--timeout MS] [--json]

Finds OCF devices (the provisioning client's items 10/11/12): multicast GET /oic/sec/doxm on the
named interfaces only, and/or unicast to the given addresses; then asks each device for its secure
endpoint (/oic/res) and its name and type (/oic/d). Answers that do not decode or contradict
themselves are dropped and reported on stderr.

  --scope S          all (default), unowned (?owned=FALSE) or owned (?owned=TRUE)
  --owner UUID       with --scope owned: only devices owned by UUID
With --local (steward --local discover), owned devices that refuse anonymous doxm reads (as
iotivity-lite's do) are also found: through /oic/res?rt=oic.r.doxm for the devices this gateway
holds an owner credential for, each confirmed over that credential (--state-dir, --plugin-dir).
  --multicast-if IF  multicast on this interface (repeatable); nothing is multicast without it
  --unicast H:P      probe this plain CoAP address (repeatable)
  --timeout MS       time budget (default 3000; devices delay multicast answers up to 2 s)
  --json             a JSON array instead of the table
)";
}

int runDiscover(const std::vector<std::string>& words, bool local, std::ostream& out, std::ostream& err) {
    auto specs = discoveryOptionSpecs();
    specs.push_back({"--state-dir", true});
    specs.push_back({"--plugin-dir", true});
    specs.push_back({"--scope", true});
    specs.push_back({"--owner", true});
    specs.push_back({"--unowned"});
    specs.push_back({"--owned"});
    const Args args(words, specs, "discover");
    if (args.help()) {
        out << discoverUsage();
        return 0;
    }
    args.requirePositionals(0, 0, "no positional arguments");
    core::DiscoveryOptions options = discoveryOptionsFrom(args, err);
    if (args.has("--unowned") + args.has("--owned") + args.has("--scope") > 1) {
        throw UsageError("give one of --scope, --unowned, --owned");
    }
    const auto scope = args.has("--unowned") ? std::string("unowned")
                                             : (args.has("--owned") ? std::string("owned") : args.value("--scope").value_or("all"));
    if (scope == "all") {
        options.scope = core::DiscoveryScope::All;
    } else if (scope == "unowned") {
        options.scope = core::DiscoveryScope::Unowned;
    } else if (scope == "owned") {
        options.scope = core::DiscoveryScope::Owned;
    } else {
        throw UsageError("--scope must be all, unowned or owned, got '" + scope + "'");
    }
    if (auto owner = args.value("--owner")) {
        options.owner = core::Uuid::parse(*owner);
        if (!options.owner) throw UsageError("--owner needs a UUID, got '" + *owner + "'");
        if (options.scope != core::DiscoveryScope::Owned) throw UsageError("--owner goes with --scope owned");
    }

    // The gateway's own records, for owned devices that answer only over the owner credential.
    std::optional<LocalContext> ctx;
    if (local && options.scope != core::DiscoveryScope::Unowned && (!options.owner || args.has("--state-dir"))) {
        ctx.emplace(resolvePaths(args.value("--state-dir"), args.value("--plugin-dir")), err);
        if (!options.owner) options.owner = ctx->identity.id();
        if (*options.owner == ctx->identity.id()) options.ownedDevices = ctx->identity.devicesWithCredentials();
    }
    const auto started = std::chrono::steady_clock::now();
    auto result = core::discoverDevices(options);
    if (ctx) {
        core::confirmOwnedDevices(*ctx->endpoint, ctx->identity, result.devices, std::chrono::seconds(3),
                                  [&](const std::string& line) { err << "steward: " << line << '\n'; });
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (args.json()) {
        Poco::JSON::Array devices;
        for (const auto& d : result.devices) devices.add(toJson(d));
        devices.stringify(out);
        out << '\n';
        return 0;
    }
    out << result.devices.size() << " device(s) found (" << toString(options.scope) << ", " << elapsed.count() << " ms)\n";
    for (const auto& d : result.devices) {
        out << "  " << d.deviceId.toString() << "  " << (d.owned ? "owned by " + d.owner.toString() : "unowned") << "  " << methods(d.oxms)
            << "\n      coap " << d.address << ":" << d.port << "  coaps "
            << (d.securePort ? std::to_string(*d.securePort) : std::string("?")) << "  \"" << d.name << "\"";
        for (const auto& t : d.deviceTypes) out << " " << t;
        out << '\n';
    }
    if (!result.rejected.empty()) out << result.rejected.size() << " answer(s) rejected (see stderr)\n";
    return 0;
}

}  // namespace steward::tools
