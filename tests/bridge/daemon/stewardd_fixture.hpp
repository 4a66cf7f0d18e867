#pragma once
// The fixture of the stewardd end-to-end tests: a temporary directory with the example lights
// policy, a real mosquitto, and the configuration text of a daemon that probes given devices.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bridge/mqtt/broker_fixture.hpp"
#include "device_fixture.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {

inline std::string yamlList(const std::vector<std::string>& items) {
    std::string s = "[";
    for (std::size_t i = 0; i < items.size(); ++i) s += (i ? ", \"" : "\"") + items[i] + "\"";
    return s + "]";
}

class Stewardd : public ::testing::Test {
protected:
    void SetUp() override {
        std::filesystem::create_directories(policies());
        std::filesystem::copy_file(std::filesystem::path(STEWARD_SOURCE_DIR) / "config" / "policies.d" / "10-lights.yaml",
                                   policies() / "10-lights.yaml");
    }
    std::filesystem::path policies() const { return dir / "policies.d"; }

    std::string config(const std::string& ownership, const std::vector<std::string>& unicast) const {
        return "state_dir: " + (dir / "state").string() + "\nplugin_dir: " + STEWARD_PLUGIN_DIR + "\npolicy_dir: " + policies().string() +
               "\nmqtt: {port: " + std::to_string(broker.port()) + "}\ndiscovery: {unicast: " + yamlList(unicast) +
               ", interval: 1, timeout_ms: 500}\nownership: " + ownership + "\nlogging: {level: debug}\n";
    }
    static std::string at(const RunningDevices& d) { return "127.0.0.1:" + std::to_string(d[0].port); }
    static bool forDevice(const Poco::JSON::Object::Ptr& data, const RunningDevices& d) {
        return data->optValue<std::string>("device", "") == d[0].id.toString();
    }
    static bool ok(const Poco::JSON::Object::Ptr& response) { return response && response->getValue<std::string>("status") == "ok"; }

    TempDir dir;
    MosquittoBroker broker;
};

}  // namespace steward::test
