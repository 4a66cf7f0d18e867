#include "steward/util/iso_time.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Timestamp.h>

namespace steward::core {

std::string isoTime(std::chrono::system_clock::time_point t) {
    if (t.time_since_epoch().count() == 0) return "";
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    return Poco::DateTimeFormatter::format(Poco::Timestamp(us), Poco::DateTimeFormat::ISO8601_FORMAT);
}

namespace {

bool digits(std::string_view s, std::size_t at, std::size_t count) {
    if (at + count > s.size()) return false;
    for (std::size_t i = at; i < at + count; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
}

// YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fraction]] followed by Z or +HH:MM / -HH:MM.
bool isoShape(std::string_view s) {
    if (!digits(s, 0, 4) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2)) return false;
    if (s.size() == 10) return true;
    if (s[10] != 'T' || !digits(s, 11, 2) || s.size() < 16 || s[13] != ':' || !digits(s, 14, 2)) return false;
    std::size_t i = 16;
    if (i < s.size() && s[i] == ':') {
        if (!digits(s, i + 1, 2)) return false;
        i += 3;
        if (i < s.size() && s[i] == '.') {
            const std::size_t start = ++i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
            if (i == start || i - start > 9) return false;
        }
    }
    if (i < s.size() && s[i] == 'Z') return i + 1 == s.size();
    return i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && digits(s, i + 1, 2) && s[i + 3] == ':' && digits(s, i + 4, 2);
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parseIsoTime(std::string_view text) {
    // Poco's parser is lenient about what it skips; the shape is checked first so "12/01/2026" or
    // trailing junk is refused rather than read as something else.
    if (text.size() > 40 || !isoShape(text)) return std::nullopt;
    const std::string s(text);
    Poco::DateTime parsed;
    int tz = 0;
    const std::string format = s.size() == 10 ? std::string("%Y-%m-%d") : std::string(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT);
    if (!Poco::DateTimeParser::tryParse(format, s, parsed, tz)) return std::nullopt;
    parsed.makeUTC(tz);
    return std::chrono::system_clock::time_point(std::chrono::microseconds(parsed.timestamp().epochMicroseconds()));
}

}  // namespace steward::core
