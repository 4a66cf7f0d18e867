#pragma once
// Pre-shared-key selection for DTLS 1.2 PSK sessions (OCF owner, pairwise, Random-PIN and
// Just-Works sessions). The server sends an identity hint; the client answers with its identity;
// each side picks its key from what the other sent.
//
// Threading: the lookups run on the endpoint's I/O thread, in the middle of a handshake, while
// the process-wide transport lock is held: keep them short and never call back into an endpoint.
// An exception thrown by a lookup is caught, logged and treated as "no key" (the handshake fails).
//
// Limitation of the TLS library (OpenSSL's TLS 1.2 PSK API takes C strings): identities and hints
// must not contain a 0x00 byte and are at most 64 bytes (libcoap's limit). An identity or hint
// that breaks this is refused (the handshake fails, or the endpoint refuses the configuration)
// rather than silently truncated, which would make both sides pick keys for different names.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "steward/crypto/secret_bytes.hpp"

namespace steward::core {

using PskBytes = std::vector<std::uint8_t>;  // identities and hints (names, not secrets)

inline constexpr std::size_t kMaxPskIdentityLength = 64;
inline constexpr std::size_t kMaxPskKeyLength = 64;

struct PeerInfo;  // coap_endpoint.hpp

// Server side: the key for the client identity the peer sent, or nullopt to refuse the peer
// (unknown identity: the handshake fails with an alert). `peer` names the handshake (its session
// id, which later session events carry) and where it comes from, for callers that ration keys
// (a PIN must not be guessed at will).
using ServerPskLookup = std::function<std::optional<SecretBytes>(std::span<const std::uint8_t> clientIdentity, const PeerInfo& peer)>;

struct ServerPskConfig {
    // Sent to every client as the PSK identity hint (OCF: the device's raw UUID). May be empty.
    PskBytes identityHint;
    ServerPskLookup keyForIdentity;
};

struct ClientPskCredentials {
    PskBytes identity;
    SecretBytes key;
};

// Client side: given the hint the server sent (empty if it sent none), the identity to send and
// the key to use, or nullopt to abandon the handshake.
using ClientPskLookup = std::function<std::optional<ClientPskCredentials>(std::span<const std::uint8_t> serverHint)>;

// A client lookup that answers every hint with the same credentials.
ClientPskLookup fixedClientPsk(ClientPskCredentials credentials);

// True when `bytes` can be used as a PSK identity or hint (see the limitation above).
bool isUsablePskName(std::span<const std::uint8_t> bytes);

}  // namespace steward::core
