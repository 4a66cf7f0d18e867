// Calls a function nothing defines; with lazy binding it would crash at the first call.
#include "steward/plugin/plugin_abi.hpp"

extern "C" int steward_function_nobody_defines();

STEWARD_PLUGIN("unresolved-symbol", "1.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(steward::core::ProviderRegistrar&) {
    (void)steward_function_nobody_defines();
}
