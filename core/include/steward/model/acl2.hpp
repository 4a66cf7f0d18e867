#pragma once
// /oic/sec/acl2: access control entries (OCF acl2 form).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "steward/model/uuid.hpp"

namespace steward::core {

// CRUDN permission bits
namespace permission {
inline constexpr int kCreate = 1;
inline constexpr int kRead = 2;
inline constexpr int kUpdate = 4;
inline constexpr int kDelete = 8;
inline constexpr int kNotify = 16;
inline constexpr int kAll = 31;
std::string toString(int bits);  // "CRUDN" with '-' for unset bits, e.g. "-R--N"
}  // namespace permission

enum class ConnType { AuthCrypt, AnonClear };  // "auth-crypt" / "anon-clear"
std::string_view connTypeName(ConnType t);

struct RoleSubject {
    std::string role;
    std::string authority;  // empty when absent
    friend bool operator==(const RoleSubject&, const RoleSubject&) = default;
};

using AceSubject = std::variant<Uuid, ConnType, RoleSubject>;
std::string aceSubjectToString(const AceSubject& subject);  // "uuid:...", "conntype:...", "role:..."

// "wc": '*' every resource, '+' every secured one, '-' every public one
enum class Wildcard : char { All = '*', Secured = '+', Public = '-' };

struct AceResource {
    std::string href;  // empty when the entry is a wildcard
    std::vector<std::string> rt;
    std::vector<std::string> interfaces;  // "if"
    std::optional<Wildcard> wc;
    friend bool operator==(const AceResource&, const AceResource&) = default;
};

struct Validity {
    std::string period;  // RFC 5545 period
    std::vector<std::string> recurrence;
    friend bool operator==(const Validity&, const Validity&) = default;
};

struct Ace {
    int aceid = 0;  // assigned by the device when 0
    AceSubject subject;
    std::vector<AceResource> resources;
    int permission = 0;
    std::vector<Validity> validity;
    friend bool operator==(const Ace&, const Ace&) = default;
};

struct Acl2 {
    std::vector<Ace> aclist2;
    Uuid rowneruuid;
    friend bool operator==(const Acl2&, const Acl2&) = default;
};

}  // namespace steward::core
