#include "event_log.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace steward::tools {

void EventLog::event(int device, const std::string& kind, const std::string& message, const std::map<std::string, std::string>& fields) {
    const auto now = Poco::DateTimeFormatter::format(Poco::DateTime(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT);
    std::ostringstream line;
    if (json_) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("time", now);
        o.set("device", device);
        o.set("event", kind);
        o.set("message", message);
        for (const auto& [k, v] : fields) o.set(k, v);
        o.stringify(line);
    } else {
        line << now << " device " << device << " " << kind << ": " << message;
        for (const auto& [k, v] : fields) line << " " << k << "=" << v;
    }
    const std::lock_guard lock(mutex_);
    out_ << line.str() << std::endl;  // flushed: tests and supervisors read it as it happens
}

}  // namespace steward::tools
