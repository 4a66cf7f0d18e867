#include "pdm/schema.hpp"

#include <Poco/Data/Statement.h>

#include <chrono>
#include <stdexcept>

#include "pdm/pdm_values.hpp"

namespace steward::core::detail {

using namespace Poco::Data::Keywords;

namespace {

// Version 1: the initial schema. Times are milliseconds since the epoch, UUIDs their 36-character
// text; rows that belong to a device go with it (ON DELETE CASCADE).
const Migration kInitialSchema{
    1,
    "initial schema: devices, links, credentials, aces",
    {
        "CREATE TABLE devices ("
        " uuid TEXT NOT NULL PRIMARY KEY CHECK (length(uuid) = 36),"
        " name TEXT NOT NULL DEFAULT '',"
        " otm TEXT NOT NULL DEFAULT '',"
        " address TEXT NOT NULL DEFAULT '',"
        " port INTEGER NOT NULL DEFAULT 0 CHECK (port BETWEEN 0 AND 65535),"
        " secure_port INTEGER NOT NULL DEFAULT 0 CHECK (secure_port BETWEEN 0 AND 65535),"
        " state TEXT NOT NULL CHECK (state IN ('pending', 'owned')),"
        " owned_at INTEGER NOT NULL DEFAULT 0,"
        " updated_at INTEGER NOT NULL)",
        "CREATE INDEX devices_by_owned_at ON devices (owned_at, uuid)",
        "CREATE INDEX devices_by_state ON devices (state)",

        "CREATE TABLE links ("
        " device_a TEXT NOT NULL REFERENCES devices (uuid) ON DELETE CASCADE,"
        " device_b TEXT NOT NULL REFERENCES devices (uuid) ON DELETE CASCADE,"
        " stale INTEGER NOT NULL DEFAULT 0,"
        " pending_action TEXT NOT NULL DEFAULT '',"
        " created_at INTEGER NOT NULL,"
        " PRIMARY KEY (device_a, device_b),"
        " CHECK (device_a < device_b))",
        "CREATE INDEX links_by_b ON links (device_b)",

        "CREATE TABLE credentials ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " device TEXT NOT NULL REFERENCES devices (uuid) ON DELETE CASCADE,"
        " subject TEXT NOT NULL,"
        " credtype INTEGER NOT NULL,"
        " key_bits INTEGER NOT NULL,"
        " created_at INTEGER NOT NULL,"
        " revoked_at INTEGER)",
        "CREATE INDEX credentials_by_device ON credentials (device)",

        // resources: the JSON array as given; resource_key: sorted and without repetitions, so
        // that the unique index below makes addAce idempotent whatever order the hrefs come in.
        "CREATE TABLE aces ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " device TEXT NOT NULL REFERENCES devices (uuid) ON DELETE CASCADE,"
        " aceid INTEGER NOT NULL,"
        " subject TEXT NOT NULL,"
        " resources TEXT NOT NULL,"
        " resource_key TEXT NOT NULL,"
        " permission INTEGER NOT NULL,"
        " origin TEXT NOT NULL DEFAULT '',"
        " created_at INTEGER NOT NULL)",
        "CREATE UNIQUE INDEX aces_identity ON aces (device, subject, resource_key, permission)",
    },
};

// Version 2: what the gateway still owes devices it could not reach (credmgmt's remove/reset).
const Migration kPendingActions{
    2,
    "pending actions for unreachable devices",
    {
        "CREATE TABLE pending_actions ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " device TEXT NOT NULL CHECK (length(device) = 36),"
        " peer TEXT NOT NULL CHECK (length(peer) = 36),"
        " action TEXT NOT NULL CHECK (action IN ('revoke', 'reset')),"
        " address TEXT NOT NULL DEFAULT '',"
        " secure_port INTEGER NOT NULL DEFAULT 0 CHECK (secure_port BETWEEN 0 AND 65535),"
        " created_at INTEGER NOT NULL,"
        " UNIQUE (device, peer, action))",
    },
};

// Version 3: device types, so that policies can match owned devices again after a restart.
const Migration kDeviceTypes{
    3,
    "device types",
    {"ALTER TABLE devices ADD COLUMN device_types TEXT NOT NULL DEFAULT ''"},
};

// Version 4: Direct Pairing. A client may be a guest device the gateway does not own, so only the
// server refers to `devices`; removeDevice() deletes the rows naming a removed client itself.
const Migration kDirectLinks{
    4,
    "direct links made by Direct Pairing",
    {
        "CREATE TABLE direct_links ("
        " server TEXT NOT NULL REFERENCES devices (uuid) ON DELETE CASCADE,"
        " client TEXT NOT NULL CHECK (length(client) = 36),"
        " stale INTEGER NOT NULL DEFAULT 0,"
        " pending_action TEXT NOT NULL DEFAULT '',"
        " created_at INTEGER NOT NULL,"
        " PRIMARY KEY (server, client),"
        " CHECK (server <> client))",
        "CREATE INDEX direct_links_by_client ON direct_links (client)",
    },
};

// Version 5: devices the user removed, so that permit-join and automatic mode do not own them
// again as soon as they come back reset. Not tied to `devices`: a blocked device is not (or no
// longer) in the PDM.
const Migration kBlockedDevices{
    5,
    "blocked devices",
    {
        "CREATE TABLE blocked_devices ("
        " uuid TEXT NOT NULL PRIMARY KEY CHECK (length(uuid) = 36),"
        " reason TEXT NOT NULL DEFAULT '',"
        " blocked_at INTEGER NOT NULL)",
    },
};

// Version 6: what a restart must not lose (issue 16): the policies applied to each device and
// whether it is provisioned, and the metrics: counters (devices owned, failures by reason, ...)
// and the latest samples of a series (the time to own a device), oldest first by id.
const Migration kAppliedPoliciesAndMetrics{
    6,
    "applied policies, metric counters and samples",
    {
        // policies: a JSON array of the policies' names, in the order applied.
        "CREATE TABLE applied_policies ("
        " device TEXT NOT NULL PRIMARY KEY REFERENCES devices (uuid) ON DELETE CASCADE,"
        " policies TEXT NOT NULL,"
        " provisioned INTEGER NOT NULL DEFAULT 0 CHECK (provisioned IN (0, 1)),"
        " error TEXT NOT NULL DEFAULT '',"
        " applied_at INTEGER NOT NULL)",

        "CREATE TABLE metric_counters ("
        " name TEXT NOT NULL CHECK (length(name) > 0),"
        " label TEXT NOT NULL DEFAULT '',"
        " value INTEGER NOT NULL DEFAULT 0 CHECK (value >= 0),"
        " PRIMARY KEY (name, label))",

        "CREATE TABLE metric_samples ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " series TEXT NOT NULL CHECK (length(series) > 0),"
        " value INTEGER NOT NULL)",
        "CREATE INDEX metric_samples_by_series ON metric_samples (series, id)",
    },
};

void checkOrder(const std::vector<Migration>& migrations) {
    int expected = 1;
    for (const auto& m : migrations) {
        if (m.version != expected) throw std::logic_error("PDM migrations are not numbered 1, 2, ... in order");
        ++expected;
    }
    if (migrations.empty()) throw std::logic_error("no PDM migrations");
}

void run(Poco::Data::Session& session, const std::string& label, const std::vector<Migration>& migrations) {
    const int known = migrations.back().version;

    int hasVersionTable = 0;
    session << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", into(hasVersionTable), now;
    if (hasVersionTable == 0) {
        int otherTables = 0;
        session << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'", into(otherTables), now;
        if (otherTables != 0) {
            throw PdmError(label +
                           ": an SQLite database, but not a Steward PDM (it has tables but no schema_version); "
                           "refusing it and leaving the file as it is");
        }
        session << "CREATE TABLE schema_version ("
                   " version INTEGER NOT NULL PRIMARY KEY,"
                   " applied_at INTEGER NOT NULL,"
                   " description TEXT NOT NULL)",
            now;
    }

    int current = 0;
    session << "SELECT COALESCE(MAX(version), 0) FROM schema_version", into(current), now;
    if (current > known) {
        throw PdmError(label + ": created by a newer Steward (schema version " + std::to_string(current) + ", this build knows up to " +
                       std::to_string(known) + "); refusing to open it");
    }

    for (const auto& m : migrations) {
        if (m.version <= current) continue;
        try {
            for (const auto sql : m.statements) session << std::string(sql), now;
        } catch (const Poco::Exception& e) {
            throw PdmError(label + ": schema migration to version " + std::to_string(m.version) + " (" + std::string(m.description) +
                           ") failed: " + e.displayText());
        }
        int version = m.version;
        std::int64_t appliedAt = toMillis(pdmNow());
        std::string description(m.description);
        session << "INSERT INTO schema_version (version, applied_at, description) VALUES (?, ?, ?)", use(version), use(appliedAt),
            use(description), now;
    }
}

}  // namespace

const std::vector<Migration>& sqliteMigrations() {
    static const std::vector<Migration> migrations{kInitialSchema, kPendingActions, kDeviceTypes,
                                                   kDirectLinks,   kBlockedDevices, kAppliedPoliciesAndMetrics};
    return migrations;
}

void applyMigrations(Poco::Data::Session& session, const std::string& label, const std::vector<Migration>& migrations) {
    checkOrder(migrations);
    // IMMEDIATE: two processes opening a new file at once must not both create the schema.
    session << "BEGIN IMMEDIATE", now;
    try {
        run(session, label, migrations);
        session << "COMMIT", now;
    } catch (...) {
        try {
            session << "ROLLBACK", now;
        } catch (...) {  // NOLINT(bugprone-empty-catch): the original failure is what the caller sees
        }
        throw;
    }
}

}  // namespace steward::core::detail
