#pragma once
// The text form of an ACE's subject, permission and resources: the one parser that the CLI, the
// YAML policies and the MQTT API share, and the printers it inverts. For every value v the parser
// can produce, fromText(toString(v)) == v; toString(fromText(s)) is the canonical spelling of s.
//
// The rules, strict so that one text means one thing everywhere:
// - keywords and CRUDN letters are case-sensitive, spelled as the printers spell them;
// - UUID hex digits may be in either case (RFC 9562 reads them case-insensitively), printed lower;
// - a permission grants at least one right: 0 / "-----" is refused, never silently stored;
// - role names, authorities and hrefs are visible ASCII only (no spaces, control characters or
//   non-ASCII look-alikes), so what is logged, planned and compared is what was meant.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "steward/model/acl2.hpp"

namespace steward::core {

// The accepted syntax, for help texts and error messages.
inline constexpr std::string_view kAceSubjectSyntax = "uuid:<UUID>, role:<ROLE>[@<AUTHORITY>], conntype:auth-crypt or conntype:anon-clear";
inline constexpr std::string_view kPermissionSyntax =
    "upper-case letters from CRUDN, each at most once: in any order (RN) or in place with '-' (-R--N)";
inline constexpr std::string_view kAceResourceSyntax = "an href starting with '/', or a wildcard: * all, + all secured, - all public";

// Why a text was refused: what it is not and what is accepted, the text itself quoted and escaped
// ("\"RX\" is not a permission (...)"). Callers add where it came from, in their own error type.
struct AceTextError {
    std::string message;
};

template <typename T>
class AceTextResult {
public:
    // Implicit, so that a parser returns either a value or an AceTextError.
    AceTextResult(T value) : value_(std::move(value)) {}
    AceTextResult(AceTextError error) : error_(std::move(error.message)) {}

    bool ok() const { return value_.has_value(); }
    const T& value() const { return value_.value(); }  // std::bad_optional_access when refused
    const std::string& error() const { return error_; }

private:
    std::optional<T> value_;
    std::string error_;
};

// "uuid:<UUID>", "role:<ROLE>[@<AUTHORITY>]" or "conntype:auth-crypt|anon-clear". A bare UUID is
// refused (the message shows the uuid: form): one spelling per subject.
AceTextResult<AceSubject> aceSubjectFromText(std::string_view text);
// The parts of a subject, for formats that spell the kind as a key ({uuid: ...} in policies).
AceTextResult<Uuid> subjectUuidFromText(std::string_view text);   // refuses the nil UUID
AceTextResult<ConnType> connTypeFromName(std::string_view name);  // "auth-crypt" / "anon-clear"

// The inverse of permission::toString ("-R--N"); the letters may also come in any order ("NR").
AceTextResult<int> permissionFromText(std::string_view text);
// A CRUDN bit mask given as a number (a JSON integer): 1..31.
AceTextResult<int> permissionFromBits(long long bits);

// An href ("/a/light") or a wildcard ("*", "+", "-"); the inverse of aceResourceToString.
AceTextResult<AceResource> aceResourceFromText(std::string_view text);
// The href, or the wildcard's character; rt and if are not part of the text form.
std::string aceResourceToString(const AceResource& resource);

// The other printers live beside the model (acl2.hpp): aceSubjectToString, permission::toString,
// connTypeName.

}  // namespace steward::core
