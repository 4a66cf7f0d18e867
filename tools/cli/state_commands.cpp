#include "state_commands.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "args.hpp"
#include "local_context.hpp"
#include "remote_output.hpp"
#include "steward/util/iso_time.hpp"

namespace steward::tools {

std::string devicesUsage() {
    return "usage: steward [--local] devices [--state-dir DIR] [--json]\n\n"
           "The devices this gateway owns (or is owning), from its provisioning database.\n";
}

int runDevices(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
    const Args args(words, {{"--state-dir", true}, {"--plugin-dir", true}}, "devices");
    if (args.help()) {
        out << devicesUsage();
        return 0;
    }
    LocalContext ctx(resolvePaths(args.value("--state-dir"), args.value("--plugin-dir")), err);
    const auto devices = ctx.pdm->devices();
    if (args.json()) {
        Poco::JSON::Array list;
        for (const auto& d : devices) {
            Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            o->set("uuid", d.id.toString());
            o->set("name", d.name);
            o->set("otm", d.otm);
            o->set("state", std::string(core::toString(d.state)));
            o->set("address", d.address);
            o->set("port", d.port);
            o->set("secure_port", d.securePort);
            o->set("owned_at", core::isoTime(d.ownedAt));
            o->set("owner_credential", ctx.identity.ownerCredential(d.id).has_value());
            list.add(o);
        }
        list.stringify(out);
        out << '\n';
        return 0;
    }
    out << devices.size() << " device(s) in the provisioning database of gateway " << ctx.identity.id().toString() << '\n';
    // The same table as `steward devices` through stewardd, with when each device was owned.
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : devices) {
        rows.push_back({d.id.toString(), d.name, std::string(core::toString(d.state)), methodName(d.otm),
                        d.address.empty() ? "" : d.address + ":" + std::to_string(d.securePort), core::isoTime(d.ownedAt)});
    }
    if (!rows.empty()) printTable({"UUID", "NAME", "STATUS", "METHOD", "ADDRESS", "OWNED"}, rows, out, "  ");
    return 0;
}

std::string pluginsUsage() {
    return "usage: steward plugins [--plugin-dir DIR] [--json]\n\n"
           "The plugins found in the plugin directory: their providers, or why they were skipped.\n";
}

int runPlugins(const std::vector<std::string>& words, std::ostream& out, std::ostream&) {
    const Args args(words, {{"--plugin-dir", true}}, "plugins");
    if (args.help()) {
        out << pluginsUsage();
        return 0;
    }
    const auto paths = resolvePaths(std::nullopt, args.value("--plugin-dir"));
    core::ProviderRegistry registry;
    core::PluginLoader loader(registry);
    const auto reports = loader.loadDirectory(paths.pluginDir);
    if (args.json()) {
        Poco::JSON::Array list;
        for (const auto& r : reports) {
            Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            o->set("path", r.path);
            o->set("loaded", r.loaded);
            if (!r.loaded) o->set("reason", r.reason);
            o->set("name", r.name);
            o->set("version", r.version);
            Poco::JSON::Array providers;
            for (const auto& p : r.providers) providers.add(p.category + "/" + p.name);
            o->set("providers", providers);
            list.add(o);
        }
        list.stringify(out);
        out << '\n';
        return 0;
    }
    out << "plugin directory " << paths.pluginDir.string() << " (host " << core::PluginLoader::hostBuildKey() << ")\n";
    for (const auto& r : reports) {
        out << "  " << r.path << ": ";
        if (!r.loaded) {
            out << "SKIPPED: " << r.reason << '\n';
            continue;
        }
        out << r.name << " " << r.version << " provides";
        for (const auto& p : r.providers) out << " " << p.category << "/" << p.name;
        out << '\n';
    }
    return 0;
}

}  // namespace steward::tools
