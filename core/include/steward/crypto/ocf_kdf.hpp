#pragma once
// OCF's key derivations (see ../shared/design/ocf-security.md, "Crypto"): the Random-PIN PSK, the
// owner PSK bound to a DTLS session and both UUIDs, Steward's public Just-Works PSK, and the
// Direct-Pairing PSK. Both sides of an onboarding compute these independently, so every byte of
// the inputs is fixed by the note and checked against its test vectors.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/model/uuid.hpp"

namespace steward::core {

inline constexpr std::string_view kJustWorksLabel = "oic.sec.doxm.jw";
inline constexpr std::string_view kRandomPinLabel = "oic.sec.doxm.rdp";
inline constexpr std::string_view kDirectPairingLabel = "oic.r.dpairing";

// TLS 1.2 PRF with SHA-256 (RFC 5246 section 5): P_SHA256(secret, label || seed), `length` bytes.
SecretBytes tls12Prf(std::span<const std::uint8_t> secret, std::string_view label, std::span<const std::uint8_t> seed, std::size_t length);

// The secrets of one DTLS 1.2 session, as both peers know them.
struct SessionSecrets {
    std::span<const std::uint8_t> masterSecret;  // 48 bytes
    std::span<const std::uint8_t> serverRandom;  // 32 bytes
    std::span<const std::uint8_t> clientRandom;  // 32 bytes
};

// key_block = PRF(master, "key expansion", server_random || client_random), 96 bytes: the length
// of TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256 (0xC037), OCF's suite. Steward always uses this length,
// whatever suite the TLS library negotiated, so both sides agree (see coap_endpoint.hpp).
SecretBytes ocfKeyBlock(const SessionSecrets& secrets);

// PRF(key_block, label, first_uuid || second_uuid), first 16 bytes. Owner PSK: label = the OxM name,
// first = gateway (owner), second = device. Pairing PSK: label oic.r.dpairing, server then client.
SecretBytes deriveSessionBoundPsk(const SessionSecrets& secrets, std::string_view label, const Uuid& first, const Uuid& second);

// PBKDF2-HMAC-SHA256(pin, salt = raw 16-byte UUID, 1000 iterations) -> 16 bytes.
SecretBytes derivePinPsk(std::string_view pin, const Uuid& salt);

// Steward's public Just-Works PSK: SHA-256("oic.sec.doxm.jw" || device raw UUID)[0..16).
SecretBytes justWorksPsk(const Uuid& device);

// PSK identities of the ownership sessions.
std::vector<std::uint8_t> randomPinHint(const Uuid& device);      // "oic.sec.doxm.rdp:" + raw UUID
std::vector<std::uint8_t> labelIdentity(std::string_view label);  // the label's ASCII bytes

}  // namespace steward::core
