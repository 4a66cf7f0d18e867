#include <climits>

#include "../cbor/object_reader.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::core {
namespace {

CborValue subjectToCbor(const AceSubject& s) {
    if (const auto* u = std::get_if<Uuid>(&s)) return CborValue::map({entry("uuid", uuidValue(*u))});
    if (const auto* c = std::get_if<ConnType>(&s)) {
        return CborValue::map({entry("conntype", CborValue::text(std::string(connTypeName(*c))))});
    }
    const auto& role = std::get<RoleSubject>(s);
    std::vector<CborValue::Pair> m{entry("role", CborValue::text(role.role))};
    if (!role.authority.empty()) m.push_back(entry("authority", CborValue::text(role.authority)));
    return CborValue::map(std::move(m));
}

AceSubject subjectFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    const int kinds = (r.find("uuid") ? 1 : 0) + (r.find("conntype") ? 1 : 0) + (r.find("role") ? 1 : 0);
    if (kinds != 1) {
        throw DecodeError(kinds == 0 ? DecodeErrorKind::MissingProperty : DecodeErrorKind::InvalidValue, path,
                          "a subject holds exactly one of uuid, conntype, role");
    }
    if (r.find("uuid")) return r.uuid("uuid");
    if (r.find("conntype")) {
        const std::string t = r.text("conntype");
        if (t == "auth-crypt") return ConnType::AuthCrypt;
        if (t == "anon-clear") return ConnType::AnonClear;
        throw DecodeError(DecodeErrorKind::InvalidValue, r.childPath("conntype"), "\"" + t + "\" is neither auth-crypt nor anon-clear");
    }
    RoleSubject role{r.text("role"), r.optText("authority").value_or("")};
    if (role.role.empty()) throw DecodeError(DecodeErrorKind::InvalidValue, r.childPath("role"), "empty role");
    return role;
}

CborValue validityToCbor(const Validity& v) {
    return CborValue::map({entry("period", CborValue::text(v.period)), entry("recurrence", textArrayValue(v.recurrence))});
}

Validity validityFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    return Validity{r.text("period"), r.textArray("recurrence")};
}

CborValue aceToCbor(const Ace& a) {
    std::vector<CborValue> resources;
    for (const auto& res : a.resources) resources.push_back(aceResourceToCbor(res));
    std::vector<CborValue::Pair> m{
        entry("aceid", CborValue::integer(a.aceid)),
        entry("subject", subjectToCbor(a.subject)),
        entry("resources", CborValue::array(std::move(resources))),
        entry("permission", CborValue::integer(a.permission)),
    };
    if (!a.validity.empty()) {
        std::vector<CborValue> validity;
        for (const auto& v : a.validity) validity.push_back(validityToCbor(v));
        m.push_back(entry("validity", CborValue::array(std::move(validity))));
    }
    return CborValue::map(std::move(m));
}

Ace aceFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    Ace a;
    a.aceid = static_cast<int>(r.optInteger("aceid", 0, INT_MAX).value_or(0));
    a.subject = subjectFromCbor(r.require("subject"), r.childPath("subject"));
    r.forEach("resources", true, [&](const CborValue& item, const std::string& p) { a.resources.push_back(aceResourceFromCbor(item, p)); });
    if (a.resources.empty()) {
        throw DecodeError(DecodeErrorKind::InvalidValue, r.childPath("resources"), "an ACE names at least one resource");
    }
    a.permission = static_cast<int>(r.integer("permission", 0, permission::kAll));
    r.forEach("validity", false, [&](const CborValue& item, const std::string& p) { a.validity.push_back(validityFromCbor(item, p)); });
    return a;
}

}  // namespace

CborValue aceResourceToCbor(const AceResource& res) {
    std::vector<CborValue::Pair> m;
    if (!res.href.empty()) m.push_back(entry("href", CborValue::text(res.href)));
    if (!res.rt.empty()) m.push_back(entry("rt", textArrayValue(res.rt)));
    if (!res.interfaces.empty()) m.push_back(entry("if", textArrayValue(res.interfaces)));
    if (res.wc) m.push_back(entry("wc", CborValue::text(std::string(1, static_cast<char>(*res.wc)))));
    return CborValue::map(std::move(m));
}

AceResource aceResourceFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    AceResource res;
    res.href = r.optText("href").value_or("");
    res.rt = r.textArray("rt");
    res.interfaces = r.textArray("if");
    if (auto wc = r.optText("wc")) {
        if (*wc == "*")
            res.wc = Wildcard::All;
        else if (*wc == "+")
            res.wc = Wildcard::Secured;
        else if (*wc == "-")
            res.wc = Wildcard::Public;
        else
            throw DecodeError(DecodeErrorKind::InvalidValue, r.childPath("wc"), "\"" + *wc + "\" is not *, + or -");
    }
    if (res.href.empty() == !res.wc.has_value()) {
        throw DecodeError(res.wc ? DecodeErrorKind::InvalidValue : DecodeErrorKind::MissingProperty, path,
                          "a resource holds exactly one of href, wc");
    }
    return res;
}

CborValue acl2ToCbor(const Acl2& a) {
    std::vector<CborValue> aces;
    aces.reserve(a.aclist2.size());
    for (const auto& ace : a.aclist2) aces.push_back(aceToCbor(ace));
    return CborValue::map({entry("aclist2", CborValue::array(std::move(aces))), entry("rowneruuid", uuidValue(a.rowneruuid))});
}

Acl2 acl2FromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    Acl2 a;
    r.forEach("aclist2", true, [&](const CborValue& item, const std::string& p) { a.aclist2.push_back(aceFromCbor(item, p)); });
    a.rowneruuid = r.uuid("rowneruuid");
    return a;
}

Bytes encodeAcl2(const Acl2& a) { return encodeCbor(acl2ToCbor(a)); }
Acl2 decodeAcl2(ByteView bytes) { return acl2FromCbor(parseCbor(bytes, "acl2")); }

}  // namespace steward::core
