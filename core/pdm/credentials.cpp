// Credentials: what the gateway installed on each device (never the key itself).
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include "pdm/pdm_values.hpp"
#include "pdm/poco_pdm.hpp"

namespace steward::core::detail {

using namespace Poco::Data::Keywords;

std::int64_t PocoPdm::addCredential(const CredentialRecord& c) {
    return write("addCredential(" + c.device.toString() + ", subject " + c.subject.toString() + ")", [&] {
        std::string device = c.device.toString();
        std::string subject = c.subject.toString();
        int credtype = c.credtype;
        int keyBits = c.keyBits;
        std::int64_t createdAt = toMillis(c.createdAt);
        if (createdAt == 0) createdAt = toMillis(pdmNow());
        Poco::Nullable<std::int64_t> revokedAt;
        if (c.revokedAt) revokedAt = toMillis(*c.revokedAt);
        std::int64_t id = 0;
        // A device that is not in the PDM fails the foreign key.
        session_ << "INSERT INTO credentials (device, subject, credtype, key_bits, created_at, revoked_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            use(device), use(subject), use(credtype), use(keyBits), use(createdAt), use(revokedAt), into(id), now;
        if (id == 0) throw std::runtime_error("the database returned no id");
        return id;
    });
}

void PocoPdm::revokeCredential(std::int64_t id) {
    write("revokeCredential(" + std::to_string(id) + ")", [&] {
        std::int64_t credential = id;
        std::int64_t nowMs = toMillis(pdmNow());
        Poco::Data::Statement update(session_);
        // The first revocation time stays.
        update << "UPDATE credentials SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", use(nowMs), use(credential);
        if (update.execute() == 0) throw std::runtime_error("no such credential");
    });
}

std::vector<CredentialRecord> PocoPdm::credentials(const Uuid& device) const {
    return read("credentials(" + device.toString() + ")", [&] {
        std::string uuid = device.toString();
        std::vector<std::int64_t> ids, createdAt, revokedAt;
        std::vector<std::string> devices, subjects;
        std::vector<int> credtypes, keyBits, revoked;
        Poco::Data::Statement select(session_);
        select << "SELECT id, device, subject, credtype, key_bits, created_at, "
                  "CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, COALESCE(revoked_at, 0) "
                  "FROM credentials WHERE device = ? ORDER BY id",
            use(uuid), into(ids), into(devices), into(subjects), into(credtypes), into(keyBits), into(createdAt), into(revoked),
            into(revokedAt);
        select.execute();

        std::vector<CredentialRecord> records;
        records.reserve(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            CredentialRecord c;
            c.id = ids[i];
            c.device = uuidFromColumn(devices[i]);
            c.subject = uuidFromColumn(subjects[i]);
            c.credtype = credtypes[i];
            c.keyBits = keyBits[i];
            c.createdAt = fromMillis(createdAt[i]);
            if (revoked[i] != 0) c.revokedAt = fromMillis(revokedAt[i]);
            records.push_back(std::move(c));
        }
        return records;
    });
}

}  // namespace steward::core::detail
