// A plugin from a future Steward: another ABI version. The host must refuse it before calling
// anything else in it.
#include <cstdlib>

#include "steward/plugin/plugin_abi.hpp"

extern "C" __attribute__((visibility("default"))) const StewardPluginAbi* steward_plugin_abi() {
    static const StewardPluginAbi abi{STEWARD_PLUGIN_ABI_VERSION + 998, STEWARD_ABI_BUILD_KEY, "wrong-abi", "9.9.9"};
    return &abi;
}
extern "C" __attribute__((visibility("default"))) void steward_plugin_register(steward::core::ProviderRegistrar&) {
    std::abort();  // must never be reached
}
