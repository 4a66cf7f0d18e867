// Needs a library that is gone (deleted after the build): dlopen must fail and say which.
#include "steward/plugin/plugin_abi.hpp"

extern "C" int steward_vanishing_function();

STEWARD_PLUGIN("missing-dependency", "1.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(steward::core::ProviderRegistrar&) {
    (void)steward_vanishing_function();
}
