#pragma once
// The values a policy file spells as text that are not ACE text (subjects, permissions and
// resources are read by core: steward/model/ace_text.hpp). Nullopt for text it does not accept;
// the loader says where and why.

#include <optional>
#include <string>
#include <string_view>

namespace steward::bridge {

// An ownership transfer method as OCF labels it: "justworks" -> "oic.sec.doxm.jw", "randompin" ->
// "oic.sec.doxm.rdp"; the labels oic.sec.doxm.jw / .rdp / .mfgcert map to themselves.
std::optional<std::string> canonicalOtm(std::string_view text);

}  // namespace steward::bridge
