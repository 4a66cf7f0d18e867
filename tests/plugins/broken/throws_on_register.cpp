// A plugin whose registration throws half-way: nothing of it may be registered.
#include <memory>
#include <stdexcept>

#include "steward/plugin/ownership_provider.hpp"
#include "steward/plugin/plugin_abi.hpp"

namespace {
class Half final : public steward::core::Provider {};
}  // namespace

STEWARD_PLUGIN("throws-on-register", "1.0")

extern "C" __attribute__((visibility("default"))) void steward_plugin_register(steward::core::ProviderRegistrar& r) {
    r.add("pairing", "x.test.half", "1.0", std::make_shared<Half>());
    throw std::runtime_error("cannot find my configuration");
}
