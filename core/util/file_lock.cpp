#include "steward/util/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "steward/util/atomic_file.hpp"

namespace steward::core {

FileLock::FileLock(const std::filesystem::path& lockFile) {
    fd_ = ::open(lockFile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw FileError(lockFile.string() + ": open lock file: " + std::strerror(errno));
    // Lock files live in the state directory, where everything is 0600: one an older version or an
    // admin left looser is tightened (best effort: an empty file reveals nothing).
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && (st.st_mode & 077) != 0) (void)::fchmod(fd_, st.st_mode & 0600);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK) throw FileError(lockFile.string() + ": in use by another process");
        throw FileError(lockFile.string() + ": lock: " + std::strerror(err));
    }
}

FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

}  // namespace steward::core
