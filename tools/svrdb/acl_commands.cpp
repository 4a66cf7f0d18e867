// acl add / modify / delete.
#include "commands.hpp"
#include "editor.hpp"
#include "input_parsing.hpp"

namespace steward::tools {
namespace {

std::vector<core::AceResource> resourcesFrom(const Args& args) {
    std::vector<core::AceResource> resources;
    for (const auto& value : args.values("--resource")) {
        resources.push_back(withOrigin("--resource", [&] { return parseAceResource(value); }));
    }
    return resources;
}

std::vector<core::Validity> validityFrom(const Args& args) {
    std::vector<core::Validity> validity;
    for (const auto& value : args.values("--validity")) {
        validity.push_back(withOrigin("--validity", [&] { return parseValidity(value); }));
    }
    return validity;
}

int idArgument(const Args& args, const std::string& what) {
    args.requirePositionals(2, 2, "a database FILE and an " + what);
    return withOrigin(what, [&] { return parseId(args.positionals()[1], what); });
}

void reportAce(Output& out, int aceid, const std::string& verb) {
    Poco::JSON::Object::Ptr doc = okDocument();
    doc->set("aceid", aceid);
    out.ok(doc, verb + " ACE " + std::to_string(aceid));
}

}  // namespace

int runAclAdd(const Args& args, Output& out) {
    args.requirePositionals(1, 1, "a database FILE");
    for (const char* required : {"--subject", "--resource", "--perm"}) {
        if (!args.has(required)) throw UsageError("'acl add' needs " + std::string(required));
    }
    core::Ace ace;
    ace.subject = withOrigin("--subject", [&] { return parseAceSubject(*args.value("--subject")); });
    ace.resources = resourcesFrom(args);
    ace.permission = withOrigin("--perm", [&] { return parsePermission(*args.value("--perm")); });
    ace.validity = validityFrom(args);

    Editor editor(args.positionals()[0]);
    reportAce(out, editor.addAce(ace), "added");
    return 0;
}

int runAclModify(const Args& args, Output& out) {
    const int aceid = idArgument(args, "aceid");
    AcePatch patch;
    if (auto s = args.value("--subject")) patch.subject = withOrigin("--subject", [&] { return parseAceSubject(*s); });
    if (args.has("--resource")) patch.resources = resourcesFrom(args);
    if (auto p = args.value("--perm")) patch.permission = withOrigin("--perm", [&] { return parsePermission(*p); });
    if (args.has("--validity") && args.has("--no-validity")) {
        throw UsageError("--validity and --no-validity contradict each other");
    }
    if (args.has("--validity")) patch.validity = validityFrom(args);
    if (args.has("--no-validity")) patch.validity.emplace();
    if (!patch.subject && !patch.resources && !patch.permission && !patch.validity) {
        throw UsageError("'acl modify' needs at least one of --subject, --resource, --perm, --validity, --no-validity");
    }

    Editor editor(args.positionals()[0]);
    editor.modifyAce(aceid, patch);
    reportAce(out, aceid, "modified");
    return 0;
}

int runAclDelete(const Args& args, Output& out) {
    const int aceid = idArgument(args, "aceid");
    Editor editor(args.positionals()[0]);
    editor.deleteAce(aceid);
    reportAce(out, aceid, "deleted");
    return 0;
}

}  // namespace steward::tools
