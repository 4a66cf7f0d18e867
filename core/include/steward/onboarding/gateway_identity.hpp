#pragma once
// The gateway's own identity and the owner credentials it holds, kept in its own SVR DB (the
// store devices use: one 0600 file, atomic writes, a lock against a second writer). Its doxm
// deviceuuid is the gateway's UUID; every owned device has one credential (credtype 1, subject =
// the device) holding the owner PSK. Thread-safe.
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "steward/svr/svr_database.hpp"

namespace steward::core {

class GatewayIdentity {
public:
    // Opens the store, or creates it with a fresh UUID (never one with a 0x00 byte: it is the
    // gateway's PSK identity). Throws SvrDbError.
    static GatewayIdentity openOrCreate(const std::filesystem::path& file);

    Uuid id() const;
    // Durable when it returns (fsync'd); replaces an older credential for the same device.
    void storeOwnerCredential(const Uuid& device, std::span<const std::uint8_t> psk);
    std::optional<std::vector<std::uint8_t>> ownerCredential(const Uuid& device) const;
    bool removeOwnerCredential(const Uuid& device);
    std::vector<Uuid> devicesWithCredentials() const;

    GatewayIdentity(GatewayIdentity&& other) noexcept;

private:
    explicit GatewayIdentity(SvrDatabase db) : db_(std::move(db)) {}
    mutable std::mutex mutex_;
    SvrDatabase db_;
};

}  // namespace steward::core
