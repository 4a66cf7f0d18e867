#pragma once
// The gateway's owner credentials (one PSK per owned device) in an append-only log beside its
// store: `<store>.keys`, mode 0600. Storing or removing a key is one append and one fdatasync,
// whatever the size of the fleet (rewriting the whole store cost time growing with it).
//
// Opening replays the log. A torn tail (a crash during an append) is cut off; a bad record with
// more data after it is corruption: the log is refused (SvrDbError naming the file and offset)
// and never rewritten. When dead records (replaced, removed) outnumber live keys, opening rewrites
// the log atomically with the live keys only; nothing else ever rewrites it.
//
// The log has no lock of its own: its writer holds the store's (GatewayIdentity does). Not
// thread-safe. Keys are wiped from every buffer that held them.
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <vector>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/model/uuid.hpp"

namespace steward::core {

struct OwnerKey {
    Uuid device;
    std::span<const std::uint8_t> key;
};

class OwnerKeyLog {
public:
    struct Options {
        // Compact at open only above this size: a small log is not worth a rewrite.
        std::uintmax_t compactAboveBytes = 4096;
    };

    static std::filesystem::path pathFor(const std::filesystem::path& store);  // `<store>.keys`

    // Opens for appending, creating an empty log if there is none. Throws SvrDbError.
    static OwnerKeyLog open(const std::filesystem::path& file, Options options);
    static OwnerKeyLog open(const std::filesystem::path& file) { return open(file, Options{}); }
    // Replays without writing anything and without a lock, for readers such as steward-svrdb: a
    // torn tail (perhaps an append in progress) is left out. Such a log refuses to write.
    static OwnerKeyLog read(const std::filesystem::path& file);

    // Durable when they return; on failure (SvrDbError) nothing changes. Keys are 1..255 bytes.
    void put(const Uuid& device, std::span<const std::uint8_t> key);
    void putAll(const std::vector<OwnerKey>& keys);  // one append for all of them
    bool remove(const Uuid& device);                 // false (and nothing written) if absent

    const SecretBytes* find(const Uuid& device) const;
    std::vector<Uuid> devices() const;
    std::size_t size() const { return keys_.size(); }
    // Records in the file, dead ones included.
    std::size_t records() const { return records_; }
    const std::filesystem::path& file() const { return file_; }

    OwnerKeyLog(OwnerKeyLog&& other) noexcept;
    OwnerKeyLog& operator=(OwnerKeyLog&& other) noexcept;
    OwnerKeyLog(const OwnerKeyLog&) = delete;
    OwnerKeyLog& operator=(const OwnerKeyLog&) = delete;
    ~OwnerKeyLog();

private:
    OwnerKeyLog(std::filesystem::path file, int fd) : file_(std::move(file)), fd_(fd) {}
    static OwnerKeyLog load(const std::filesystem::path& file, bool writable);
    void compact();
    void append(std::span<const std::uint8_t> bytes, std::size_t records);
    void rollBack();

    std::filesystem::path file_;
    int fd_ = -1;             // -1: read-only
    std::uintmax_t end_ = 0;  // where the next record goes: the end of the last good one
    bool broken_ = false;     // a failed append could not be undone: no more writes
    std::size_t records_ = 0;
    std::map<Uuid, SecretBytes> keys_;
};

}  // namespace steward::core
