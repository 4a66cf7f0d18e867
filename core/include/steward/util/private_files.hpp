#pragma once
// Steward's state directory holds the gateway's keys, the CA key and every owner credential:
// everything it creates there is its own alone, 0700 for directories and 0600 for files (issue
// 20). These helpers create a directory that way from its first moment (mkdir with 0700, no
// window in which the umask's mode applies) and tighten what an older version or an admin left
// looser. Header-only so that any part of core, the tools and the plugins can use it.
//
// Failure: FileError naming the path and the failing step. Thread-safe (no shared state); the
// directory may be created by another process at the same time.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "steward/util/atomic_file.hpp"

namespace steward::core {

inline constexpr mode_t kPrivateDirectoryMode = 0700;
inline constexpr mode_t kPrivateFileMode = 0600;

namespace detail {

[[noreturn]] inline void privateFileError(const std::filesystem::path& path, const std::string& step, int err) {
    throw FileError(path.string() + ": " + step + ": " + std::strerror(err));
}

// Clears group and other bits (never adds any), so a file made read-only stays read-only.
inline void tightenTo(const std::filesystem::path& path, const struct stat& st, mode_t limit) {
    const mode_t mode = st.st_mode & 07777;
    if ((mode & ~limit) == 0) return;
    if (::chmod(path.c_str(), mode & limit) != 0) privateFileError(path, "chmod", errno);
}

}  // namespace detail

// Creates `dir` with mode 0700 (missing parents get the usual 0755 & ~umask: they are outside the
// state directory), or, if it exists, checks it is a directory (a symlink to one is followed) and
// clears its group and other bits.
inline void ensurePrivateDirectory(const std::filesystem::path& dir) {
    if (dir.empty()) throw FileError("ensurePrivateDirectory: empty path");
    if (dir.has_parent_path() && dir.parent_path() != dir) {
        std::error_code ec;
        std::filesystem::create_directories(dir.parent_path(), ec);
        if (ec) throw FileError(dir.parent_path().string() + ": create directory: " + ec.message());
    }
    if (::mkdir(dir.c_str(), kPrivateDirectoryMode) == 0) {
        // mkdir applied the umask, which can only have removed bits: 0700 or less. Make it 0700
        // exactly, so that we can use what we created.
        if (::chmod(dir.c_str(), kPrivateDirectoryMode) != 0) detail::privateFileError(dir, "chmod", errno);
        return;
    }
    if (errno != EEXIST) detail::privateFileError(dir, "create directory", errno);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) detail::privateFileError(dir, "stat", errno);
    if (!S_ISDIR(st.st_mode)) throw FileError(dir.string() + ": exists and is not a directory");
    detail::tightenTo(dir, st, kPrivateDirectoryMode);
}

// Clears the group and other bits of an existing regular file (the owner's bits stay). A missing
// file is not an error (false); a directory or device is (FileError). Does not follow a final
// symlink: the link itself is left alone and reported as not a regular file.
inline bool makeFilePrivate(const std::filesystem::path& file) {
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) {
        if (errno == ENOENT) return false;
        detail::privateFileError(file, "stat", errno);
    }
    if (!S_ISREG(st.st_mode)) throw FileError(file.string() + ": not a regular file");
    detail::tightenTo(file, st, kPrivateFileMode);
    return true;
}

// ensurePrivateDirectory(dir), then clears the group and other bits of everything below it:
// directories, and regular files (at most 0600). Symlinks are neither followed nor changed; other
// kinds of entries (sockets, FIFOs) are left alone. For a state directory an older version, or a
// part that has not been fixed yet, left looser than it must be.
inline void makeTreePrivate(const std::filesystem::path& dir) {
    ensurePrivateDirectory(dir);
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(dir, std::filesystem::directory_options::none, ec);
    if (ec) throw FileError(dir.string() + ": list directory: " + ec.message());
    for (const std::filesystem::recursive_directory_iterator end; it != end; it.increment(ec)) {
        if (ec) throw FileError(dir.string() + ": list directory: " + ec.message());
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0) {
            if (errno == ENOENT) continue;  // removed meanwhile (a temp file renamed away)
            detail::privateFileError(it->path(), "stat", errno);
        }
        if (S_ISDIR(st.st_mode)) {
            detail::tightenTo(it->path(), st, kPrivateDirectoryMode);
        } else if (S_ISREG(st.st_mode)) {
            detail::tightenTo(it->path(), st, kPrivateFileMode);
        }
    }
    if (ec) throw FileError(dir.string() + ": list directory: " + ec.message());
}

}  // namespace steward::core
