#pragma once
// Crash-safe file replacement: write a temp file beside the target, fsync it, rename it over the
// target, fsync the directory. A reader sees the old file or the new one, never a mix.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <stdexcept>
#include <vector>

namespace steward::core {

class FileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct AtomicWriteOptions {
    unsigned mode = 0600;
    // Test seam: runs after the temp file is synced and before the rename.
    std::function<void(const std::filesystem::path& tempFile)> beforeRename;
};

// Throws FileError naming the path and the failing step; the target is untouched on failure and
// the temp file is removed.
void writeFileAtomically(const std::filesystem::path& target, std::span<const std::uint8_t> content,
                         const AtomicWriteOptions& options = {});

// Reads a whole file; throws FileError (with errno text) if it cannot.
std::vector<std::uint8_t> readWholeFile(const std::filesystem::path& path, std::size_t maxBytes);

}  // namespace steward::core
