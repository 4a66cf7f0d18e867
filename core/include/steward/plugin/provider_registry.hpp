#pragma once
// The providers the host knows, by category and name. An object handed to whoever needs it (the
// CLI, the daemon, tests) — never a global. Thread-safe.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "steward/plugin/credential_provider.hpp"
#include "steward/plugin/ownership_provider.hpp"
#include "steward/plugin/pairing_provider.hpp"
#include "steward/plugin/provider.hpp"

namespace steward::core {

class DuplicateProviderError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ProviderRegistry {
public:
    // Throws DuplicateProviderError if (category, name) is taken, std::invalid_argument for an
    // empty category/name or a null provider.
    void add(ProviderInfo info, std::shared_ptr<Provider> provider);
    // Adds all or none: the first duplicate (also within `batch`) throws and nothing is added.
    void addAll(std::vector<std::pair<ProviderInfo, std::shared_ptr<Provider>>> batch);

    std::shared_ptr<Provider> find(std::string_view category, std::string_view name) const;
    bool contains(std::string_view category, std::string_view name) const;
    std::vector<ProviderInfo> list() const;  // sorted by category, then name
    std::vector<ProviderInfo> list(std::string_view category) const;

    // The ownership transfer provider for `oxm`, wrapped so that an exception from the plugin
    // becomes a failed OwnershipResult; nullptr if none is registered.
    std::shared_ptr<const OwnershipTransferProvider> ownershipProvider(int oxm) const;
    std::shared_ptr<const OwnershipTransferProvider> ownershipProvider(std::string_view label) const;

    // The credential-management provider registered as `name`, or the first one registered when
    // `name` is empty, wrapped like ownershipProvider(); nullptr if there is none.
    std::shared_ptr<const CredentialManagementProvider> credentialProvider(std::string_view name = {}) const;
    // The Direct Pairing provider (category "pairing"), or nullptr.
    std::shared_ptr<const DirectPairingProvider> pairingProvider(std::string_view name = {}) const;

private:
    using Key = std::pair<std::string, std::string>;
    struct Entry {
        ProviderInfo info;
        std::shared_ptr<Provider> provider;
    };
    mutable std::mutex mutex_;
    std::map<Key, Entry, std::less<>> entries_;
};

}  // namespace steward::core
