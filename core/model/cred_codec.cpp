#include <climits>

#include "../cbor/object_reader.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::core {
namespace {

bool knownEncoding(const std::string& e) {
    return e == encoding::kRaw || e == encoding::kBase64 || e == encoding::kPem || e == encoding::kDer;
}

bool knownCredusage(const std::string& u) {
    return u == credusage::kTrustCa || u == credusage::kCert || u == credusage::kMfgTrustCa || u == credusage::kMfgCert;
}

CborValue encodedDataToCbor(const EncodedData& d, bool includeData) {
    const std::vector<std::uint8_t> empty;
    const auto& bytes = includeData ? d.data : empty;
    CborValue data = encoding::isTextual(d.encoding) ? CborValue::text(std::string(bytes.begin(), bytes.end())) : CborValue::bytes(bytes);
    return CborValue::map({entry("data", std::move(data)), entry("encoding", CborValue::text(d.encoding))});
}

EncodedData encodedDataFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    EncodedData d;
    d.encoding = r.text("encoding");
    if (!knownEncoding(d.encoding)) {
        throw DecodeError(DecodeErrorKind::InvalidValue, r.childPath("encoding"), "unknown encoding \"" + d.encoding + "\"");
    }
    if (const CborValue* data = r.find("data")) {
        // PEM and base64 travel as text; some stacks send them as bytes, which is harmless.
        if (data->type() == CborValue::Type::Text && encoding::isTextual(d.encoding)) {
            d.data.assign(data->textValue().begin(), data->textValue().end());
        } else {
            d.data = readBytes(*data, r.childPath("data"));
        }
    }
    return d;
}

CborValue oneCredToCbor(const Cred& c, PrivateData privacy) {
    std::vector<CborValue::Pair> m;
    if (c.credid) m.push_back(entry("credid", CborValue::integer(*c.credid)));
    m.push_back(entry("credtype", CborValue::integer(c.credtype)));
    m.push_back(entry("subjectuuid", CborValue::text(c.subjectuuid.toString())));
    if (c.privatedata) {
        m.push_back(entry("privatedata", encodedDataToCbor(*c.privatedata, privacy == PrivateData::Include)));
    }
    if (c.publicdata) m.push_back(entry("publicdata", encodedDataToCbor(*c.publicdata, true)));
    if (!c.credusage.empty()) m.push_back(entry("credusage", CborValue::text(c.credusage)));
    if (c.roleid) {
        std::vector<CborValue::Pair> role{entry("role", CborValue::text(c.roleid->role))};
        if (!c.roleid->authority.empty()) role.push_back(entry("authority", CborValue::text(c.roleid->authority)));
        m.push_back(entry("roleid", CborValue::map(std::move(role))));
    }
    return CborValue::map(std::move(m));
}

Cred oneCredFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    Cred c;
    if (auto id = r.optInteger("credid", 0, INT_MAX)) c.credid = static_cast<int>(*id);
    c.credtype = static_cast<int>(r.integer("credtype", 0, 63));
    if (c.credtype == 0 || (c.credtype & (c.credtype - 1)) != 0) {
        throw DecodeError(DecodeErrorKind::InvalidValue, r.childPath("credtype"),
                          std::to_string(c.credtype) + " is not one credential type bit");
    }
    c.subjectuuid = readCredSubject(r.require("subjectuuid"), r.childPath("subjectuuid"));
    if (r.find("privatedata")) c.privatedata = encodedDataFromCbor(r.require("privatedata"), r.childPath("privatedata"));
    if (r.find("publicdata")) c.publicdata = encodedDataFromCbor(r.require("publicdata"), r.childPath("publicdata"));
    if (auto usage = r.optText("credusage")) {
        if (!knownCredusage(*usage)) {
            throw DecodeError(DecodeErrorKind::InvalidValue, r.childPath("credusage"), "unknown credusage \"" + *usage + "\"");
        }
        c.credusage = *usage;
    }
    if (r.find("roleid")) {
        const ObjectReader role = r.object("roleid");
        c.roleid = RoleId{role.text("role"), role.optText("authority").value_or("")};
    }
    return c;
}

}  // namespace

CborValue credToCbor(const CredResource& c, PrivateData privacy) {
    std::vector<CborValue> creds;
    creds.reserve(c.creds.size());
    for (const auto& cred : c.creds) creds.push_back(oneCredToCbor(cred, privacy));
    return CborValue::map({entry("creds", CborValue::array(std::move(creds))), entry("rowneruuid", uuidValue(c.rowneruuid))});
}

CredResource credFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    CredResource c;
    r.forEach("creds", true, [&](const CborValue& item, const std::string& p) { c.creds.push_back(oneCredFromCbor(item, p)); });
    c.rowneruuid = r.uuid("rowneruuid");
    return c;
}

Bytes encodeCred(const CredResource& c, PrivateData privacy) { return encodeCbor(credToCbor(c, privacy)); }
CredResource decodeCred(ByteView bytes) { return credFromCbor(parseCbor(bytes, "cred")); }

}  // namespace steward::core
