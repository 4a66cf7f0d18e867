#pragma once
// The plugin ABI: what every plugin shared object exports, with C linkage so the host can call it
// before it trusts anything else in the library.
//
//   STEWARD_PLUGIN("my-otm", "1.0.0")              // defines steward_plugin_abi()
//   extern "C" void steward_plugin_register(steward::core::ProviderRegistrar& registrar) {
//       registrar.add("otm", "x.vendor.oxm", "1.0.0", std::make_shared<MyProvider>());
//   }
//
// The host refuses a library whose ABI version or build key differs from its own: C++ objects
// (std::string, std::shared_ptr, exceptions) cross this boundary, so plugin and host must be
// built by the same compiler family and major version, against the same C++ library, for the
// same Steward major version.
#include <memory>
#include <string>

#include "steward/plugin/provider.hpp"

// 2: the credmgmt provider interface; PeerInfo and EndpointOptions gained certificate fields.
// 3: the enrollment provider interface; CertificateProfile gained subjectAltNames.
// 4: OwnershipRequest gained securityDomain (the sdi step iotivity-lite requires).
// 5: keys and PINs are SecretBytes (PSK lookups, OwnershipRequest.pin, OwnershipResult.ownerPsk);
//    ServerPskLookup takes the handshake's PeerInfo.
// 6: the pairing provider interface (Direct Pairing).
// 7: ProvisioningDatabase gained direct links and blocked devices (new virtuals: its vtable moved),
//    ProvisioningOutcome gained `removal`, ProvisioningError carries the device's answer code.
#define STEWARD_PLUGIN_ABI_VERSION 7
#define STEWARD_VERSION_MAJOR 0

#define STEWARD_ABI_STRINGIFY_(x) #x
#define STEWARD_ABI_STRINGIFY(x) STEWARD_ABI_STRINGIFY_(x)
#if defined(__clang__)
#define STEWARD_ABI_COMPILER "clang-" STEWARD_ABI_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define STEWARD_ABI_COMPILER "gcc-" STEWARD_ABI_STRINGIFY(__GNUC__)
#else
#define STEWARD_ABI_COMPILER "unknown"
#endif
#if defined(_LIBCPP_VERSION)
#define STEWARD_ABI_STDLIB "libc++-" STEWARD_ABI_STRINGIFY(_LIBCPP_VERSION)
#elif defined(_GLIBCXX_RELEASE)
#define STEWARD_ABI_STDLIB "libstdc++-" STEWARD_ABI_STRINGIFY(_GLIBCXX_RELEASE)
#else
#define STEWARD_ABI_STDLIB "unknown"
#endif
// e.g. "steward-0/gcc-12/libstdc++-12"
#define STEWARD_ABI_BUILD_KEY "steward-" STEWARD_ABI_STRINGIFY(STEWARD_VERSION_MAJOR) "/" STEWARD_ABI_COMPILER "/" STEWARD_ABI_STDLIB

extern "C" {
// Plain C data: readable whatever the other side's C++ ABI is.
struct StewardPluginAbi {
    int abiVersion;
    const char* buildKey;
    const char* pluginName;
    const char* pluginVersion;
};
}

namespace steward::core {

// Handed to steward_plugin_register(); collects the plugin's providers. Nothing is registered if
// the function throws or adds a name that is taken.
class ProviderRegistrar {
public:
    virtual ~ProviderRegistrar() = default;
    virtual void add(std::string category, std::string name, std::string version, std::shared_ptr<Provider> provider) = 0;
};

}  // namespace steward::core

// The two symbols the host looks up.
#define STEWARD_PLUGIN_ABI_SYMBOL "steward_plugin_abi"
#define STEWARD_PLUGIN_REGISTER_SYMBOL "steward_plugin_register"
using StewardPluginAbiFunction = const StewardPluginAbi* (*)();
using StewardPluginRegisterFunction = void (*)(steward::core::ProviderRegistrar&);

#define STEWARD_PLUGIN(name, version)                                                                        \
    extern "C" __attribute__((visibility("default"))) const StewardPluginAbi* steward_plugin_abi() {         \
        static const StewardPluginAbi abi{STEWARD_PLUGIN_ABI_VERSION, STEWARD_ABI_BUILD_KEY, name, version}; \
        return &abi;                                                                                         \
    }
