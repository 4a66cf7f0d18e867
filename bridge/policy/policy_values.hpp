#pragma once
// The few values a policy file spells as text: permissions, resources, connection types, OTM
// names. Each returns nullopt for text it does not accept; the loader says where and why.

#include <optional>
#include <string>
#include <string_view>

#include "steward/model/acl2.hpp"

namespace steward::bridge {

// Letters from CRUDN in any order, each at most once ("RUN"), or the positional form with '-' for
// unset bits ("-RU-N"). Nullopt for anything else, and for no bit at all ("-----").
std::optional<int> parsePermissionLetters(std::string_view text);

// An href starting with '/' (no spaces or control characters), or a wildcard: "*" every resource,
// "+" every secured one, "-" every public one.
std::optional<core::AceResource> parsePolicyResource(std::string_view text);
std::string policyResourceText(const core::AceResource& resource);  // the inverse, for logs

// "auth-crypt" / "anon-clear".
std::optional<core::ConnType> parseConnTypeName(std::string_view text);

// An ownership transfer method as OCF labels it: "justworks" -> "oic.sec.doxm.jw", "randompin" ->
// "oic.sec.doxm.rdp"; the labels oic.sec.doxm.jw / .rdp / .mfgcert map to themselves.
std::optional<std::string> canonicalOtm(std::string_view text);

}  // namespace steward::bridge
