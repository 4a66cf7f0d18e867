#pragma once
#include <string_view>

namespace steward::core {
// Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(std::string_view s);
}  // namespace steward::core
