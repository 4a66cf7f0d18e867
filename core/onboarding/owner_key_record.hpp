#pragma once
// The owner-key log's bytes (see steward/onboarding/owner_key_log.hpp). A 12-byte header: "STEWKEYS"
// and a version (u32), then records:
//   [u16 length][u16 length ^ 0xFFFF][u8 kind][16-byte device uuid][key bytes: puts only][4-byte check]
// where length counts kind, uuid and key, and the check is the first 4 bytes of SHA-256 over all
// before it (integers little-endian). A crash during an append leaves the last record incomplete,
// or zeros where the filesystem grew the file without its data: a torn tail. The length carries
// its own check because a record's end is found through it: a flipped length must read as
// corruption, not as an incomplete last record to be cut off with the records after it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "steward/model/uuid.hpp"

namespace steward::core::owner_key_record {

inline constexpr std::size_t kHeaderBytes = 12;
inline constexpr std::size_t kMaxKeyBytes = 255;
inline constexpr std::size_t kRemoveBytes = 4 + 1 + 16 + 4;
inline constexpr std::size_t kMaxRecordBytes = kRemoveBytes + kMaxKeyBytes;

enum class Kind : std::uint8_t { Put = 1, Remove = 2 };

std::array<std::uint8_t, kHeaderBytes> header();

constexpr std::size_t recordBytes(std::size_t keyBytes) { return kRemoveBytes + keyBytes; }

// Appends one record to `out`; the caller wipes `out` (it holds the key). `out` must have the
// capacity already, so that it never reallocates and leaves a copy of the key behind.
void append(std::vector<std::uint8_t>& out, Kind kind, const Uuid& device, std::span<const std::uint8_t> key = {});

struct Record {
    Kind kind;
    Uuid device;
    std::span<const std::uint8_t> key;  // a view into the scanned bytes; empty for a removal
};

struct Scan {
    std::size_t records = 0;
    std::size_t goodEnd = 0;  // the end of the last whole record: below the size if the tail is torn
};

// Checks the header, then calls `onRecord` for each whole record in order and stops at a torn
// tail. Throws SvrDbError naming `file` and the offset for a bad header, or for a bad record that
// more data follows (corruption, not a crash during an append).
Scan scan(std::span<const std::uint8_t> bytes, const std::string& file, const std::function<void(const Record&)>& onRecord);

}  // namespace steward::core::owner_key_record
