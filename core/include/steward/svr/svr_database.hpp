#pragma once
// A device's persistent security database (SVR DB): one file, mode 0600, replaced atomically on
// every change. On creation the whole content is copied into the reset profile, which is never
// overwritten; a local reset restores it exactly, so the device UUID survives resets.
//
// A writable SvrDatabase holds an exclusive lock on "<file>.lock" for its lifetime. A corrupt or
// truncated file is refused (SvrDbError) and never replaced.
// Not thread-safe: one owner at a time.

#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>

#include "steward/svr/device_id_source.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "steward/svr/svr_file_format.hpp"
#include "steward/util/atomic_file.hpp"
#include "steward/util/file_lock.hpp"

namespace steward::core {

class SvrDbError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class SvrAccess { ReadOnly, ReadWrite };

class SvrDatabase {
public:
    // Opens an existing file. Throws SvrDbError if it is missing, unreadable, corrupt, or locked
    // by another writer.
    static SvrDatabase open(const std::filesystem::path& file, SvrAccess access = SvrAccess::ReadWrite);

    // Creates a new database whose reset profile equals `initial`. Throws SvrDbError if the file
    // already exists.
    static SvrDatabase create(const std::filesystem::path& file, const SecurityResources& initial);

    // Opens `file`, or creates it for a new device with an id from `ids` (the seed applies only
    // then: an existing database keeps its UUID).
    static SvrDatabase openOrCreate(const std::filesystem::path& file, const DeviceProfile& profile, DeviceIdSource& ids);

    const std::filesystem::path& file() const { return file_; }
    bool created() const { return created_; }
    const SecurityResources& resources() const { return doc_.current; }
    const SecurityResources& resetProfile() const { return doc_.resetProfile; }

    // Writes `updated` atomically, then makes it current. On failure nothing changes.
    void replace(const SecurityResources& updated);
    // Applies `edit` to a copy and writes it: the in-memory state changes only if the write did.
    void modify(const std::function<void(SecurityResources&)>& edit);
    // Local reset (OCResetSVRDB): current := reset profile, everything else dropped.
    void reset();

    // Test seam for the atomic writer.
    void setWriteOptions(AtomicWriteOptions options) { writeOptions_ = std::move(options); }

private:
    SvrDatabase(std::filesystem::path file, SvrDocument doc, std::optional<FileLock> lock, bool created);
    void write(const SvrDocument& doc);
    void requireWritable() const;

    std::filesystem::path file_;
    SvrDocument doc_;
    std::optional<FileLock> lock_;
    bool created_ = false;
    AtomicWriteOptions writeOptions_;
};

}  // namespace steward::core
