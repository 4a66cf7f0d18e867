// init, show and reset: the whole-database subcommands.
#include <algorithm>
#include <sstream>

#include "commands.hpp"
#include "editor.hpp"
#include "input_parsing.hpp"
#include "owner_keys.hpp"
#include "printing.hpp"
#include "steward/model/resource_json.hpp"

namespace steward::tools {
namespace {

using Poco::JSON::Object;

Object::Ptr newObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

std::vector<int> otmsFrom(const Args& args) {
    std::vector<int> oxms;
    for (const auto& value : args.values("--otm")) {
        for (const auto& name : splitList(value)) {
            const int id = withOrigin("--otm", [&] { return parseOtm(name); });
            if (std::find(oxms.begin(), oxms.end(), id) == oxms.end()) oxms.push_back(id);
        }
    }
    if (oxms.empty()) throw InputError("--otm: no ownership transfer method given");
    return oxms;
}

// The selections show accepts, each with the JSON member it prints.
struct Selection {
    std::string_view name;
    std::string_view member;
};
constexpr Selection kSelections[] = {{"doxm", "doxm"},         {"pstat", "pstat"},     {"cred", "cred"},
                                     {"acl", "acl2"},          {"acl2", "acl2"},       {"pconf", "pconf"},
                                     {"dpairing", "dpairing"}, {"resetpf", "resetpf"}, {"all", ""}};

const Selection& selectionFor(const std::string& name) {
    for (const auto& s : kSelections) {
        if (s.name == name) return s;
    }
    throw UsageError("unknown resource '" + name +
                     "' for 'show' (expected doxm, pstat, cred, acl, pconf, dpairing, "
                     "resetpf or all)");
}

}  // namespace

int runInit(const Args& args, Output& out) {
    args.requirePositionals(1, 1, "a database FILE");
    const std::filesystem::path file = args.positionals()[0];
    core::DeviceProfile profile;
    if (args.has("--otm")) profile.oxms = otmsFrom(args);
    profile.directPairing = args.has("--direct-pairing");
    const core::Uuid id = Editor::createDatabase(file, profile, args.value("--uuid-seed"));

    Object::Ptr doc = okDocument();
    doc->set("deviceuuid", id.toString());
    doc->set("file", file.string());
    out.ok(doc, id.toString());
    return 0;
}

int runShow(const Args& args, Output& out) {
    args.requirePositionals(1, 2, "a database FILE");
    const Selection& selection = selectionFor(args.positionals().size() > 1 ? args.positionals()[1] : "all");
    // Read-only: no lock, so a running device keeps its database.
    const auto db = core::SvrDatabase::open(args.positionals()[0], core::SvrAccess::ReadOnly);
    const core::SecurityResources& r = db.resources();
    const bool withOwnerKeys = selection.name == "all" || selection.name == "cred";
    const auto ownerKeys = withOwnerKeys ? readOwnerKeys(db.file()) : std::nullopt;

    if (selection.name == "all") {
        std::ostringstream text;
        printAll(text, r, ownerKeys ? &*ownerKeys : nullptr);
        Object::Ptr doc = core::securityResourcesToJson(r);
        if (ownerKeys) doc->set("owner_key_log", ownerKeysToJson(*ownerKeys));
        out.document(doc, text.str());
        return 0;
    }
    Object::Ptr doc = newObject();
    std::ostringstream text;
    const std::string_view name = selection.name;
    const std::string member(selection.member);
    if (name == "doxm") {
        doc->set(member, core::doxmToJson(r.doxm));
        printDoxm(text, r.doxm);
    } else if (name == "pstat") {
        doc->set(member, core::pstatToJson(r.pstat));
        printPstat(text, r.pstat);
    } else if (name == "cred") {
        doc->set(member, core::credToJson(r.cred));
        printCred(text, r.cred);
        if (ownerKeys) {
            doc->set("owner_key_log", ownerKeysToJson(*ownerKeys));
            text << '\n';
            printOwnerKeys(text, *ownerKeys);
        }
    } else if (name == "acl" || name == "acl2") {
        doc->set(member, core::acl2ToJson(r.acl));
        printAcl(text, r.acl);
    } else if (name == "pconf") {
        if (r.pconf) {
            doc->set(member, core::pconfToJson(*r.pconf));
            printPconf(text, *r.pconf);
        } else {
            doc->set(member, Poco::Dynamic::Var());
            text << "pconf: not present (the device is not direct-pairing capable)\n";
        }
    } else if (name == "dpairing") {
        if (r.dpairing) {
            doc->set(member, core::dpairingToJson(*r.dpairing));
            printDpairing(text, *r.dpairing);
        } else {
            doc->set(member, Poco::Dynamic::Var());
            text << "dpairing: not present (the device is not direct-pairing capable)\n";
        }
    } else {  // resetpf
        doc->set(member, core::securityResourcesToJson(db.resetProfile()));
        text << "reset profile (what a local or remote reset restores)\n\n";
        printAll(text, db.resetProfile());
    }
    out.document(doc, text.str());
    return 0;
}

int runReset(const Args& args, Output& out) {
    args.requirePositionals(1, 1, "a database FILE");
    Editor editor(args.positionals()[0]);
    editor.reset();
    Object::Ptr doc = okDocument();
    doc->set("deviceuuid", editor.resources().doxm.deviceuuid.toString());
    out.ok(doc, "reset " + editor.file().string() + " to its reset profile (device " + editor.resources().doxm.deviceuuid.toString() + ")");
    return 0;
}

}  // namespace steward::tools
