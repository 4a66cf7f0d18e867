#pragma once
// One part of stewardd as a Poco subsystem, run by Lifecycle in the order the parts were
// registered: initialize() does the part's real set-up (its threads start there, never in a
// constructor); uninitialize() takes back exactly that, and must be safe in any state: after a full
// start, after an initialize() that threw halfway, when never initialized, and twice.
#include <Poco/Logger.h>
#include <Poco/Util/Subsystem.h>

#include <functional>
#include <mutex>
#include <string>

namespace steward::bridge {

class Lifecycle;

class DaemonSubsystem : public Poco::Util::Subsystem {
public:
    // What uninitialize() is waiting for right now ("" when nothing in particular), for the line
    // logged when the stop deadline passes.
    std::string activity() const;

protected:
    void initialize(Poco::Util::Application& app) override = 0;
    void uninitialize() override = 0;

    void setActivity(std::string what);

private:
    friend class Lifecycle;
    mutable std::mutex activityMutex_;
    std::string activity_;
};

// The daemon's logger ("stewardd"), set up by the configuration subsystem.
Poco::Logger& daemonLogger();
// One information line on the daemon's logger (what the daemon's classes take as their `log`).
using LogLine = std::function<void(const std::string&)>;
LogLine informationLog();

}  // namespace steward::bridge
