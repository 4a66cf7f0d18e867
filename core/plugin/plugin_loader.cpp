// Loading one plugin: probe with dlopen(RTLD_NOW) so that missing libraries and unresolved
// symbols are reported now rather than crashing at the first call, check the ABI record, then
// load it with Poco and let it register into a staging area that is committed all or nothing.
#include "steward/plugin/plugin_loader.hpp"

#include <Poco/SharedLibrary.h>
#include <dlfcn.h>

#include <algorithm>

#include "steward/plugin/plugin_abi.hpp"

namespace steward::core {
namespace {

class StagingRegistrar final : public ProviderRegistrar {
public:
    StagingRegistrar(std::shared_ptr<Poco::SharedLibrary> library, std::string plugin, std::string origin)
        : library_(std::move(library)), plugin_(std::move(plugin)), origin_(std::move(origin)) {}

    void add(std::string category, std::string name, std::string version, std::shared_ptr<Provider> provider) override {
        if (!provider) throw std::invalid_argument("provider " + category + "/" + name + " is null");
        // The provider keeps its library loaded: its code lives there.
        struct Holder {
            std::shared_ptr<Poco::SharedLibrary> library;  // destroyed last
            std::shared_ptr<Provider> provider;
        };
        auto holder = std::make_shared<Holder>(Holder{library_, provider});
        std::shared_ptr<Provider> pinned(holder, holder->provider.get());
        batch.emplace_back(ProviderInfo{std::move(category), std::move(name), std::move(version), plugin_, origin_}, std::move(pinned));
    }

    std::vector<std::pair<ProviderInfo, std::shared_ptr<Provider>>> batch;

private:
    std::shared_ptr<Poco::SharedLibrary> library_;
    std::string plugin_;
    std::string origin_;
};

std::string dlerrorText() {
    const char* e = dlerror();
    return e != nullptr ? e : "unknown dynamic loader error";
}

}  // namespace

std::string PluginLoader::hostBuildKey() { return STEWARD_ABI_BUILD_KEY; }

PluginLoadReport PluginLoader::load(const std::filesystem::path& file) {
    PluginLoadReport report;
    report.path = file.string();
    const auto fail = [&](std::string reason) {
        report.loaded = false;
        report.reason = std::move(reason);
        return report;
    };

    void* probe = dlopen(report.path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (probe == nullptr) return fail("not loadable: " + dlerrorText());
    const auto abiFunction = reinterpret_cast<StewardPluginAbiFunction>(dlsym(probe, STEWARD_PLUGIN_ABI_SYMBOL));
    const auto registerFunction = reinterpret_cast<StewardPluginRegisterFunction>(dlsym(probe, STEWARD_PLUGIN_REGISTER_SYMBOL));
    if (abiFunction == nullptr || registerFunction == nullptr) {
        dlclose(probe);
        return fail(std::string("not a Steward plugin: it does not export ") +
                    (abiFunction == nullptr ? STEWARD_PLUGIN_ABI_SYMBOL : STEWARD_PLUGIN_REGISTER_SYMBOL));
    }
    const StewardPluginAbi* abi = nullptr;
    try {
        abi = abiFunction();  // plain C data, the first thing of the plugin we use
    } catch (...) {
        abi = nullptr;
    }
    if (abi == nullptr) {
        dlclose(probe);
        return fail("its ABI record is missing");
    }
    // Copied out now: the record lives in the library, which a refusal unloads.
    report.name = abi->pluginName != nullptr ? abi->pluginName : "";
    report.version = abi->pluginVersion != nullptr ? abi->pluginVersion : "";
    const std::string key = abi->buildKey != nullptr ? abi->buildKey : "";
    const int abiVersion = abi->abiVersion;
    abi = nullptr;
    if (abiVersion != STEWARD_PLUGIN_ABI_VERSION) {
        dlclose(probe);
        return fail("plugin ABI version " + std::to_string(abiVersion) + ", this host speaks " +
                    std::to_string(STEWARD_PLUGIN_ABI_VERSION));
    }
    if (key != hostBuildKey()) {
        dlclose(probe);
        return fail("built as " + key + ", this host is " + hostBuildKey() + " (rebuild the plugin against this SDK)");
    }

    auto library = std::make_shared<Poco::SharedLibrary>();
    try {
        library->load(report.path, Poco::SharedLibrary::SHLIB_LOCAL);
    } catch (const Poco::Exception& e) {
        dlclose(probe);
        return fail("not loadable: " + e.displayText());
    }
    dlclose(probe);  // Poco holds its own reference now

    StagingRegistrar staging(library, report.name, report.path);
    try {
        registerFunction(staging);
    } catch (const std::exception& e) {
        return fail(std::string("failed while registering: ") + e.what());
    } catch (...) {
        return fail("failed while registering: a non-standard exception");
    }
    if (staging.batch.empty()) return fail("registered no provider");
    std::vector<ProviderInfo> infos;
    for (const auto& [info, provider] : staging.batch) infos.push_back(info);
    try {
        registry_.addAll(std::move(staging.batch));
    } catch (const std::exception& e) {
        return fail(std::string("refused: ") + e.what());
    }
    report.loaded = true;
    report.providers = std::move(infos);
    return report;
}

std::vector<PluginLoadReport> PluginLoader::loadDirectory(const std::filesystem::path& directory) {
    std::error_code ec;
    if (!std::filesystem::is_directory(directory, ec)) {
        PluginLoadReport r;
        r.path = directory.string();
        r.reason = "no such plugin directory";
        return {r};
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
        if (entry.path().extension() == ".so") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<PluginLoadReport> reports;
    for (const auto& f : files) reports.push_back(load(f));
    return reports;
}

}  // namespace steward::core
