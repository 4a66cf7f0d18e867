#include "steward/svr/svr_file_format.hpp"

#include "../cbor/object_reader.hpp"

namespace steward::core {
namespace {

// Each resource is stored as its own CBOR inside a byte string, as IoTivity 1.x does.
CborValue wrapped(const Bytes& encoded) { return CborValue::bytes(encoded); }

CborValue resourcesToCbor(const SecurityResources& r) {
    std::vector<CborValue::Pair> m{
        entry("acl", wrapped(encodeAcl2(r.acl))),
        entry("cred", wrapped(encodeCred(r.cred, PrivateData::Include))),
        entry("doxm", wrapped(encodeDoxm(r.doxm))),
        entry("pstat", wrapped(encodePstat(r.pstat))),
    };
    if (r.pconf) m.push_back(entry("pconf", wrapped(encodePconf(*r.pconf, PrivateData::Include))));
    if (r.dpairing) m.push_back(entry("dpairing", wrapped(encodeDpairing(*r.dpairing))));
    return CborValue::map(std::move(m));
}

// Decodes the byte string at `key` with `decode`, reporting paths below "<parent>.<key>".
template <typename T, typename Fn>
T inner(const ObjectReader& r, std::string_view key, Fn&& decode) {
    const std::string path = r.childPath(key);
    const auto& bytes = readBytes(r.require(key), path);
    return decode(parseCbor(bytes, path), path);
}

SecurityResources resourcesFromCbor(const ObjectReader& r) {
    SecurityResources out;
    out.acl = inner<Acl2>(r, "acl", acl2FromCbor);
    out.cred = inner<CredResource>(r, "cred", credFromCbor);
    out.doxm = inner<Doxm>(r, "doxm", doxmFromCbor);
    out.pstat = inner<Pstat>(r, "pstat", pstatFromCbor);
    if (r.find("pconf")) out.pconf = inner<Pconf>(r, "pconf", pconfFromCbor);
    if (r.find("dpairing")) out.dpairing = inner<Dpairing>(r, "dpairing", dpairingFromCbor);
    if (out.doxm.deviceuuid.isNil()) {
        throw DecodeError(DecodeErrorKind::InvalidValue, r.childPath("doxm") + ".deviceuuid", "a stored device has a non-nil UUID");
    }
    return out;
}

}  // namespace

Bytes encodeSvrDocument(const SvrDocument& doc) {
    CborValue top = resourcesToCbor(doc.current);
    top.entries().push_back(entry("resetpf", resourcesToCbor(doc.resetProfile)));
    return encodeCbor(top);
}

SvrDocument decodeSvrDocument(ByteView bytes) {
    CborLimits limits;
    limits.maxInputBytes = 16u << 20;  // room for certificate chains
    const CborValue top = parseCbor(bytes, "svrdb", limits);
    const ObjectReader r(top, "svrdb");
    SvrDocument doc;
    doc.current = resourcesFromCbor(r);
    doc.resetProfile = resourcesFromCbor(r.object("resetpf"));
    return doc;
}

}  // namespace steward::core
