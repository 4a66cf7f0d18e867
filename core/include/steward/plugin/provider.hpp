#pragma once
// What a plugin provides: providers, each registered under a category and a name. The categories
// are the kinds of plugin Steward knows; each has an abstract interface a provider implements
// (ownership_provider.hpp for "otm"; the others arrive with the features that call them).
#include <string>
#include <string_view>

namespace steward::core {

namespace provider_category {
inline constexpr std::string_view kOwnershipTransfer = "otm";  // name: the OxM, e.g. "oic.sec.doxm.jw"
inline constexpr std::string_view kCredentialManagement = "credmgmt";
inline constexpr std::string_view kPairing = "pairing";
inline constexpr std::string_view kEnrollment = "enrollment";
}  // namespace provider_category

struct ProviderInfo {
    std::string category;
    std::string name;
    std::string version;  // the provider's own version
    std::string plugin;   // the plugin that registered it ("" when built into the host)
    std::string origin;   // the shared object's path ("" when built into the host)
};

// Base of every provider interface. Providers are shared between threads: const member
// functions must be safe to call concurrently.
class Provider {
public:
    virtual ~Provider() = default;
};

}  // namespace steward::core
