#include "steward/model/uuid.hpp"

#include <algorithm>
#include <stdexcept>

#include "steward/crypto/digest.hpp"
#include "steward/crypto/random.hpp"

namespace steward::core {
namespace {
int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::optional<Uuid> Uuid::parse(std::string_view text) {
    if (text.size() != 36) return std::nullopt;
    Bytes b{};
    std::size_t out = 0;
    for (std::size_t i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-') return std::nullopt;
            ++i;
            continue;
        }
        const int hi = hexValue(text[i]);
        const int lo = hexValue(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        b[out++] = static_cast<std::uint8_t>(hi * 16 + lo);
        i += 2;
    }
    return Uuid(b);
}

std::optional<Uuid> Uuid::fromRaw(std::span<const std::uint8_t> bytes) {
    if (bytes.size() != 16) return std::nullopt;
    Bytes b{};
    std::copy(bytes.begin(), bytes.end(), b.begin());
    return Uuid(b);
}

Uuid Uuid::random() {
    Bytes b{};
    randomBytes(b);
    return Uuid(b);
}

Uuid Uuid::randomPskUsable() {
    for (;;) {  // about 6% of draws contain a zero byte
        const Uuid id = random();
        if (id.isPskUsable()) return id;
    }
}

bool Uuid::isPskUsable() const { return std::find(bytes_.begin(), bytes_.end(), std::uint8_t{0}) == bytes_.end(); }

Uuid Uuid::fromSeed(std::span<const std::uint8_t> seed) {
    if (seed.size() < 8 || seed.size() > 64) {
        throw std::invalid_argument("a UUID seed must be 8 to 64 bytes, got " + std::to_string(seed.size()));
    }
    const auto digest = sha256(seed);
    Bytes b{};
    std::copy_n(digest.begin(), b.size(), b.begin());
    return Uuid(b);
}

std::string Uuid::toString() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        s.push_back(kHex[bytes_[i] >> 4]);
        s.push_back(kHex[bytes_[i] & 0x0F]);
    }
    return s;
}

bool Uuid::isNil() const {
    for (auto b : bytes_) {
        if (b != 0) return false;
    }
    return true;
}

}  // namespace steward::core
