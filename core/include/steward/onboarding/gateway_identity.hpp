#pragma once
// The gateway's own identity and the owner credentials it holds. The identity is its own SVR DB
// (the store devices use: one 0600 file, atomic writes, a lock against a second writer), whose
// doxm deviceuuid is the gateway's UUID. The owner PSKs (one per owned device) are in an
// append-only log beside it, `<store>.keys` (owner_key_log.hpp), under the store's lock: storing
// one costs the same whatever the fleet's size. Owner credentials an older version kept in the
// store (credtype 1, subject = the device) move to the log when it is opened. Thread-safe.
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/onboarding/owner_key_log.hpp"
#include "steward/onboarding/security_domain.hpp"
#include "steward/svr/svr_database.hpp"

namespace steward::core {

class GatewayIdentity {
public:
    // Opens the store, or creates it with a fresh UUID (never one with a 0x00 byte: it is the
    // gateway's PSK identity); likewise the security domain beside it. Throws SvrDbError, or
    // FileError for the domain file. A log without its store (deleted, or moved away) is
    // refused rather than used with a new identity or deleted.
    static GatewayIdentity openOrCreate(const std::filesystem::path& file);

    Uuid id() const;
    // Kept in `<store>.sdi` (CBOR {uuid, name}, 0600), made with the store.
    const SecurityDomain& securityDomain() const { return domain_; }
    // Durable when it returns (fsync'd); replaces an older credential for the same device. On
    // failure (SvrDbError) nothing changes. Likewise removeOwnerCredential.
    void storeOwnerCredential(const Uuid& device, std::span<const std::uint8_t> psk);
    std::optional<SecretBytes> ownerCredential(const Uuid& device) const;
    bool removeOwnerCredential(const Uuid& device);
    std::vector<Uuid> devicesWithCredentials() const;

    GatewayIdentity(GatewayIdentity&& other) noexcept;

private:
    GatewayIdentity(SvrDatabase db, OwnerKeyLog keys, SecurityDomain domain)
        : db_(std::move(db)), keys_(std::move(keys)), domain_(std::move(domain)) {}
    mutable std::mutex mutex_;
    SvrDatabase db_;
    OwnerKeyLog keys_;
    SecurityDomain domain_;
};

}  // namespace steward::core
