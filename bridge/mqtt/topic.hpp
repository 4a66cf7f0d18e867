#pragma once
// MQTT topic names and topic filters (MQTT 3.1.1 section 4.7), checked and matched without
// libmosquitto so that dispatch and validation are plain, testable functions.
#include <string_view>

namespace steward::bridge {

// A topic name we may publish to: non-empty, no '+' or '#', no NUL, at most 65535 bytes.
bool isValidTopicName(std::string_view topic);

// A topic filter we may subscribe to: non-empty, no NUL, at most 65535 bytes; '+' only as a whole
// level; '#' only as the whole last level.
bool isValidTopicFilter(std::string_view filter);

// True if `topic` (a topic name) is matched by `filter`. '+' matches exactly one level (which may
// be empty), '#' the parent level and any number of levels below it. A filter starting with a
// wildcard does not match topics starting with '$' (e.g. "$SYS/..."), as the specification says.
// An invalid filter or topic name matches nothing.
bool topicMatches(std::string_view filter, std::string_view topic);

}  // namespace steward::bridge
