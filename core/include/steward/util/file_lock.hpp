#pragma once
// An exclusive advisory lock (flock) on a side file, held for the object's lifetime, so two
// processes never edit the same database at once.

#include <filesystem>

namespace steward::core {

class FileLock {
public:
    // Throws FileError if another process holds the lock ("in use by another process").
    explicit FileLock(const std::filesystem::path& lockFile);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;

private:
    int fd_ = -1;
};

}  // namespace steward::core
