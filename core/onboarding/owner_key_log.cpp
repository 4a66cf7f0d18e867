#include "steward/onboarding/owner_key_log.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "onboarding/owner_key_record.hpp"
#include "steward/svr/svr_database.hpp"
#include "steward/util/atomic_file.hpp"
#include "steward/util/private_files.hpp"
#include "util/unique_fd.hpp"

namespace steward::core {
namespace {

namespace record = owner_key_record;

constexpr std::uintmax_t kMaxFileBytes = 64u << 20;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& step, int err) {
    throw SvrDbError(file.string() + ": owner-key log: " + step + ": " + std::strerror(err));
}

// Bytes that hold keys: sized once (never reallocated, which would leave a copy behind) and
// wiped when done.
class WipedBuffer {
public:
    explicit WipedBuffer(std::size_t capacity) { bytes.reserve(capacity); }
    ~WipedBuffer() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
    WipedBuffer(const WipedBuffer&) = delete;
    WipedBuffer& operator=(const WipedBuffer&) = delete;
    std::vector<std::uint8_t> bytes;
};

using Fd = detail::UniqueFd;

void readAll(int fd, const std::filesystem::path& file, WipedBuffer& into) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail(file, "stat", errno);
    if (!S_ISREG(st.st_mode)) throw SvrDbError(file.string() + ": owner-key log is not a regular file");
    const auto size = static_cast<std::uintmax_t>(st.st_size);
    if (size > kMaxFileBytes) throw SvrDbError(file.string() + ": owner-key log larger than " + std::to_string(kMaxFileBytes) + " bytes");
    into.bytes.reserve(size);
    into.bytes.resize(size);
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, into.bytes.data() + done, size - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(file, "read", errno);
        if (n == 0) break;  // shrank meanwhile (read-only readers only)
        done += static_cast<std::size_t>(n);
    }
    into.bytes.resize(done);
}

void createEmpty(const std::filesystem::path& file) {
    const auto header = record::header();
    try {
        writeFileAtomically(file, header);
    } catch (const FileError& e) {
        throw SvrDbError(std::string("cannot create the owner-key log: ") + e.what());
    }
}

}  // namespace

std::filesystem::path OwnerKeyLog::pathFor(const std::filesystem::path& store) {
    auto file = store;
    file += ".keys";
    return file;
}

OwnerKeyLog OwnerKeyLog::open(const std::filesystem::path& file, Options options) {
    std::error_code ec;
    if (std::filesystem::symlink_status(file, ec).type() == std::filesystem::file_type::not_found) {
        createEmpty(file);
    } else {
        try {
            makeFilePrivate(file);  // one an admin or an older version left looser
        } catch (const FileError& e) {
            throw SvrDbError(std::string("cannot make the owner-key log private: ") + e.what());
        }
    }
    auto log = load(file, true);
    const std::size_t dead = log.records_ - log.keys_.size();
    if (dead <= log.keys_.size() || log.end_ <= options.compactAboveBytes) return log;
    log.compact();
    // Whichever file the path names now is whole (the old one, or the rewritten one if the
    // rewrite got as far as its rename): read it again rather than trust the descriptor.
    return load(file, true);
}

OwnerKeyLog OwnerKeyLog::read(const std::filesystem::path& file) { return load(file, false); }

