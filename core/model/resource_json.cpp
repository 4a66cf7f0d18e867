#include "steward/model/resource_json.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSONString.h>

#include <sstream>

namespace steward::core {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr newObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Array::Ptr intArray(const std::vector<int>& values) {
    Array::Ptr a = new Array;
    for (int v : values) a->add(v);
    return a;
}

Array::Ptr textArray(const std::vector<std::string>& values) {
    Array::Ptr a = new Array;
    for (const auto& v : values) a->add(v);
    return a;
}

Array::Ptr uuidArray(const std::vector<Uuid>& values) {
    Array::Ptr a = new Array;
    for (const auto& v : values) a->add(v.toString());
    return a;
}

Poco::UInt64 length(const std::vector<std::uint8_t>& bytes) { return static_cast<Poco::UInt64>(bytes.size()); }

// Secret bytes: what kind and how many, never the content.
Object::Ptr maskedData(const std::vector<std::uint8_t>& bytes, const std::string& encodingName) {
    Object::Ptr o = newObject();
    o->set("data", std::string(kMaskedSecret));
    if (!encodingName.empty()) o->set("encoding", encodingName);
    o->set("length", length(bytes));
    return o;
}

// Public data is shown by meaning (certificates) rather than as bytes; anything else by size only,
// since it is opaque to a reader anyway.
Object::Ptr publicDataToJson(const EncodedData& d) {
    Object::Ptr o = newObject();
    o->set("encoding", d.encoding);
    o->set("length", length(d.data));
    if (d.encoding == encoding::kPem || d.encoding == encoding::kDer || d.encoding == encoding::kRaw) {
        try {
            Array::Ptr certs = new Array;
            for (const Certificate& c : Certificate::parseChain(d.data, "publicdata")) {
                certs->add(certificateSummaryToJson(c.summary()));
            }
            o->set("certificates", certs);
        } catch (const CryptoError&) {
            // not certificates: the length above is all there is to say
        }
    }
    return o;
}

Object::Ptr aceResourceToJson(const AceResource& r) {
    Object::Ptr o = newObject();
    if (r.wc) {
        o->set("wc", std::string(1, static_cast<char>(*r.wc)));
    } else {
        o->set("href", r.href);
    }
    if (!r.rt.empty()) o->set("rt", textArray(r.rt));
    if (!r.interfaces.empty()) o->set("if", textArray(r.interfaces));
    return o;
}

Array::Ptr aceResourcesToJson(const std::vector<AceResource>& resources) {
    Array::Ptr a = new Array;
    for (const auto& r : resources) a->add(aceResourceToJson(r));
    return a;
}

Object::Ptr aceSubjectToJson(const AceSubject& subject) {
    Object::Ptr o = newObject();
    if (const auto* u = std::get_if<Uuid>(&subject)) {
        o->set("uuid", u->toString());
    } else if (const auto* c = std::get_if<ConnType>(&subject)) {
        o->set("conntype", std::string(connTypeName(*c)));
    } else {
        const auto& r = std::get<RoleSubject>(subject);
        o->set("role", r.role);
        if (!r.authority.empty()) o->set("authority", r.authority);
    }
    return o;
}

}  // namespace

Object::Ptr doxmToJson(const Doxm& doxm) {
    Object::Ptr o = newObject();
    o->set("oxms", intArray(doxm.oxms));
    o->set("oxmsel", doxm.oxmsel);
    o->set("sct", doxm.sct);
    o->set("owned", doxm.owned);
    o->set("deviceuuid", doxm.deviceuuid.toString());
    o->set("devowneruuid", doxm.devowneruuid.toString());
    o->set("rowneruuid", doxm.rowneruuid.toString());
    return o;
}

Object::Ptr pstatToJson(const Pstat& pstat) {
    Object::Ptr dos = newObject();
    dos->set("p", pstat.dos.pending);
    dos->set("s", static_cast<int>(pstat.dos.state));
    dos->set("state", std::string(dosStateName(pstat.dos.state)));
    Object::Ptr o = newObject();
    o->set("dos", dos);
    o->set("cm", pstat.cm);
    o->set("tm", pstat.tm);
    o->set("om", pstat.om);
    o->set("sm", pstat.sm);
    o->set("isop", pstat.isop);
    o->set("rowneruuid", pstat.rowneruuid.toString());
    return o;
}

