#pragma once
// Turning what a user types (on the command line or at a menu prompt) into model values. Every
// function throws InputError with a message that says what is accepted; callers add the option
// or prompt it came from.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "steward/model/acl2.hpp"
#include "steward/model/cred.hpp"

namespace steward::tools {

// An ACE's subject, permission and resource as core reads them (steward/model/ace_text.hpp), the
// same rules as in policies and over MQTT: "uuid:<UUID>", "role:<ROLE>[@<AUTHORITY>]",
// "conntype:auth-crypt|anon-clear"; CRUDN letters ("RN", "-R--N"), never none; an href or * + -.
core::AceSubject parseAceSubject(std::string_view text);
int parsePermission(std::string_view text);
core::AceResource parseAceResource(std::string_view text);

// "PERIOD[;RRULE]...": an RFC 5545 period ("start/end"), then recurrence rules. A rule has ';'
// of its own ("FREQ=DAILY;BYDAY=MO"), so a new rule starts at each part beginning with "FREQ=".
core::Validity parseValidity(std::string_view text);

// A UUID (optionally "uuid:"-prefixed) or "*".
core::CredSubject parseCredSubject(std::string_view text);

// Hex digits, optionally separated by ':' or ' ', optionally "0x"-prefixed; any length.
std::vector<std::uint8_t> parseHex(std::string_view text);

// A positive decimal number (an aceid, a credid).
int parseId(std::string_view text, std::string_view what);

// "justworks" / "randompin" (and the OCF names) to oxm ids.
int parseOtm(std::string_view text);

// Splits "a,b,c" into its non-empty parts.
std::vector<std::string> splitList(std::string_view text);

}  // namespace steward::tools

namespace steward::tools {

// Runs `parse`, prefixing an InputError's message with where the value came from ("--perm: ...").
template <typename F>
auto withOrigin(const std::string& origin, F parse) -> decltype(parse()) {
    try {
        return parse();
    } catch (const InputError& e) {
        throw InputError(origin + ": " + e.what());
    }
}

}  // namespace steward::tools
