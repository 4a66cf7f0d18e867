#pragma once
// Loads plugin shared objects into a ProviderRegistry. A file that is not a shared object, lacks
// the entry points, has another ABI or build key, cannot resolve its dependencies, or throws (or
// registers a taken name) while registering is reported with its path and reason and skipped:
// the host keeps running with the rest.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "steward/plugin/provider_registry.hpp"

namespace steward::core {

struct PluginLoadReport {
    std::string path;
    bool loaded = false;
    std::string reason;  // why not, for the user
    std::string name;    // from the ABI record, when it could be read
    std::string version;
    std::vector<ProviderInfo> providers;
};

class PluginLoader {
public:
    explicit PluginLoader(ProviderRegistry& registry) : registry_(registry) {}

    PluginLoadReport load(const std::filesystem::path& file);
    // Every "*.so" in `directory`, in name order; a missing directory gives one failed report.
    std::vector<PluginLoadReport> loadDirectory(const std::filesystem::path& directory);

    // The build key this host accepts ("steward-0/gcc-12/libstdc++-12").
    static std::string hostBuildKey();

private:
    ProviderRegistry& registry_;
};

}  // namespace steward::core
