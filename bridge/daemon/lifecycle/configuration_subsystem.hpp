#pragma once
// Subsystem "configuration": steward.yaml, read strictly (a ConfigError stops the start with
// FILE:LINE:COLUMN: key: problem, exit 78), and the daemon's logging (console or syslog, level) as
// it says. The logger stays set up after uninitialize(), for the daemon's last lines.
#include <optional>
#include <string>

#include "daemon_config.hpp"
#include "daemon_subsystem.hpp"

namespace steward::bridge {

class ConfigurationSubsystem final : public DaemonSubsystem {
public:
    // `file`: the --config option's value, read when initialize() runs.
    explicit ConfigurationSubsystem(const std::string& file);
    ~ConfigurationSubsystem() override;
    const char* name() const override { return "configuration"; }

    const DaemonConfig& config() const;  // between initialize() and uninitialize()
    bool loggingReady() const { return loggingReady_; }

protected:
    void initialize(Poco::Util::Application& app) override;
    void uninitialize() override;

private:
    void setUpLogging(const DaemonConfig& config);

    const std::string& file_;
    std::optional<DaemonConfig> config_;
    bool loggingReady_ = false;
};

}  // namespace steward::bridge
