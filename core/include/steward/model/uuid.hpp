#pragma once
// Device identities: 16 raw bytes, shown as 36-character lowercase text (OCF form).

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace steward::core {

class Uuid {
public:
    using Bytes = std::array<std::uint8_t, 16>;

    constexpr Uuid() = default;  // the nil UUID
    constexpr explicit Uuid(const Bytes& bytes) : bytes_(bytes) {}

    // Accepts the 8-4-4-4-12 hex form in either case; nullopt for anything else.
    static std::optional<Uuid> parse(std::string_view text);
    // Exactly 16 raw bytes (a PSK identity or hint, as OCF sends them); nullopt for any other size.
    static std::optional<Uuid> fromRaw(std::span<const std::uint8_t> bytes);
    // 16 fresh bytes from the OS's CSPRNG, with no version or variant bits set
    // (IoTivity's OCGenerateUuid does the same; devices must not rely on them).
    static Uuid random();
    // As random(), but without 0x00 bytes: OCF uses the raw UUID as DTLS PSK identity, which the
    // TLS library handles as a C string. Use it for every UUID Steward issues (devices, gateways).
    static Uuid randomPskUsable();
    bool isPskUsable() const;
    // First 16 bytes of SHA-256(seed). Throws std::invalid_argument unless 8 <= seed size <= 64.
    static Uuid fromSeed(std::span<const std::uint8_t> seed);

    std::string toString() const;  // lowercase, 36 characters
    const Bytes& bytes() const { return bytes_; }
    bool isNil() const;

    friend auto operator<=>(const Uuid&, const Uuid&) = default;

private:
    Bytes bytes_{};
};

// A credential's subject: one device, or "*" (any peer).
struct CredSubject {
    Uuid uuid;
    bool wildcard = false;

    static CredSubject any() { return {Uuid{}, true}; }
    std::string toString() const { return wildcard ? std::string("*") : uuid.toString(); }
    friend bool operator==(const CredSubject&, const CredSubject&) = default;
};

}  // namespace steward::core
