#include "steward/plugin/provider_registry.hpp"

#include <algorithm>

#include "plugin/guarded_credential_provider.hpp"
#include "plugin/guarded_ownership_provider.hpp"
#include "plugin/guarded_pairing_provider.hpp"

namespace steward::core {
namespace {

void checkEntry(const ProviderInfo& info, const std::shared_ptr<Provider>& provider) {
    if (info.category.empty() || info.name.empty()) throw std::invalid_argument("a provider needs a category and a name");
    if (!provider) throw std::invalid_argument("provider " + info.category + "/" + info.name + " is null");
}

std::string describe(const ProviderInfo& info) {
    return info.category + "/" + info.name + (info.origin.empty() ? std::string(" (built in)") : " from " + info.origin);
}

}  // namespace

void ProviderRegistry::add(ProviderInfo info, std::shared_ptr<Provider> provider) {
    std::vector<std::pair<ProviderInfo, std::shared_ptr<Provider>>> one;
    one.emplace_back(std::move(info), std::move(provider));
    addAll(std::move(one));
}

void ProviderRegistry::addAll(std::vector<std::pair<ProviderInfo, std::shared_ptr<Provider>>> batch) {
    const std::lock_guard lock(mutex_);
    std::vector<Key> seen;
    for (const auto& [info, provider] : batch) {
        checkEntry(info, provider);
        Key key{info.category, info.name};
        if (auto it = entries_.find(key); it != entries_.end()) {
            throw DuplicateProviderError(info.category + "/" + info.name + " is already registered by " + describe(it->second.info));
        }
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
            throw DuplicateProviderError(info.category + "/" + info.name + " is registered twice by the same plugin");
        }
        seen.push_back(std::move(key));
    }
    for (auto& [info, provider] : batch) {
        Key key{info.category, info.name};
        entries_.emplace(std::move(key), Entry{std::move(info), std::move(provider)});
    }
}

std::shared_ptr<Provider> ProviderRegistry::find(std::string_view category, std::string_view name) const {
    const std::lock_guard lock(mutex_);
    const auto it = entries_.find(Key{std::string(category), std::string(name)});
    return it == entries_.end() ? nullptr : it->second.provider;
}

bool ProviderRegistry::contains(std::string_view category, std::string_view name) const { return find(category, name) != nullptr; }

std::vector<ProviderInfo> ProviderRegistry::list() const {
    const std::lock_guard lock(mutex_);
    std::vector<ProviderInfo> out;
    for (const auto& [key, entry] : entries_) out.push_back(entry.info);
    return out;
}

std::vector<ProviderInfo> ProviderRegistry::list(std::string_view category) const {
    auto all = list();
    std::erase_if(all, [&](const ProviderInfo& i) { return i.category != category; });
    return all;
}

std::shared_ptr<const OwnershipTransferProvider> ProviderRegistry::ownershipProvider(std::string_view label) const {
    ProviderInfo info;
    std::shared_ptr<Provider> provider;
    {
        const std::lock_guard lock(mutex_);
        const auto it = entries_.find(Key{std::string(provider_category::kOwnershipTransfer), std::string(label)});
        if (it == entries_.end()) return nullptr;
        info = it->second.info;
        provider = it->second.provider;
    }
    auto otm = std::dynamic_pointer_cast<const OwnershipTransferProvider>(std::shared_ptr<const Provider>(provider));
    if (!otm) return nullptr;  // registered under "otm" without implementing the interface
    return std::make_shared<detail::GuardedOwnershipProvider>(std::move(otm), describe(info));
}

std::shared_ptr<const OwnershipTransferProvider> ProviderRegistry::ownershipProvider(int oxm) const {
    for (const auto& info : list(provider_category::kOwnershipTransfer)) {
        auto provider = ownershipProvider(info.name);
        if (provider && provider->oxm() == oxm) return provider;
    }
    return nullptr;
}

std::shared_ptr<const CredentialManagementProvider> ProviderRegistry::credentialProvider(std::string_view name) const {
    ProviderInfo info;
    std::shared_ptr<Provider> provider;
    {
        const std::lock_guard lock(mutex_);
        for (const auto& [key, entry] : entries_) {
            if (key.first != provider_category::kCredentialManagement || (!name.empty() && key.second != name)) continue;
            info = entry.info;
            provider = entry.provider;
            break;
        }
    }
    auto credmgmt = std::dynamic_pointer_cast<const CredentialManagementProvider>(std::shared_ptr<const Provider>(provider));
    if (!credmgmt) return nullptr;
    return std::make_shared<detail::GuardedCredentialProvider>(std::move(credmgmt), describe(info));
}

std::shared_ptr<const DirectPairingProvider> ProviderRegistry::pairingProvider(std::string_view name) const {
    ProviderInfo info;
    std::shared_ptr<Provider> provider;
    {
        const std::lock_guard lock(mutex_);
        for (const auto& [key, entry] : entries_) {
            if (key.first != provider_category::kPairing || (!name.empty() && key.second != name)) continue;
            info = entry.info;
            provider = entry.provider;
            break;
        }
    }
    auto pairing = std::dynamic_pointer_cast<const DirectPairingProvider>(std::shared_ptr<const Provider>(provider));
    if (!pairing) return nullptr;
    return std::make_shared<detail::GuardedPairingProvider>(std::move(pairing), describe(info));
}

}  // namespace steward::core
