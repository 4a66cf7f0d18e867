// A plugin built by another compiler / C++ library: same ABI version, other build key.
#include <cstdlib>

#include "steward/plugin/plugin_abi.hpp"

extern "C" __attribute__((visibility("default"))) const StewardPluginAbi* steward_plugin_abi() {
    static const StewardPluginAbi abi{STEWARD_PLUGIN_ABI_VERSION, "steward-0/msvc-19/msvcprt-14", "wrong-key", "1.0"};
    return &abi;
}
extern "C" __attribute__((visibility("default"))) void steward_plugin_register(steward::core::ProviderRegistrar&) {
    std::abort();  // must never be reached
}
