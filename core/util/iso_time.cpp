#include "steward/util/iso_time.hpp"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

namespace steward::core {

std::string isoTime(std::chrono::system_clock::time_point t) {
    if (t.time_since_epoch().count() == 0) return "";
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    return Poco::DateTimeFormatter::format(Poco::Timestamp(us), Poco::DateTimeFormat::ISO8601_FORMAT);
}

}  // namespace steward::core
