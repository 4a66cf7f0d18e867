#include "onboarding/owner_key_record.hpp"

#include <algorithm>
#include <cstring>

#include "steward/crypto/digest.hpp"
#include "steward/svr/svr_database.hpp"

namespace steward::core::owner_key_record {
namespace {

constexpr std::array<std::uint8_t, 8> kMagic{'S', 'T', 'E', 'W', 'K', 'E', 'Y', 'S'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kLengthBytes = 4;
constexpr std::size_t kCheckBytes = 4;
constexpr std::size_t kMinBody = 1 + 16;

void putLe(std::uint8_t* at, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) at[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t getLe(const std::uint8_t* at, int bytes) {
    std::uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint32_t>(at[i]) << (8 * i);
    return v;
}

// Over the length field and the body: a torn or flipped length is caught as well.
std::array<std::uint8_t, kCheckBytes> check(std::span<const std::uint8_t> lengthAndBody) {
    const auto digest = sha256(lengthAndBody);
    std::array<std::uint8_t, kCheckBytes> out{};
    std::copy_n(digest.begin(), kCheckBytes, out.begin());
    return out;
}

[[noreturn]] void corrupt(const std::string& file, std::size_t offset, const std::string& why) {
    throw SvrDbError(file + ": corrupt owner-key log at offset " + std::to_string(offset) + ": " + why +
                     "; refusing it and leaving the file as it is");
}

}  // namespace

std::array<std::uint8_t, kHeaderBytes> header() {
    std::array<std::uint8_t, kHeaderBytes> h{};
    std::copy(kMagic.begin(), kMagic.end(), h.begin());
    putLe(h.data() + kMagic.size(), kVersion, 4);
    return h;
}

void append(std::vector<std::uint8_t>& out, Kind kind, const Uuid& device, std::span<const std::uint8_t> key) {
    const std::size_t start = out.size();
    const std::size_t size = recordBytes(key.size());
    if (out.capacity() - start < size) throw std::logic_error("owner-key record: buffer too small");
    out.resize(start + size);
    std::uint8_t* p = out.data() + start;
    const auto body = static_cast<std::uint32_t>(kMinBody + key.size());
    putLe(p, body, 2);
    putLe(p + 2, body ^ 0xFFFFu, 2);
    p[kLengthBytes] = static_cast<std::uint8_t>(kind);
    std::copy(device.bytes().begin(), device.bytes().end(), p + kLengthBytes + 1);
    std::copy(key.begin(), key.end(), p + kLengthBytes + kMinBody);
    const auto c = check({p, size - kCheckBytes});
    std::copy(c.begin(), c.end(), p + size - kCheckBytes);
}

Scan scan(std::span<const std::uint8_t> bytes, const std::string& file, const std::function<void(const Record&)>& onRecord) {
    if (bytes.size() < kHeaderBytes) corrupt(file, 0, "shorter than its header");
    if (!std::equal(kMagic.begin(), kMagic.end(), bytes.begin())) corrupt(file, 0, "not an owner-key log (bad magic)");
    if (const auto version = getLe(bytes.data() + kMagic.size(), 4); version != kVersion) {
        corrupt(file, kMagic.size(), "version " + std::to_string(version) + " is not supported");
    }
    Scan s;
    std::size_t at = kHeaderBytes;
    while (at < bytes.size()) {
        const std::size_t left = bytes.size() - at;
        if (left < kLengthBytes) break;  // torn inside the length
        const std::size_t body = getLe(bytes.data() + at, 2);
        if ((body ^ getLe(bytes.data() + at + 2, 2)) != 0xFFFFu) {
            // Zeros to the end: the file grew but the append's data never reached the disk.
            if (std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.end(), [](std::uint8_t b) { return b == 0; })) break;
            corrupt(file, at, "record length fails its check");
        }
        if (body < kMinBody || body > kMinBody + kMaxKeyBytes) corrupt(file, at, "record length " + std::to_string(body) + " out of range");
        const std::size_t size = kLengthBytes + body + kCheckBytes;
        if (size > left) break;  // the last record, incomplete
        const std::uint8_t* p = bytes.data() + at;
        const auto expected = check({p, kLengthBytes + body});
        if (!std::equal(expected.begin(), expected.end(), p + kLengthBytes + body)) {
            if (size == left) break;  // only the last record may be torn
            corrupt(file, at, "checksum mismatch with more records after it");
        }
        // From here the record is whole and checked: anything wrong with it is not a torn write.
        const auto kind = static_cast<Kind>(p[kLengthBytes]);
        Uuid::Bytes uuid{};
        std::memcpy(uuid.data(), p + kLengthBytes + 1, uuid.size());
        const std::span<const std::uint8_t> key(p + kLengthBytes + kMinBody, body - kMinBody);
        if (kind == Kind::Put && key.empty()) corrupt(file, at, "a put without a key");
        if (kind == Kind::Remove && !key.empty()) corrupt(file, at, "a removal with a key");
        if (kind != Kind::Put && kind != Kind::Remove) corrupt(file, at, "unknown record kind " + std::to_string(p[kLengthBytes]));
        onRecord(Record{kind, Uuid(uuid), key});
        ++s.records;
        at += size;
    }
    s.goodEnd = at;
    return s;
}

}  // namespace steward::core::owner_key_record