Object::Ptr credentialToJson(const Cred& cred) {
    Object::Ptr o = newObject();
    if (cred.credid) o->set("credid", *cred.credid);
    o->set("credtype", cred.credtype);
    o->set("subjectuuid", cred.subjectuuid.toString());
    if (cred.privatedata) o->set("privatedata", maskedData(cred.privatedata->data, cred.privatedata->encoding));
    if (cred.publicdata) o->set("publicdata", publicDataToJson(*cred.publicdata));
    if (!cred.credusage.empty()) o->set("credusage", cred.credusage);
    if (cred.roleid) {
        Object::Ptr role = newObject();
        role->set("role", cred.roleid->role);
        if (!cred.roleid->authority.empty()) role->set("authority", cred.roleid->authority);
        o->set("roleid", role);
    }
    return o;
}

Object::Ptr credToJson(const CredResource& cred) {
    Array::Ptr creds = new Array;
    for (const auto& c : cred.creds) creds->add(credentialToJson(c));
    Object::Ptr o = newObject();
    o->set("creds", creds);
    o->set("rowneruuid", cred.rowneruuid.toString());
    return o;
}

Object::Ptr aceToJson(const Ace& ace) {
    Object::Ptr o = newObject();
    o->set("aceid", ace.aceid);
    o->set("subject", aceSubjectToJson(ace.subject));
    o->set("resources", aceResourcesToJson(ace.resources));
    o->set("permission", ace.permission);
    if (!ace.validity.empty()) {
        Array::Ptr validity = new Array;
        for (const auto& v : ace.validity) {
            Object::Ptr entry = newObject();
            entry->set("period", v.period);
            if (!v.recurrence.empty()) entry->set("recurrence", textArray(v.recurrence));
            validity->add(entry);
        }
        o->set("validity", validity);
    }
    return o;
}

Object::Ptr acl2ToJson(const Acl2& acl) {
    Array::Ptr aces = new Array;
    for (const auto& ace : acl.aclist2) aces->add(aceToJson(ace));
    Object::Ptr o = newObject();
    o->set("aclist2", aces);
    o->set("rowneruuid", acl.rowneruuid.toString());
    return o;
}

Object::Ptr pconfToJson(const Pconf& pconf) {
    Array::Ptr pdacl = new Array;
    for (const auto& entry : pconf.pdacl) {
        Object::Ptr e = newObject();
        e->set("resources", aceResourcesToJson(entry.resources));
        e->set("permission", entry.permission);
        if (!entry.prds.empty()) e->set("prds", textArray(entry.prds));
        if (!entry.recurrence.empty()) e->set("recurrence", textArray(entry.recurrence));
        pdacl->add(e);
    }
    Object::Ptr o = newObject();
    o->set("edp", pconf.edp);
    o->set("prm", intArray(pconf.prm));
    o->set("pin", maskedData(pconf.pin, ""));
    o->set("pdacl", pdacl);
    o->set("pddev", uuidArray(pconf.pddev));
    o->set("deviceuuid", pconf.deviceuuid.toString());
    o->set("rowneruuid", pconf.rowneruuid.toString());
    return o;
}

Object::Ptr dpairingToJson(const Dpairing& dpairing) {
    Object::Ptr o = newObject();
    o->set("spm", dpairing.spm);
    o->set("pdeviceuuid", dpairing.pdeviceuuid.toString());
    o->set("rowneruuid", dpairing.rowneruuid.toString());
    return o;
}

Object::Ptr securityResourcesToJson(const SecurityResources& resources) {
    Object::Ptr o = newObject();
    o->set("doxm", doxmToJson(resources.doxm));
    o->set("pstat", pstatToJson(resources.pstat));
    o->set("cred", credToJson(resources.cred));
    o->set("acl2", acl2ToJson(resources.acl));
    if (resources.pconf) o->set("pconf", pconfToJson(*resources.pconf));
    if (resources.dpairing) o->set("dpairing", dpairingToJson(*resources.dpairing));
    return o;
}

Object::Ptr certificateSummaryToJson(const CertificateSummary& summary) {
    Object::Ptr o = newObject();
    o->set("subject", summary.subject);
    o->set("issuer", summary.issuer);
    o->set("serialNumber", summary.serialNumber);
    o->set("notBefore", summary.notBefore);
    o->set("notAfter", summary.notAfter);
    o->set("keyType", summary.keyType);
    o->set("sha256", summary.sha256Fingerprint);
    o->set("isCa", summary.isCa);
    return o;
}

std::string jsonText(const Object::Ptr& object, unsigned indent) {
    std::ostringstream out;
    object->stringify(out, indent);
    return out.str();
}

}  // namespace steward::core
