// ACEs: what the gateway installed in each device's ACL. An ACE is identified by its device,
// subject, set of resources and permission; adding the same one twice returns the first row.
#include <Poco/Data/Statement.h>

#include "pdm/pdm_values.hpp"
#include "pdm/poco_pdm.hpp"

namespace steward::core::detail {

using namespace Poco::Data::Keywords;

std::int64_t PocoPdm::addAce(const AceRecord& a) {
    return write("addAce(" + a.device.toString() + ", subject " + a.subject + ")", [&] {
        std::string device = a.device.toString();
        int aceid = a.aceid;
        std::string subject = a.subject;
        std::string resources = resourcesToJson(a.resources);
        std::string key = resourcesKey(a.resources);
        int permission = a.permission;
        std::string origin = a.origin;
        std::int64_t createdAt = toMillis(a.createdAt);
        if (createdAt == 0) createdAt = toMillis(pdmNow());
        // A device that is not in the PDM fails the foreign key; an identical ACE is kept as it is.
        session_ << "INSERT INTO aces (device, aceid, subject, resources, resource_key, permission, origin, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (device, subject, resource_key, permission) DO NOTHING",
            use(device), use(aceid), use(subject), use(resources), use(key), use(permission), use(origin), use(createdAt), now;
        std::int64_t id = 0;
        session_ << "SELECT id FROM aces WHERE device = ? AND subject = ? AND resource_key = ? AND permission = ?", use(device),
            use(subject), use(key), use(permission), into(id), now;
        if (id == 0) throw std::runtime_error("the ACE is not in the database after inserting it");
        return id;
    });
}

bool PocoPdm::removeAce(std::int64_t id) {
    return write("removeAce(" + std::to_string(id) + ")", [&] {
        std::int64_t ace = id;
        Poco::Data::Statement remove(session_);
        remove << "DELETE FROM aces WHERE id = ?", use(ace);
        return remove.execute() > 0;
    });
}

std::vector<AceRecord> PocoPdm::aces(const Uuid& device) const {
    return read("aces(" + device.toString() + ")", [&] {
        std::string uuid = device.toString();
        std::vector<std::int64_t> ids, createdAt;
        std::vector<std::string> devices, subjects, resources, origins;
        std::vector<int> aceids, permissions;
        Poco::Data::Statement select(session_);
        select << "SELECT id, device, aceid, subject, resources, permission, origin, created_at "
                  "FROM aces WHERE device = ? ORDER BY id",
            use(uuid), into(ids), into(devices), into(aceids), into(subjects), into(resources), into(permissions), into(origins),
            into(createdAt);
        select.execute();

        std::vector<AceRecord> records;
        records.reserve(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            AceRecord a;
            a.id = ids[i];
            a.device = uuidFromColumn(devices[i]);
            a.aceid = aceids[i];
            a.subject = subjects[i];
            a.resources = resourcesFromJson(resources[i]);
            a.permission = permissions[i];
            a.origin = origins[i];
            a.createdAt = fromMillis(createdAt[i]);
            records.push_back(std::move(a));
        }
        return records;
    });
}

}  // namespace steward::core::detail
