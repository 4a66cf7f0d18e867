#include "daemon_subsystem.hpp"

namespace steward::bridge {

std::string DaemonSubsystem::activity() const {
    const std::lock_guard lock(activityMutex_);
    return activity_;
}

void DaemonSubsystem::setActivity(std::string what) {
    const std::lock_guard lock(activityMutex_);
    activity_ = std::move(what);
}

Poco::Logger& daemonLogger() { return Poco::Logger::get("stewardd"); }

LogLine informationLog() {
    return [&logger = daemonLogger()](const std::string& line) { logger.information(line); };
}

}  // namespace steward::bridge
