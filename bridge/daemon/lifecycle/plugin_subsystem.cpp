#include "plugin_subsystem.hpp"

namespace steward::bridge {

PluginSubsystem::PluginSubsystem(const StorageSubsystem& storage) : storage_(storage) {}

void PluginSubsystem::initialize(Poco::Util::Application&) {
    auto& logger = daemonLogger();
    for (const auto& r : storage_.gateway().pluginReports) {
        if (r.loaded) {
            logger.information("plugin " + r.name + " " + r.version + " loaded from " + r.path);
        } else {
            logger.error("plugin " + r.path + " skipped: " + r.reason);
        }
    }
}

void PluginSubsystem::uninitialize() {}

}  // namespace steward::bridge
