#include "resource_commands.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <stdexcept>

#include "args.hpp"
#include "errors.hpp"
#include "local_context.hpp"
#include "remote_output.hpp"
#include "steward/model/payload_json.hpp"
#include "steward/provisioning/device_resources.hpp"

namespace steward::tools {
namespace {

constexpr auto kTimeout = std::chrono::milliseconds(5000);

void printJsonResult(bool ok, const Poco::Dynamic::Var& data, const std::string& error, std::ostream& out) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("status", ok ? "ok" : "error");
    if (ok) {
        o.set("data", data);
    } else {
        o.set("error", error);
    }
    o.stringify(out);
    out << '\n';
}

}  // namespace

std::string resourceCommandsSummary() {
    return "  get         read an owned device's resource (get UUID /a/light)\n"
           "  set         change it (set UUID /a/light '{\"value\": true, \"brightness\": 40}')\n";
}

std::string resourceUsage(const std::string& command) { return command == "get" ? "get UUID HREF" : "set UUID HREF JSON"; }

void printResource(const std::string& command, const std::string& device, const std::string& href, const Poco::Dynamic::Var& value,
                   std::ostream& out) {
    if (command == "set") out << href << " of " << device << " is now:\n";
    Poco::JSON::Stringifier::stringify(value, out, 2);
    out << '\n';
}

int runResourceCommand(const std::string& command, const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
    if (command != "get" && command != "set") return -1;
    const Args args(words, {{"--state-dir", true}, {"--plugin-dir", true}}, command);
    if (args.help()) {
        out << "usage: steward [--local] " << resourceUsage(command) << " [--state-dir DIR] [--plugin-dir DIR] [--json]\n\n"
            << (command == "get" ? "Reads" : "Changes (POST) and then reads")
            << " an application resource of an owned device over the gateway's owner credential; the\n"
               "device's ACEs must grant the gateway "
            << (command == "get" ? "read" : "update and read")
            << " access (the example policy lights-managed-by-gateway does).\n"
               "The value is shown as JSON (CBOR maps as objects).\n"
               "Exit status: 0 ok, 1 refused or failed, 2 usage.\n";
        return 0;
    }
    args.requirePositionals(command == "get" ? 2 : 3, command == "get" ? 2 : 3,
                            command == "get" ? "a device UUID and a resource path" : "a device UUID, a resource path and a JSON object");
    const auto& p = args.positionals();
    const auto id = core::Uuid::parse(p[0]);
    if (!id) throw UsageError("not a device UUID: '" + p[0] + "'");
    const auto& href = p[1];
    if (!core::isApplicationResource(href)) {
        throw UsageError("'" + href + "' is not an application resource (discovery and security resources have commands of their own)");
    }
    core::CborValue body;
    if (command == "set") {
        try {
            body = core::jsonObjectToCbor(p[2]);
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("the new value: ") + e.what());
        }
    }

    LocalContext ctx(resolvePaths(args.value("--state-dir"), args.value("--plugin-dir")), err);
    std::string error;
    Poco::Dynamic::Var value;
    const auto record = ctx.pdm->device(*id);
    if (!record || record->state != core::DeviceRecordState::Owned) {
        error = "device " + id->toString() + " is not owned by this gateway";
    } else {
        try {
            core::DeviceResourceSession session(*ctx.endpoint, ctx.identity, *id, {record->address, record->securePort}, kTimeout);
            if (command == "set") session.write(href, body);
            value = core::cborToJson(session.read(href));
        } catch (const core::ProvisioningError& e) {
            error = e.what();
        }
    }
    if (!error.empty()) printFailure(command, error, err);
    if (args.json()) {
        printJsonResult(error.empty(), value, error, out);
    } else if (error.empty()) {
        printResource(command, id->toString(), href, value, out);
    }
    return error.empty() ? 0 : 1;
}

}  // namespace steward::tools
