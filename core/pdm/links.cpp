// Links: one row per linked pair of devices, kept as (a, b) with a < b so that a pair has one row
// whichever order the caller names it in; and direct links (Direct Pairing), one row per (server,
// client), in a table of their own because the client may be a guest the gateway does not own.
// Reads see both tables as one list of links.
#include <Poco/Data/Statement.h>

#include <utility>

#include "pdm/pdm_values.hpp"
#include "pdm/poco_pdm.hpp"

namespace steward::core::detail {

using namespace Poco::Data::Keywords;

namespace {

constexpr const char* kOrder = " ORDER BY created_at, a, b, direct";

// Both kinds of link as one relation (a, b, stale, pending_action, created_at, direct).
constexpr const char* kAllLinks =
    "(SELECT device_a AS a, device_b AS b, stale, pending_action, created_at, 0 AS direct FROM links"
    " UNION ALL SELECT server, client, stale, pending_action, created_at, 1 FROM direct_links)";

// Text order of the lowercase UUID equals the order of its bytes.
std::pair<std::string, std::string> ordered(const Uuid& a, const Uuid& b) {
    if (b < a) return {b.toString(), a.toString()};
    return {a.toString(), b.toString()};
}

std::string operation(const char* name, const Uuid& a, const Uuid& b) {
    return std::string(name) + "(" + a.toString() + ", " + b.toString() + ")";
}

}  // namespace

std::vector<LinkRecord> PocoPdm::queryLinks(const std::string& tail, std::vector<std::string> params) const {
    std::vector<std::string> as, bs, actions;
    std::vector<int> stale, direct;
    std::vector<std::int64_t> createdAt;
    Poco::Data::Statement select(session_);
    select << std::string("SELECT a, b, stale, pending_action, created_at, direct FROM ") + kAllLinks + " AS l " + tail;
    for (auto& p : params) select.addBind(use(p));
    select.addExtract(into(as));
    select.addExtract(into(bs));
    select.addExtract(into(stale));
    select.addExtract(into(actions));
    select.addExtract(into(createdAt));
    select.addExtract(into(direct));
    select.execute();

    std::vector<LinkRecord> records;
    records.reserve(as.size());
    for (std::size_t i = 0; i < as.size(); ++i) {
        LinkRecord l;
        l.a = uuidFromColumn(as[i]);
        l.b = uuidFromColumn(bs[i]);
        l.stale = stale[i] != 0;
        l.pendingAction = actions[i];
        l.createdAt = fromMillis(createdAt[i]);
        l.direct = direct[i] != 0;
        records.push_back(std::move(l));
    }
    return records;
}

void PocoPdm::putLink(const Uuid& a, const Uuid& b) {
    const std::string op = operation("putLink", a, b);
    if (a == b) throw failure(op, "a device cannot be linked to itself");
    write(op, [&] {
        auto [first, second] = ordered(a, b);
        std::int64_t createdAt = toMillis(pdmNow());
        // A missing device fails the foreign keys; an existing link is left as it is.
        session_ << "INSERT INTO links (device_a, device_b, stale, pending_action, created_at) "
                    "VALUES (?, ?, 0, '', ?) ON CONFLICT (device_a, device_b) DO NOTHING",
            use(first), use(second), use(createdAt), now;
    });
}

void PocoPdm::putDirectLink(const Uuid& server, const Uuid& client) {
    const std::string op = operation("putDirectLink", server, client);
    if (server == client) throw failure(op, "a device cannot be paired with itself");
    write(op, [&] {
        std::string s = server.toString();
        std::string c = client.toString();
        std::int64_t createdAt = toMillis(pdmNow());
        // An unknown server fails the foreign key; an existing direct link is left as it is.
        session_ << "INSERT INTO direct_links (server, client, stale, pending_action, created_at) "
                    "VALUES (?, ?, 0, '', ?) ON CONFLICT (server, client) DO NOTHING",
            use(s), use(c), use(createdAt), now;
    });
}

void PocoPdm::setLinkStale(const Uuid& a, const Uuid& b, bool stale, const std::string& pendingAction) {
    write(operation("setLinkStale", a, b), [&] {
        auto [first, second] = ordered(a, b);
        int flag = stale ? 1 : 0;
        std::string action = pendingAction;
        Poco::Data::Statement update(session_);
        update << "UPDATE links SET stale = ?, pending_action = ? WHERE device_a = ? AND device_b = ?", use(flag), use(action), use(first),
            use(second);
        std::size_t changed = update.execute();
        Poco::Data::Statement direct(session_);
        direct << "UPDATE direct_links SET stale = ?, pending_action = ? WHERE (server = ? AND client = ?) OR (server = ? AND client = ?)",
            use(flag), use(action), use(first), use(second), use(second), use(first);
        changed += direct.execute();
        if (changed == 0) throw std::runtime_error("no such link");
    });
}

bool PocoPdm::removeLink(const Uuid& a, const Uuid& b) {
    return write(operation("removeLink", a, b), [&] {
        auto [first, second] = ordered(a, b);
        Poco::Data::Statement remove(session_);
        remove << "DELETE FROM links WHERE device_a = ? AND device_b = ?", use(first), use(second);
        std::size_t removed = remove.execute();
        Poco::Data::Statement direct(session_);
        direct << "DELETE FROM direct_links WHERE (server = ? AND client = ?) OR (server = ? AND client = ?)", use(first), use(second),
            use(second), use(first);
        removed += direct.execute();
        return removed > 0;
    });
}

bool PocoPdm::removeDirectLink(const Uuid& server, const Uuid& client) {
    return write(operation("removeDirectLink", server, client), [&] {
        std::string s = server.toString();
        std::string c = client.toString();
        Poco::Data::Statement remove(session_);
        remove << "DELETE FROM direct_links WHERE server = ? AND client = ?", use(s), use(c);
        return remove.execute() > 0;
    });
}

std::optional<LinkRecord> PocoPdm::link(const Uuid& a, const Uuid& b) const {
    return read(operation("link", a, b), [&]() -> std::optional<LinkRecord> {
        auto [first, second] = ordered(a, b);
        // Pairwise first, then a as the server, then b as the server.
        auto found = queryLinks(
            "WHERE (direct = 0 AND a = ? AND b = ?) OR (direct = 1 AND ((a = ? AND b = ?) OR (a = ? AND b = ?))) "
            "ORDER BY direct, a = ? DESC LIMIT 1",
            {first, second, a.toString(), b.toString(), b.toString(), a.toString(), a.toString()});
        if (found.empty()) return std::nullopt;
        return std::move(found.front());
    });
}

std::vector<LinkRecord> PocoPdm::links(const Uuid& device) const {
    return read("links(" + device.toString() + ")", [&] {
        const std::string id = device.toString();
        return queryLinks(std::string("WHERE a = ? OR b = ?") + kOrder, {id, id});
    });
}

std::vector<LinkRecord> PocoPdm::staleLinks() const {
    return read("staleLinks", [&] { return queryLinks(std::string("WHERE stale <> 0") + kOrder, {}); });
}

}  // namespace steward::core::detail
