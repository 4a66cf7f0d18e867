#include "steward/svr/svr_database.hpp"

#include <sys/stat.h>

#include "steward/util/private_files.hpp"

namespace steward::core {
namespace {

constexpr std::size_t kMaxFileBytes = 16u << 20;

std::filesystem::path lockPathFor(const std::filesystem::path& file) {
    std::filesystem::path lock = file;
    lock += ".lock";
    return lock;
}

std::optional<FileLock> lockFor(const std::filesystem::path& file, SvrAccess access) {
    if (access == SvrAccess::ReadOnly) return std::nullopt;
    try {
        return FileLock(lockPathFor(file));
    } catch (const FileError& e) {
        throw SvrDbError(file.string() + ": cannot open for writing: " + e.what());
    }
}

SvrDocument load(const std::filesystem::path& file) {
    std::vector<std::uint8_t> bytes;
    try {
        bytes = readWholeFile(file, kMaxFileBytes);
    } catch (const FileError& e) {
        throw SvrDbError(std::string("cannot read SVR database ") + e.what());
    }
    if (bytes.empty()) {
        throw SvrDbError(file.string() + ": SVR database is empty (truncated?); refusing it and leaving the file as it is");
    }
    try {
        return decodeSvrDocument(bytes);
    } catch (const DecodeError& e) {
        throw SvrDbError(file.string() + ": corrupt SVR database, refusing it and leaving the file as it is: " + e.what());
    }
}

}  // namespace

SvrDatabase::SvrDatabase(std::filesystem::path file, SvrDocument doc, std::optional<FileLock> lock, bool created)
    : file_(std::move(file)), doc_(std::move(doc)), lock_(std::move(lock)), created_(created) {}

SvrDatabase SvrDatabase::open(const std::filesystem::path& file, SvrAccess access) {
    auto lock = lockFor(file, access);
    SvrDatabase db(file, load(file), std::move(lock), false);
    if (access == SvrAccess::ReadWrite) {
        // Every write replaces the file with a 0600 one; one an older version or an admin left
        // looser is tightened now rather than at the first write.
        try {
            makeFilePrivate(file);
        } catch (const FileError& e) {
            throw SvrDbError(std::string("cannot make the SVR database private: ") + e.what());
        }
    }
    return db;
}

SvrDatabase SvrDatabase::create(const std::filesystem::path& file, const SecurityResources& initial) {
    auto lock = lockFor(file, SvrAccess::ReadWrite);
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
        throw SvrDbError(file.string() + ": already exists; not overwriting an SVR database");
    }
    SvrDatabase db(file, SvrDocument{initial, initial}, std::move(lock), true);
    db.write(db.doc_);
    return db;
}

SvrDatabase SvrDatabase::openOrCreate(const std::filesystem::path& file, const DeviceProfile& profile, DeviceIdSource& ids) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) return open(file, SvrAccess::ReadWrite);
    return create(file, factoryResources(ids.issue(), profile));
}

void SvrDatabase::requireWritable() const {
    if (!lock_) throw SvrDbError(file_.string() + ": opened read-only");
}

void SvrDatabase::write(const SvrDocument& doc) {
    requireWritable();
    const Bytes bytes = encodeSvrDocument(doc);
    try {
        writeFileAtomically(file_, bytes, writeOptions_);
    } catch (const FileError& e) {
        throw SvrDbError(std::string("cannot write SVR database: ") + e.what());
    }
}

void SvrDatabase::replace(const SecurityResources& updated) {
    SvrDocument next{updated, doc_.resetProfile};
    write(next);
    doc_ = std::move(next);
}

void SvrDatabase::modify(const std::function<void(SecurityResources&)>& edit) {
    SecurityResources copy = doc_.current;
    edit(copy);
    replace(copy);
}

void SvrDatabase::reset() { replace(doc_.resetProfile); }

}  // namespace steward::core
