// Pending actions: revocations and resets owed to devices that were unreachable at the time.
#include <Poco/Data/Statement.h>

#include "pdm/pdm_values.hpp"
#include "pdm/poco_pdm.hpp"

namespace steward::core::detail {

using namespace Poco::Data::Keywords;

std::int64_t PocoPdm::addPendingAction(const PendingAction& p) {
    const std::string op = "addPendingAction(" + p.action + " on " + p.device.toString() + ", peer " + p.peer.toString() + ")";
    if (p.action != "revoke" && p.action != "reset") throw failure(op, "unknown action (expected revoke or reset)");
    if (p.device.isNil() || p.peer.isNil()) throw failure(op, "the nil UUID is not a device");
    return write(op, [&] {
        std::string device = p.device.toString();
        std::string peer = p.peer.toString();
        std::string action = p.action;
        std::string address = p.address;
        int securePort = p.securePort;
        std::int64_t createdAt = toMillis(p.createdAt);
        if (createdAt == 0) createdAt = toMillis(pdmNow());
        std::int64_t id = 0;
        session_ << "INSERT INTO pending_actions (device, peer, action, address, secure_port, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (device, peer, action) DO UPDATE SET address = excluded.address, "
                    "secure_port = excluded.secure_port RETURNING id",
            use(device), use(peer), use(action), use(address), use(securePort), use(createdAt), into(id), now;
        if (id == 0) throw std::runtime_error("the database returned no id");
        return id;
    });
}

std::vector<PendingAction> PocoPdm::pendingActions() const {
    return read("pendingActions()", [&] {
        std::vector<std::int64_t> ids, createdAt;
        std::vector<std::string> devices, peers, actions, addresses;
        std::vector<int> ports;
        Poco::Data::Statement select(session_);
        select << "SELECT id, device, peer, action, address, secure_port, created_at FROM pending_actions "
                  "ORDER BY created_at, id",
            into(ids), into(devices), into(peers), into(actions), into(addresses), into(ports), into(createdAt);
        select.execute();
        std::vector<PendingAction> out;
        out.reserve(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            PendingAction p;
            p.id = ids[i];
            p.device = uuidFromColumn(devices[i]);
            p.peer = uuidFromColumn(peers[i]);
            p.action = actions[i];
            p.address = addresses[i];
            p.securePort = static_cast<std::uint16_t>(ports[i]);
            p.createdAt = fromMillis(createdAt[i]);
            out.push_back(std::move(p));
        }
        return out;
    });
}

bool PocoPdm::removePendingAction(std::int64_t id) {
    return write("removePendingAction(" + std::to_string(id) + ")", [&] {
        std::int64_t row = id;
        Poco::Data::Statement del(session_);
        del << "DELETE FROM pending_actions WHERE id = ?", use(row);
        return del.execute() != 0;
    });
}

}  // namespace steward::core::detail
