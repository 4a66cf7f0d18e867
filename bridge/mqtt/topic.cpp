#include "mqtt/topic.hpp"

namespace steward::bridge {
namespace {

constexpr std::size_t kMaxTopicLength = 65535;  // a UTF-8 string in MQTT has a 16-bit length

bool basicChecks(std::string_view text) {
    return !text.empty() && text.size() <= kMaxTopicLength && text.find('\0') == std::string_view::npos;
}

// The level of `text` that starts at `pos` (up to the next '/' or the end).
std::string_view levelAt(std::string_view text, std::size_t pos) {
    const auto slash = text.find('/', pos);
    return text.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
}

}  // namespace

bool isValidTopicName(std::string_view topic) { return basicChecks(topic) && topic.find_first_of("+#") == std::string_view::npos; }

bool isValidTopicFilter(std::string_view filter) {
    if (!basicChecks(filter)) return false;
    std::size_t pos = 0;
    for (;;) {
        const auto level = levelAt(filter, pos);
        const bool last = pos + level.size() == filter.size();
        if (level.find_first_of("+#") != std::string_view::npos) {
            if (level.size() != 1) return false;      // "a+" or "#b"
            if (level == "#" && !last) return false;  // "#" must be the last level
        }
        if (last) return true;
        pos += level.size() + 1;
    }
}

bool topicMatches(std::string_view filter, std::string_view topic) {
    if (!isValidTopicFilter(filter) || !isValidTopicName(topic)) return false;
    if (topic.front() == '$' && (filter.front() == '+' || filter.front() == '#')) return false;

    std::size_t f = 0;  // start of the current filter level
    std::size_t t = 0;  // start of the current topic level
    bool topicDone = false;
    for (;;) {
        const auto fl = levelAt(filter, f);
        if (fl == "#") return true;  // matches the parent level too ("a/#" matches "a")
        if (topicDone) return false;
        const auto tl = levelAt(topic, t);
        if (fl != "+" && fl != tl) return false;
        const bool filterLast = f + fl.size() == filter.size();
        const bool topicLast = t + tl.size() == topic.size();
        if (filterLast) return topicLast;
        f += fl.size() + 1;
        if (topicLast) {
            topicDone = true;  // only a following "#" can still match
        } else {
            t += tl.size() + 1;
        }
    }
}

}  // namespace steward::bridge
