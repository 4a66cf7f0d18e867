#include "steward/util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "util/unique_fd.hpp"

namespace steward::core {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& step, int err) {
    throw FileError(path.string() + ": " + step + ": " + std::strerror(err));
}

using Fd = detail::UniqueFd;

void writeAll(int fd, std::span<const std::uint8_t> content, const std::filesystem::path& path) {
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(path, "write", errno);
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

void writeFileAtomically(const std::filesystem::path& target, std::span<const std::uint8_t> content, const AtomicWriteOptions& options) {
    const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
    std::string tmpl = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
    Fd fd(::mkstemp(tmpl.data()));
    if (fd.get() < 0) fail(target, "create temp file in " + dir.string(), errno);
    const std::filesystem::path temp(tmpl);
    try {
        if (::fchmod(fd.get(), static_cast<mode_t>(options.mode)) != 0) fail(temp, "chmod", errno);
        writeAll(fd.get(), content, temp);
        if (::fsync(fd.get()) != 0) fail(temp, "fsync", errno);
        if (::close(fd.release()) != 0) fail(temp, "close", errno);
        if (options.beforeRename) options.beforeRename(temp);
        if (::rename(temp.c_str(), target.c_str()) != 0) fail(target, "rename temp file over it", errno);
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    // The rename is durable only once the directory entry is on disk.
    Fd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dirFd.get() < 0) fail(dir, "open directory", errno);
    if (::fsync(dirFd.get()) != 0) fail(dir, "fsync directory", errno);
}

std::vector<std::uint8_t> readWholeFile(const std::filesystem::path& path, std::size_t maxBytes) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) fail(path, "open", errno);
    std::vector<std::uint8_t> out;
    std::uint8_t buf[65536];
    while (true) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(path, "read", errno);
        }
        if (n == 0) break;
        if (out.size() + static_cast<std::size_t>(n) > maxBytes) {
            throw FileError(path.string() + ": larger than " + std::to_string(maxBytes) + " bytes");
        }
        out.insert(out.end(), buf, buf + n);
    }
    return out;
}

}  // namespace steward::core
