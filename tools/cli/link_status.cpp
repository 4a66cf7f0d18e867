#include "link_status.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "args.hpp"
#include "errors.hpp"
#include "local_context.hpp"

namespace steward::tools {

std::vector<core::Uuid> linkedPeers(const core::ProvisioningDatabase& pdm, const core::Uuid& device) {
    std::vector<core::Uuid> out;
    for (const auto& l : pdm.links(device)) out.push_back(l.a == device ? l.b : l.a);
    return out;
}

void printLinkStatus(const std::vector<LinkLine>& links, const std::vector<OwedLine>& owed, std::ostream& out) {
    out << "> Checked Link Status on the provisioning database (" << links.size() << " link(s))\n";
    for (std::size_t i = 0; i < links.size(); ++i) {
        const auto& l = links[i];
        if (l.direct) {
            out << " [" << i + 1 << "] " << l.a << " <- " << l.b << "  (direct pairing)";
        } else {
            out << " [" << i + 1 << "] " << l.a << " <-> " << l.b;
        }
        if (l.stale) out << "  STALE (pending " << l.pending << ")";
        out << '\n';
    }
    for (const auto& p : owed) out << " pending: " << p.action << " on " << p.device << " (for " << p.peer << ")\n";
}

int runLinkStatus(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
    const Args args(words, {{"--state-dir", true}, {"--plugin-dir", true}}, "links");
    if (args.help()) {
        out << "usage: steward [--local] links [UUID] [--state-dir DIR] [--json]\n\n"
               "The links of one device (or of every device) from the provisioning database, stale ones marked with\n"
               "what is still to be done, and the revocations/resets owed to unreachable devices. Pairwise links\n"
               "(made by the gateway) show as A <-> B; direct pairings the devices made themselves (recorded by\n"
               "sync) as SERVER <- CLIENT (direct pairing), the client possibly a guest device the gateway does not\n"
               "own. --json gives each link's \"kind\": \"pairwise\" or \"direct\".\n";
        return 0;
    }
    args.requirePositionals(0, 1, "at most one device UUID");
    LocalContext ctx(resolvePaths(args.value("--state-dir"), args.value("--plugin-dir")), err);
    std::vector<core::LinkRecord> links;
    if (args.positionals().empty()) {
        for (const auto& d : ctx.pdm->devices()) {
            for (const auto& l : ctx.pdm->links(d.id)) {
                if (l.a == d.id) links.push_back(l);  // each link once (a direct link under its server)
            }
        }
    } else {
        const auto id = core::Uuid::parse(args.positionals()[0]);
        if (!id) throw UsageError("not a device UUID: '" + args.positionals()[0] + "'");
        links = ctx.pdm->links(*id);  // a guest client of a direct pairing has links but no record
        if (links.empty() && !ctx.pdm->device(*id))
            throw InputError("unknown device " + id->toString() + " (not in the provisioning database)");
    }
    const auto pending = ctx.pdm->pendingActions();
    if (args.json()) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        Poco::JSON::Array list;
        for (const auto& l : links) {
            Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            j->set("kind", l.direct ? "direct" : "pairwise");
            j->set("a", l.a.toString());  // direct: the server
            j->set("b", l.b.toString());  // direct: the client, possibly a guest device
            j->set("stale", l.stale);
            j->set("pending", l.pendingAction);
            list.add(j);
        }
        Poco::JSON::Array owed;
        for (const auto& p : pending) {
            Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            j->set("device", p.device.toString());
            j->set("action", p.action);
            j->set("peer", p.peer.toString());
            owed.add(j);
        }
        o.set("links", list);
        o.set("pending", owed);
        o.stringify(out);
        out << '\n';
        return 0;
    }
    std::vector<LinkLine> lines;
    for (const auto& l : links) lines.push_back({l.a.toString(), l.b.toString(), l.direct, l.stale, l.pendingAction});
    std::vector<OwedLine> owed;
    for (const auto& p : pending) owed.push_back({p.device.toString(), p.action, p.peer.toString()});
    printLinkStatus(lines, owed, out);
    return 0;
}

}  // namespace steward::tools
