// Well-known names of the model's enumerations.
#include "steward/model/acl2.hpp"
#include "steward/model/cred.hpp"
#include "steward/model/doxm.hpp"
#include "steward/model/pstat.hpp"

namespace steward::core {

std::string_view oxm::name(int id) {
    switch (id) {
        case kJustWorks:
            return "oic.sec.doxm.jw";
        case kRandomPin:
            return "oic.sec.doxm.rdp";
        case kManufacturerCert:
            return "oic.sec.doxm.mfgcert";
        case kSelf:
            return "oic.sec.oxm.self";
        default:
            return {};
    }
}

std::string_view dosStateName(DosState s) {
    switch (s) {
        case DosState::Reset:
            return "RESET";
        case DosState::Rfotm:
            return "RFOTM";
        case DosState::Rfpro:
            return "RFPRO";
        case DosState::Rfnop:
            return "RFNOP";
        case DosState::Sreset:
            return "SRESET";
    }
    return "UNKNOWN";
}

std::optional<DosState> dosStateFromInt(long long value) {
    if (value < 0 || value > 4) return std::nullopt;
    return static_cast<DosState>(value);
}

bool encoding::isTextual(const std::string& encodingName) { return encodingName == kPem || encodingName == kBase64; }

std::string permission::toString(int bits) {
    std::string s = "-----";
    const char letters[] = "CRUDN";
    for (int i = 0; i < 5; ++i) {
        if ((bits & (1 << i)) != 0) s[static_cast<std::size_t>(i)] = letters[i];
    }
    return s;
}

std::string_view connTypeName(ConnType t) { return t == ConnType::AuthCrypt ? "auth-crypt" : "anon-clear"; }

std::string aceSubjectToString(const AceSubject& subject) {
    if (const auto* u = std::get_if<Uuid>(&subject)) return "uuid:" + u->toString();
    if (const auto* c = std::get_if<ConnType>(&subject)) return "conntype:" + std::string(connTypeName(*c));
    const auto& r = std::get<RoleSubject>(subject);
    return "role:" + r.role + (r.authority.empty() ? "" : "@" + r.authority);
}

}  // namespace steward::core
