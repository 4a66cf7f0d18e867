#include "remote_output.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>

#include "link_status.hpp"

namespace steward::tools {
namespace {

using Object = Poco::JSON::Object::Ptr;

std::string text(const Object& o, const std::string& key, const std::string& fallback = "") {
    if (!o || !o->has(key) || o->get(key).isEmpty()) return fallback;
    try {
        return o->get(key).convert<std::string>();
    } catch (const Poco::Exception&) {
        return fallback;
    }
}

std::int64_t number(const Object& o, const std::string& key, std::int64_t fallback = 0) {
    if (!o || !o->has(key)) return fallback;
    try {
        return o->get(key).convert<std::int64_t>();
    } catch (const Poco::Exception&) {
        return fallback;
    }
}

bool flag(const Object& o, const std::string& key) {
    if (!o || !o->has(key)) return false;
    try {
        return o->get(key).convert<bool>();
    } catch (const Poco::Exception&) {
        return false;
    }
}

std::vector<std::string> strings(const Object& o, const std::string& key) {
    std::vector<std::string> out;
    const auto a = o ? o->getArray(key) : nullptr;
    if (!a) return out;
    for (std::size_t i = 0; i < a->size(); ++i) out.push_back(a->get(static_cast<unsigned>(i)).convert<std::string>());
    return out;
}

std::string joined(const std::vector<std::string>& items, const std::string& separator = ", ") {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
    return out;
}

Object asObject(const Poco::Dynamic::Var& data) {
    return data.type() == typeid(Poco::JSON::Object::Ptr) ? data.extract<Poco::JSON::Object::Ptr>() : nullptr;
}

void printJson(const Poco::Dynamic::Var& data, std::ostream& out) {
    Poco::JSON::Stringifier::stringify(data, out, 2);
    out << '\n';
}

// "coaps://10.0.0.5:5684" as "10.0.0.5:5684" (brackets kept for IPv6).
std::string address(const std::string& endpoint) {
    const auto scheme = endpoint.find("://");
    return scheme == std::string::npos ? endpoint : endpoint.substr(scheme + 3);
}

void printDevices(const Poco::Dynamic::Var& data, std::ostream& out) {
    if (data.type() != typeid(Poco::JSON::Array::Ptr)) return printJson(data, out);
    const auto list = data.extract<Poco::JSON::Array::Ptr>();
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> notes;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto d = list->getObject(static_cast<unsigned>(i));
        if (!d) continue;
        const auto uuid = text(d, "uuid");
        auto method = methodName(text(d, "otm"));  // the method it was owned with, else the ones it offers
        if (method.empty()) method = joined(strings(d, "methods"), ",");
        rows.push_back(
            {uuid, text(d, "name"), text(d, "state"), method, address(text(d, "endpoint")), joined(strings(d, "policies"), ",")});
        if (!text(d, "error").empty()) notes.push_back(uuid + ": " + text(d, "error"));
        if (const auto blocked = d->getObject("blocked")) {
            notes.push_back(uuid + ": blocked (" + text(blocked, "reason", "removed") + ") since " + text(blocked, "since", "?") +
                            "; steward admit " + uuid + " lifts it");
        }
    }
    out << rows.size() << " device(s)\n";
    if (rows.empty()) return;
    printTable({"UUID", "NAME", "STATUS", "METHOD", "ADDRESS", "POLICIES"}, rows, out);
    for (const auto& n : notes) out << "  " << n << '\n';
}

void printInfo(const Object& o, std::ostream& out) {
    out << "stewardd " << text(o, "version", "?") << '\n';
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"gateway", text(o, "gateway")});
    std::vector<std::string> loaded, skipped;
    if (const auto plugins = o->getArray("plugins")) {
        for (std::size_t i = 0; i < plugins->size(); ++i) {
            const auto p = plugins->getObject(static_cast<unsigned>(i));
            if (!p) continue;
            if (flag(p, "loaded")) {
                loaded.push_back(text(p, "name", text(p, "path")) + (text(p, "version").empty() ? "" : " " + text(p, "version")));
            } else {
                skipped.push_back(text(p, "path") + ": " + text(p, "reason", "skipped"));
            }
        }
    }
    rows.push_back({"plugins", std::to_string(loaded.size()) + " loaded" + (loaded.empty() ? "" : ": " + joined(loaded))});
    for (const auto& s : skipped) rows.push_back({"", "skipped " + s});
    if (const auto cfg = o->getObject("config")) {
        std::string mode = text(cfg, "ownership_mode", "?");
        std::vector<std::string> details;
        details.push_back(flag(cfg, "allow_justworks") ? "Just-Works allowed" : "Random PIN only");
        if (flag(cfg, "approval")) details.push_back("approval required");
        rows.push_back({"ownership", mode + " (" + joined(details) + ")"});
        const auto remaining = number(cfg, "permit_join_remaining");
        rows.push_back({"permit-join", remaining > 0 ? "open, " + std::to_string(remaining) + " s left" : "closed"});
        if (cfg->has("policies")) {
            const auto policies = cfg->get("policies");
            rows.push_back(
                {"policies", policies.isArray() ? joined(strings(cfg, "policies")) : policies.convert<std::string>() + " active"});
        }
        std::vector<std::string> where;
        if (const auto ifs = strings(cfg, "discovery_interfaces"); !ifs.empty()) where.push_back("multicast on " + joined(ifs));
        if (const auto uni = strings(cfg, "discovery_unicast"); !uni.empty()) where.push_back("unicast " + joined(uni));
        rows.push_back({"discovery", where.empty() ? "nowhere configured" : joined(where, "; ")});
    }
    if (const auto idprov = o->getObject("idprov")) {
        std::string state;
        if (!flag(idprov, "enabled")) {
            state = "disabled";
        } else if (flag(idprov, "running")) {
            state = "running at " + text(idprov, "url", "port " + text(idprov, "port"));
        } else {
            state = "not running" + (text(idprov, "error").empty() ? "" : ": " + text(idprov, "error"));
        }
        rows.push_back({"idprov", state});
    }
    // Label and value; an empty label continues the line above.
    std::size_t width = 0;
    for (const auto& r : rows) width = std::max(width, r[0].size());
    for (const auto& r : rows) out << r[0] << std::string(width - r[0].size() + 2, ' ') << r[1] << '\n';
}

