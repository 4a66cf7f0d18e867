#include "steward/pdm/sqlite_pdm.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>

#include "pdm/poco_pdm.hpp"
#include "pdm/schema.hpp"
#include "steward/util/private_files.hpp"

namespace steward::core {
namespace {

using namespace Poco::Data::Keywords;

// How long a statement waits for another connection's write lock before it fails.
constexpr int kBusyTimeoutMs = 5000;

void registerConnectorOnce() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

// SQLite treats an empty file as a new database; anything else must start with its header.
bool looksLikeSqlite(const std::filesystem::path& file, const std::string& label) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw PdmError(label + ": cannot read the PDM: " + std::strerror(errno));
    std::array<char, 16> header{};
    in.read(header.data(), header.size());
    const auto got = in.gcount();
    if (got == 0) return true;
    static constexpr char kHeader[] = "SQLite format 3";  // and its terminating NUL: 16 bytes
    return got == static_cast<std::streamsize>(header.size()) && std::memcmp(header.data(), kHeader, sizeof kHeader) == 0;
}

// Creates the file with mode 0600 (SQLite gives its -wal and -shm files the same mode), or checks
// that the existing one can be an SQLite database without touching it.
void prepareFile(const std::filesystem::path& file, const std::string& label) {
    std::error_code ec;
    const std::filesystem::path dir = file.parent_path();
    if (!std::filesystem::is_directory(dir, ec)) {
        throw PdmError(label + ": cannot open the PDM: directory " + dir.string() + " does not exist");
    }
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd >= 0) {
        const bool ok = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;  // whatever the umask
        const int err = errno;
        ::close(fd);
        if (!ok) throw PdmError(label + ": cannot create the PDM: chmod: " + std::strerror(err));
        return;
    }
    if (errno != EEXIST) throw PdmError(label + ": cannot create the PDM: " + std::strerror(errno));
    if (!std::filesystem::is_regular_file(file, ec)) throw PdmError(label + ": cannot open the PDM: not a regular file");
    if (!looksLikeSqlite(file, label)) {
        throw PdmError(label + ": not an SQLite database; refusing it and leaving the file as it is");
    }
}

// The database and the -wal/-shm files SQLite keeps beside it (which take the database's mode when
// SQLite creates them): 0600, also when an older version or an admin left them looser. Only once
// the file is known to be our database: anything else is left exactly as it was.
void makePrivate(const std::filesystem::path& file, const std::string& label) {
    try {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            std::filesystem::path companion = file;
            companion += suffix;
            makeFilePrivate(companion);
        }
    } catch (const FileError& e) {
        throw PdmError(label + ": cannot make the PDM private: " + e.what());
    }
}

}  // namespace

std::unique_ptr<ProvisioningDatabase> openSqlitePdm(const std::filesystem::path& file) {
    const std::string label = file.string();
    std::error_code ec;
    // Absolute, so that SQLite never takes a name like "file:..." for a URI.
    const std::filesystem::path path = std::filesystem::absolute(file, ec);
    if (ec) throw PdmError(label + ": cannot open the PDM: " + ec.message());
    prepareFile(path, label);
    registerConnectorOnce();
    try {
        Poco::Data::Session session(Poco::Data::SQLite::Connector::KEY, path.string());
        session << "PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs), now;
        session << "PRAGMA foreign_keys = ON", now;
        int foreignKeys = 0;
        session << "PRAGMA foreign_keys", into(foreignKeys), now;
        if (foreignKeys != 1) throw PdmError(label + ": cannot open the PDM: this SQLite does not enforce foreign keys");

        detail::applyMigrations(session, label, detail::sqliteMigrations());

        // After the migrations, so that a database this build refuses is left exactly as it was.
        std::string journalMode;
        session << "PRAGMA journal_mode = WAL", into(journalMode), now;
        if (journalMode != "wal") {
            throw PdmError(label + ": cannot open the PDM: cannot switch to WAL (journal mode is " + journalMode + ")");
        }
        makePrivate(path, label);
        return std::make_unique<detail::PocoPdm>(std::move(session), label, detail::SqlDialect{"BEGIN IMMEDIATE"});
    } catch (const PdmError&) {
        throw;
    } catch (const Poco::Exception& e) {
        throw PdmError(label + ": cannot open the PDM: " + e.displayText());
    } catch (const std::exception& e) {
        throw PdmError(label + ": cannot open the PDM: " + e.what());
    }
}

}  // namespace steward::core
