#pragma once
// The SQLite PDM's schema as an ordered list of migrations (version 1 is the initial schema), and
// the runner that brings a database up to the newest one. A later change to the schema appends a
// migration with the next version; a released migration is never edited.

#include <Poco/Data/Session.h>

#include <string>
#include <string_view>
#include <vector>

namespace steward::core::detail {

struct Migration {
    int version = 0;
    std::string_view description;
    std::vector<std::string_view> statements;  // one SQL statement each, run in order
};

// Versions 1, 2, ... in order.
const std::vector<Migration>& sqliteMigrations();

// In one transaction: creates the schema_version table in an empty database, refuses (PdmError
// naming `label`) a database with other tables but no schema_version (not a PDM) or with a newer
// version than `migrations` knows, and applies every migration above the recorded version,
// recording each. On any failure nothing is changed. Other failures are Poco exceptions.
void applyMigrations(Poco::Data::Session& session, const std::string& label, const std::vector<Migration>& migrations);

}  // namespace steward::core::detail