void printMetrics(const Object& o, std::ostream& out) {
    const auto times = o->getObject("time_to_own_ms");
    std::vector<std::string> failures;
    if (const auto byReason = o->getObject("failures")) {
        for (const auto& [reason, n] : *byReason) failures.push_back(reason + ": " + n.convert<std::string>());
    }
    const std::vector<std::vector<std::string>> rows = {
        {"devices owned", std::to_string(number(o, "devices_owned"))},
        {"time to own",
         times ? "p50 " + std::to_string(number(times, "p50")) + " ms, p99 " + std::to_string(number(times, "p99")) + " ms" : "-"},
        {"failures", std::to_string(number(o, "failures_total")) + (failures.empty() ? "" : " (" + joined(failures) + ")")},
        {"retries", std::to_string(number(o, "retries"))},
    };
    std::size_t width = 0;
    for (const auto& r : rows) width = std::max(width, r[0].size());
    for (const auto& r : rows) out << r[0] << std::string(width - r[0].size() + 2, ' ') << r[1] << '\n';
}

void printLinks(const Object& o, std::ostream& out) {
    std::vector<LinkLine> lines;
    if (const auto links = o->getArray("links")) {
        for (std::size_t i = 0; i < links->size(); ++i) {
            const auto l = links->getObject(static_cast<unsigned>(i));
            if (l) lines.push_back({text(l, "a"), text(l, "b"), text(l, "kind") == "direct", flag(l, "stale"), text(l, "pending")});
        }
    }
    std::vector<OwedLine> owed;
    if (const auto pending = o->getArray("pending")) {
        for (std::size_t i = 0; i < pending->size(); ++i) {
            const auto p = pending->getObject(static_cast<unsigned>(i));
            if (p) owed.push_back({text(p, "device"), text(p, "action"), text(p, "peer")});
        }
    }
    printLinkStatus(lines, owed, out);
}

// acl, pair, link, unlink, remove, reset, cert, sync, direct-pairing: what was done and deferred.
void printOutcome(const Object& o, std::ostream& out) {
    printOutcomeLines(strings(o, "done"), strings(o, "deferred"), out);
    // remove: the device is blocked until admitted; say how to undo it.
    if (flag(o, "blocked") && o->has("device")) {
        out << "blocked: permit-join and automatic mode will not own " << text(o, "device") << " again (steward admit " << text(o, "device")
            << " lifts that)\n";
    }
    // direct-pairing: the PIN stewardd made, shown once, as the local command shows it.
    if (o->has("pin")) out << "pre-configured PIN: " << text(o, "pin") << '\n';
}

void printPolicyReload(const Object& o, std::ostream& out) {
    const auto added = strings(o, "added"), removed = strings(o, "removed"), changed = strings(o, "changed");
    if (added.empty() && removed.empty() && changed.empty()) {
        out << "policies reloaded: no change\n";
        return;
    }
    const auto part = [](const std::vector<std::string>& names, const char* what) {
        return std::to_string(names.size()) + " " + what + (names.empty() ? "" : " (" + joined(names) + ")");
    };
    out << "policies reloaded: " << part(added, "added") << ", " << part(removed, "removed") << ", " << part(changed, "changed") << '\n';
}

}  // namespace

void printTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows, std::ostream& out,
                const std::string& indent) {
    std::vector<std::size_t> widths(header.size(), 0);
    const auto cell = [](const std::vector<std::string>& row, std::size_t i) {
        return i < row.size() && !row[i].empty() ? row[i] : std::string("-");
    };
    for (std::size_t i = 0; i < header.size(); ++i) {
        widths[i] = header[i].size();
        for (const auto& r : rows) widths[i] = std::max(widths[i], cell(r, i).size());
    }
    const auto line = [&](const std::vector<std::string>& row, bool isHeader) {
        out << indent;
        for (std::size_t i = 0; i < header.size(); ++i) {
            const auto c = isHeader ? row[i] : cell(row, i);
            out << c;
            if (i + 1 < header.size()) out << std::string(widths[i] - c.size() + 2, ' ');
        }
        out << '\n';
    };
    line(header, true);
    for (const auto& r : rows) line(r, false);
}

void printResponse(const std::string& command, const Poco::JSON::Object::Ptr& request, const Poco::Dynamic::Var& data, std::ostream& out) {
    if (command == "devices") return printDevices(data, out);
    const auto o = asObject(data);
    if (!o) {
        if (!data.isEmpty()) printJson(data, out);
        return;
    }
    const auto device = text(o, "device", text(request, "device"));
    if (command == "info") return printInfo(o, out);
    if (command == "metrics") return printMetrics(o, out);
    if (command == "links") return printLinks(o, out);
    if (command == "policy-reload") return printPolicyReload(o, out);
    if (command == "own") {
        out << ownLine(device, text(o, "method"), text(o, "status", "owned"), number(o, "ms")) << '\n';
        return;
    }
    if (command == "pin") {
        out << "PIN sent to " << device << '\n';
        return;
    }
    if (command == "permit-join") {
        const auto granted = number(o, "time");
        if (granted <= 0) {
            out << "permit-join closed\n";
        } else {
            out << "permit-join open for " << granted << " s";
            if (request && request->has("time") && number(request, "time") > granted) out << " (the most the daemon allows)";
            out << '\n';
        }
        return;
    }
    if (command == "approve") {
        out << device << " approved: stewardd is taking ownership of it (steward devices shows how it went)\n";
        return;
    }
    if (command == "deny") {
        out << device << " denied: it stays unowned\n";
        return;
    }
    if (command == "admit") {
        out << device << " admitted: permit-join and automatic mode may own it again\n";
        return;
    }
    if (command == "rename") {
        out << device << " renamed \"" << text(o, "name", text(request, "name")) << "\"\n";
        return;
    }
    if (command == "idprov-oob") {
        out << "out-of-band secret for " << text(o, "device_id", text(request, "device_id")) << " accepted";
        if (!text(o, "valid_until").empty()) out << " (valid until " << text(o, "valid_until") << ")";
        out << '\n';
        return;
    }
    if (o->has("done") || o->has("deferred")) return printOutcome(o, out);
    printJson(data, out);
}

void printFailure(const std::string& command, const std::string& error, std::ostream& err) {
    err << "steward: " << command << ": " << error << '\n';
}

std::string progressLine(std::int64_t done, std::int64_t total, const std::string& text) {
    return "[" + std::to_string(done) + "/" + std::to_string(total) + "] " + text;
}

std::string progressEventLine(const Poco::JSON::Object::Ptr& data) {
    const auto action = text(data, "action");
    const auto message = text(data, "message");
    std::string what = action;
    if (!message.empty()) what += (what.empty() ? "" : ": ") + message;
    // Work that does not know how much is left says only what it is doing.
    const auto total = number(data, "total");
    return total > 0 ? progressLine(number(data, "done"), total, what) : what;
}

std::string methodName(const std::string& oxm) {
    if (oxm == "oic.sec.doxm.jw") return "justworks";
    if (oxm == "oic.sec.doxm.rdp") return "randompin";
    return oxm;
}

std::string ownLine(const std::string& device, const std::string& method, const std::string& what, std::int64_t ms) {
    return device + (method.empty() ? "" : " (" + methodName(method) + ")") + ": " + what + " in " + std::to_string(ms) + " ms";
}

void printOutcomeLines(const std::vector<std::string>& done, const std::vector<std::string>& deferred, std::ostream& out) {
    for (const auto& d : done) out << d << '\n';
    for (const auto& d : deferred) out << "deferred: " << d << '\n';
    if (done.empty() && deferred.empty()) out << "nothing to do\n";
}

}  // namespace steward::tools
