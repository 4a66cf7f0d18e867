// Blocked devices: removed by the user, not to be owned again unasked.
#include <Poco/Data/Statement.h>

#include "pdm/pdm_values.hpp"
#include "pdm/poco_pdm.hpp"

namespace steward::core::detail {

using namespace Poco::Data::Keywords;

void PocoPdm::blockDevice(const Uuid& id, const std::string& reason) {
    const std::string op = "blockDevice(" + id.toString() + ")";
    if (id.isNil()) throw failure(op, "the nil UUID is not a device");
    write(op, [&] {
        std::string uuid = id.toString();
        std::string why = reason;
        std::int64_t blockedAt = toMillis(pdmNow());
        session_ << "INSERT INTO blocked_devices (uuid, reason, blocked_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (uuid) DO UPDATE SET reason = excluded.reason",
            use(uuid), use(why), use(blockedAt), now;
    });
}

bool PocoPdm::unblockDevice(const Uuid& id) {
    return write("unblockDevice(" + id.toString() + ")", [&] {
        std::string uuid = id.toString();
        Poco::Data::Statement del(session_);
        del << "DELETE FROM blocked_devices WHERE uuid = ?", use(uuid);
        return del.execute() != 0;
    });
}

std::vector<BlockedDevice> PocoPdm::blockedDevices() const {
    return read("blockedDevices()", [&] {
        std::vector<std::string> uuids, reasons;
        std::vector<std::int64_t> times;
        Poco::Data::Statement select(session_);
        select << "SELECT uuid, reason, blocked_at FROM blocked_devices ORDER BY blocked_at, uuid", into(uuids), into(reasons), into(times);
        select.execute();
        std::vector<BlockedDevice> out;
        out.reserve(uuids.size());
        for (std::size_t i = 0; i < uuids.size(); ++i) out.push_back({uuidFromColumn(uuids[i]), reasons[i], fromMillis(times[i])});
        return out;
    });
}

bool PocoPdm::isBlocked(const Uuid& id) const {
    return read("isBlocked(" + id.toString() + ")", [&] {
        std::string uuid = id.toString();
        int count = 0;
        session_ << "SELECT COUNT(*) FROM blocked_devices WHERE uuid = ?", use(uuid), into(count), now;
        return count != 0;
    });
}

}  // namespace steward::core::detail
