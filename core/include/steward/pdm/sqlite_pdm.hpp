#pragma once
// The embedded PDM: one SQLite file, through Poco::Data.

#include <filesystem>
#include <memory>

#include "steward/pdm/provisioning_database.hpp"

namespace steward::core {

// Opens the PDM at `file`, or creates it (mode 0600; its directory must exist). The database runs
// in WAL mode with foreign keys on and waits up to 5 s for another writer's lock before it
// gives up. Schema migrations are applied in order, all in one transaction.
//
// Throws PdmError naming the file if it cannot be opened or created, if it is not an SQLite
// database, or is an SQLite database of something other than a PDM (the file is left as it is),
// or if it was created by a newer Steward (a schema version this build does not know).
//
// Several objects, in one process or several, may open the same file; each sees what the others
// have committed. The returned object is safe to use from several threads.
std::unique_ptr<ProvisioningDatabase> openSqlitePdm(const std::filesystem::path& file);

}  // namespace steward::core
