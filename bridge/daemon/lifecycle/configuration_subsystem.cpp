#include "configuration_subsystem.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/PatternFormatter.h>
#include <Poco/SyslogChannel.h>

#include <iostream>

#include "steward/transport/transport_log.hpp"
#include "steward/version.hpp"

namespace steward::bridge {

ConfigurationSubsystem::ConfigurationSubsystem(const std::string& file) : file_(file) {}

ConfigurationSubsystem::~ConfigurationSubsystem() { uninitialize(); }

const DaemonConfig& ConfigurationSubsystem::config() const {
    if (!config_) throw std::logic_error("the configuration is not loaded");
    return *config_;
}

void ConfigurationSubsystem::initialize(Poco::Util::Application&) {
    config_ = loadDaemonConfig(file_);
    setUpLogging(*config_);
    auto& logger = daemonLogger();
    if (logger.getLevel() < Poco::Message::PRIO_DEBUG) core::setTransportLogLevel(core::TransportLogLevel::Error);
    logger.information("stewardd " + std::string(core::versionText()) + " starting: configuration " + config_->file.string() + ", state " +
                       config_->stateDir.string() + ", plugins " + config_->pluginDir.string() + ", ownership mode " +
                       std::string(toString(config_->ownership.mode)));
}

void ConfigurationSubsystem::uninitialize() { config_.reset(); }

void ConfigurationSubsystem::setUpLogging(const DaemonConfig& config) {
    Poco::AutoPtr<Poco::Channel> sink;
    if (config.syslog) {
        sink = new Poco::SyslogChannel("stewardd", Poco::SyslogChannel::SYSLOG_PID, Poco::SyslogChannel::SYSLOG_DAEMON);
    } else {
        sink = new Poco::ConsoleChannel(std::clog);
    }
    Poco::AutoPtr<Poco::PatternFormatter> pattern(new Poco::PatternFormatter(config.syslog ? "%t" : "%Y-%m-%dT%H:%M:%S.%iZ %p %t"));
    Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(pattern, sink));
    auto& logger = daemonLogger();
    logger.setChannel(channel);
    logger.setLevel(config.logLevel);
    loggingReady_ = true;
}

}  // namespace steward::bridge
