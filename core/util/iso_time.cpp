#include "steward/util/iso_time.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Timestamp.h>

#include <regex>

namespace steward::core {

std::string isoTime(std::chrono::system_clock::time_point t) {
    if (t.time_since_epoch().count() == 0) return "";
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    return Poco::DateTimeFormatter::format(Poco::Timestamp(us), Poco::DateTimeFormat::ISO8601_FORMAT);
}

std::optional<std::chrono::system_clock::time_point> parseIsoTime(std::string_view text) {
    // Poco's parser is lenient about what it skips; the shape is checked first so "12/01/2026" or
    // trailing junk is refused rather than read as something else.
    static const std::regex shape(
        R"(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?)");
    const std::string s(text);
    if (s.size() > 40 || !std::regex_match(s, shape)) return std::nullopt;
    Poco::DateTime parsed;
    int tz = 0;
    const std::string format = s.size() == 10 ? std::string("%Y-%m-%d") : std::string(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT);
    if (!Poco::DateTimeParser::tryParse(format, s, parsed, tz)) return std::nullopt;
    parsed.makeUTC(tz);
    if (parsed.month() < 1 || parsed.day() < 1) return std::nullopt;
    return std::chrono::system_clock::time_point(std::chrono::microseconds(parsed.timestamp().epochMicroseconds()));
}

}  // namespace steward::core