OwnerKeyLog OwnerKeyLog::load(const std::filesystem::path& file, bool writable) {
    Fd fd(::open(file.c_str(), writable ? O_RDWR | O_APPEND | O_CLOEXEC : O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) fail(file, "open", errno);
    WipedBuffer bytes(0);
    readAll(fd.get(), file, bytes);
    OwnerKeyLog log(file, -1);
    const auto scan = record::scan(bytes.bytes, file.string(), [&](const record::Record& r) {
        if (r.kind == record::Kind::Put) {
            log.keys_.insert_or_assign(r.device, SecretBytes(r.key));
        } else {
            log.keys_.erase(r.device);
        }
    });
    log.records_ = scan.records;
    log.end_ = scan.goodEnd;
    if (!writable) return log;
    if (scan.goodEnd < bytes.bytes.size()) {
        // A crash during an append: cut its remains, so that the next record follows a whole one.
        if (::ftruncate(fd.get(), static_cast<off_t>(scan.goodEnd)) != 0) fail(file, "cut the torn tail", errno);
        if (::fdatasync(fd.get()) != 0) fail(file, "fdatasync", errno);
    }
    log.fd_ = fd.release();
    return log;
}

// Never on the ownership path: only open() calls it. Failure is not an error: the log stays as
// it was, dead records and all.
void OwnerKeyLog::compact() {
    std::size_t total = record::kHeaderBytes;
    for (const auto& [device, key] : keys_) total += record::recordBytes(key.size());
    WipedBuffer out(total);
    const auto header = record::header();
    out.bytes.insert(out.bytes.end(), header.begin(), header.end());
    for (const auto& [device, key] : keys_) record::append(out.bytes, record::Kind::Put, device, key.bytes());
    try {
        writeFileAtomically(file_, out.bytes);
    } catch (const FileError&) {
        // nothing to do: see open()
    }
}

void OwnerKeyLog::put(const Uuid& device, std::span<const std::uint8_t> key) { putAll({OwnerKey{device, key}}); }

void OwnerKeyLog::putAll(const std::vector<OwnerKey>& keys) {
    if (keys.empty()) return;
    std::size_t total = 0;
    std::vector<SecretBytes> copies;  // made first: nothing may fail once the append is durable
    copies.reserve(keys.size());
    for (const auto& k : keys) {
        if (k.key.empty() || k.key.size() > record::kMaxKeyBytes) {
            throw SvrDbError(file_.string() + ": an owner key of " + std::to_string(k.key.size()) + " bytes (1.." +
                             std::to_string(record::kMaxKeyBytes) + " allowed)");
        }
        total += record::recordBytes(k.key.size());
        copies.emplace_back(k.key);
    }
    WipedBuffer out(total);
    for (const auto& k : keys) record::append(out.bytes, record::Kind::Put, k.device, k.key);
    append(out.bytes, keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) keys_.insert_or_assign(keys[i].device, std::move(copies[i]));
}

bool OwnerKeyLog::remove(const Uuid& device) {
    const auto it = keys_.find(device);
    if (it == keys_.end()) return false;
    std::vector<std::uint8_t> out;
    out.reserve(record::kRemoveBytes);
    record::append(out, record::Kind::Remove, device);
    append(out, 1);
    keys_.erase(it);
    return true;
}

// One write (O_APPEND) and one fdatasync. A failure cuts the file back to where it was, so that
// the file, like the map, is unchanged.
void OwnerKeyLog::append(std::span<const std::uint8_t> bytes, std::size_t records) {
    if (fd_ < 0) throw SvrDbError(file_.string() + ": owner-key log opened read-only");
    if (broken_) throw SvrDbError(file_.string() + ": owner-key log: an earlier append failed and could not be undone; reopen it");
    std::size_t done = 0;
    int err = 0;
    const char* step = "write";
    while (done < bytes.size() && err == 0) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : EIO;
        } else {
            done += static_cast<std::size_t>(n);
        }
    }
    if (err == 0 && ::fdatasync(fd_) != 0) {
        err = errno;
        step = "fdatasync";
    }
    if (err != 0) {
        rollBack();
        fail(file_, step, err);
    }
    end_ += bytes.size();
    records_ += records;
}

// Part of a record left at the end would make the next append look like corruption. If even
// the cut fails, refuse further appends: the next open sees a torn tail and cuts it.
void OwnerKeyLog::rollBack() {
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0 || ::fdatasync(fd_) != 0) broken_ = true;
}

const SecretBytes* OwnerKeyLog::find(const Uuid& device) const {
    const auto it = keys_.find(device);
    return it == keys_.end() ? nullptr : &it->second;
}

std::vector<Uuid> OwnerKeyLog::devices() const {
    std::vector<Uuid> out;
    out.reserve(keys_.size());
    for (const auto& entry : keys_) out.push_back(entry.first);
    return out;
}

OwnerKeyLog::OwnerKeyLog(OwnerKeyLog&& other) noexcept
    : file_(std::move(other.file_)),
      fd_(std::exchange(other.fd_, -1)),
      end_(other.end_),
      broken_(other.broken_),
      records_(other.records_),
      keys_(std::move(other.keys_)) {}

OwnerKeyLog& OwnerKeyLog::operator=(OwnerKeyLog&& other) noexcept {
    if (this == &other) return *this;
    if (fd_ >= 0) ::close(fd_);
    file_ = std::move(other.file_);
    fd_ = std::exchange(other.fd_, -1);
    end_ = other.end_;
    broken_ = other.broken_;
    records_ = other.records_;
    keys_ = std::move(other.keys_);
    return *this;
}

OwnerKeyLog::~OwnerKeyLog() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace steward::core
