#pragma once
// steward-device's output: one line per event, as text or as JSON (--json), from any thread.
#include <map>
#include <mutex>
#include <ostream>
#include <string>

namespace steward::tools {

class EventLog {
public:
    EventLog(std::ostream& out, bool json) : out_(out), json_(json) {}

    // `fields` become JSON members (strings) or "key=value" words after the message.
    void event(int device, const std::string& kind, const std::string& message, const std::map<std::string, std::string>& fields = {});

private:
    std::mutex mutex_;
    std::ostream& out_;
    bool json_;
};

}  // namespace steward::tools
