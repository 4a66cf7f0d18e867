// steward-device: one or many secure sample devices until SIGINT/SIGTERM, or (--call) one
// request to another device as its client.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "call_mode.hpp"
#include "device_instance.hpp"
#include "errors.hpp"
#include "idprov_agent.hpp"
#include "pair_mode.hpp"
#include "steward/svr/svr_database.hpp"
#include "steward/util/private_files.hpp"

namespace {

using steward::tools::DeviceInstance;
using steward::tools::DeviceOptions;
using steward::tools::EventLog;
using steward::tools::InstanceConfig;

std::vector<InstanceConfig> instanceConfigs(const DeviceOptions& o) {
    std::vector<InstanceConfig> out;
    for (int i = 1; i <= o.count; ++i) {
        InstanceConfig c;
        c.index = i;
        c.svrdbFile = o.count == 1 && o.svrdbDir.empty()
                          ? o.svrdb
                          : (std::filesystem::path(o.svrdbDir) / ("device-" + std::to_string(i) + ".dat")).string();
        if (o.uuidSeed) c.uuidSeed = o.count == 1 ? *o.uuidSeed : *o.uuidSeed + "-" + std::to_string(i);
        c.name = o.count == 1 ? o.name : o.name + " " + std::to_string(i);
        c.otm = o.otm;
        c.bindAddress = o.bindAddress;
        c.port = o.port;
        c.securePort = o.securePort;
        c.multicastInterfaces = o.multicastInterfaces;
        c.multicastJitter = std::chrono::milliseconds(o.multicastJitterMs);
        c.ownershipTimeout = std::chrono::seconds(o.ownershipTimeoutS);
        c.verbose = o.verbose;
        c.directPairing = o.directPairing;
        out.push_back(std::move(c));
    }
    return out;
}

int resetDatabases(const DeviceOptions& o, EventLog& log) {
    for (const auto& c : instanceConfigs(o)) {
        auto db = steward::core::SvrDatabase::open(c.svrdbFile);
        db.reset();
        log.event(c.index, "reset", "restored the reset profile of " + c.svrdbFile, {{"uuid", db.resources().doxm.deviceuuid.toString()}});
    }
    return 0;
}

steward::tools::IdprovAgentOptions idprovOptions(const DeviceOptions& o, const steward::core::Uuid& id) {
    steward::tools::IdprovAgentOptions a;
    a.url = o.idprov->url;
    a.discoverTimeout = std::chrono::milliseconds(o.idprov->discoverTimeoutMs);
    a.deviceId = o.idprov->deviceId.empty() ? id.toString() : o.idprov->deviceId;
    if (!o.idprov->secretFile.empty()) {
        std::ifstream in(o.idprov->secretFile);
        if (!in) throw std::runtime_error("cannot read --idprov-secret-file " + o.idprov->secretFile);
        std::getline(in, a.oobSecret);
        if (!a.oobSecret.empty() && a.oobSecret.back() == '\r') a.oobSecret.pop_back();
    }
    a.storeDirectory = o.idprov->storeDirectory.empty() ? o.svrdb + ".idprov" : o.idprov->storeDirectory;
    a.mqttBroker = o.idprov->mqttBroker;
    a.mqttTopic = o.idprov->mqttTopic;
    a.deviceName = o.name;
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    DeviceOptions options;
    try {
        auto parsed = steward::tools::parseDeviceOptions({argv + 1, argv + argc});
        if (!parsed) return 0;
        options = *parsed;
    } catch (const steward::tools::UsageError& e) {
        std::cerr << "steward-device: " << e.what() << " (see steward-device --help)\n";
        return 2;
    }
    if (options.pair)
        return steward::tools::runPairing(options.svrdb, std::move(*options.pair), options.json, std::cin, std::cout, std::cerr);
    if (options.call) return steward::tools::runCall(options.svrdb, *options.call, options.json, std::cout, std::cerr);
    EventLog log(std::cout, options.json);
    try {
        if (options.reset) return resetDatabases(options, log);
        if (!options.svrdbDir.empty()) steward::core::ensurePrivateDirectory(options.svrdbDir);

        // Block the stop signals before any thread starts, so that only sigwait() sees them.
        sigset_t stopSignals;
        sigemptyset(&stopSignals);
        sigaddset(&stopSignals, SIGINT);
        sigaddset(&stopSignals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
        std::signal(SIGPIPE, SIG_IGN);

        std::vector<std::unique_ptr<DeviceInstance>> devices;
        for (auto& config : instanceConfigs(options)) devices.push_back(std::make_unique<DeviceInstance>(std::move(config), log));

        std::unique_ptr<steward::tools::IdprovAgent> idprov;
        if (options.idprov) idprov = std::make_unique<steward::tools::IdprovAgent>(idprovOptions(options, devices.front()->id()), log);

        int signal = 0;
        sigwait(&stopSignals, &signal);
        log.event(0, "stopping", std::string("received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
        idprov.reset();
        devices.clear();
        log.event(0, "stopped", "all devices stopped");
        return 0;
    } catch (const std::exception& e) {
        log.event(0, "error", e.what());
        return 1;
    }
}
