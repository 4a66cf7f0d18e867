#include <climits>

#include "../cbor/object_reader.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::core {
namespace {

constexpr std::size_t kPinLength = 8;

CborValue pdAceToCbor(const PdAce& a) {
    std::vector<CborValue> resources;
    for (const auto& res : a.resources) resources.push_back(aceResourceToCbor(res));
    std::vector<CborValue::Pair> m{entry("resources", CborValue::array(std::move(resources))),
                                   entry("permission", CborValue::integer(a.permission))};
    if (!a.prds.empty()) m.push_back(entry("prds", textArrayValue(a.prds)));
    if (!a.recurrence.empty()) m.push_back(entry("recurrence", textArrayValue(a.recurrence)));
    return CborValue::map(std::move(m));
}

PdAce pdAceFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    PdAce a;
    r.forEach("resources", true, [&](const CborValue& item, const std::string& p) { a.resources.push_back(aceResourceFromCbor(item, p)); });
    a.permission = static_cast<int>(r.integer("permission", 0, permission::kAll));
    a.prds = r.textArray("prds");
    a.recurrence = r.textArray("recurrence");
    return a;
}

}  // namespace

CborValue pconfToCbor(const Pconf& p, PrivateData privacy) {
    std::vector<CborValue> pdacl;
    for (const auto& a : p.pdacl) pdacl.push_back(pdAceToCbor(a));
    std::vector<CborValue> pddev;
    for (const auto& u : p.pddev) pddev.push_back(uuidValue(u));
    std::vector<CborValue::Pair> m{entry("edp", CborValue::boolean(p.edp)), entry("prm", intArrayValue(p.prm))};
    if (privacy == PrivateData::Include && !p.pin.empty()) m.push_back(entry("pin", CborValue::bytes(p.pin)));
    m.push_back(entry("pdacl", CborValue::array(std::move(pdacl))));
    m.push_back(entry("pddev", CborValue::array(std::move(pddev))));
    m.push_back(entry("deviceuuid", uuidValue(p.deviceuuid)));
    m.push_back(entry("rowneruuid", uuidValue(p.rowneruuid)));
    return CborValue::map(std::move(m));
}

Pconf pconfFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    Pconf p;
    p.edp = r.boolean("edp");
    if (r.find("prm")) {
        p.prm = r.intArray("prm", 0, INT_MAX);
        for (std::size_t i = 0; i < p.prm.size(); ++i) {
            if (p.prm[i] != pairing_method::kPreconfiguredPin && p.prm[i] != pairing_method::kRandomPin) {
                throw DecodeError(DecodeErrorKind::InvalidValue, r.childPath("prm") + "[" + std::to_string(i) + "]",
                                  std::to_string(p.prm[i]) + " is not a pairing method (1 or 2)");
            }
        }
    }
    if (auto pin = r.optBytes("pin")) {
        if (pin->size() != kPinLength) {
            throw DecodeError(DecodeErrorKind::InvalidValue, r.childPath("pin"),
                              "the PIN is " + std::to_string(kPinLength) + " bytes, got " + std::to_string(pin->size()));
        }
        p.pin = std::move(*pin);
    }
    r.forEach("pdacl", false, [&](const CborValue& item, const std::string& ip) { p.pdacl.push_back(pdAceFromCbor(item, ip)); });
    r.forEach("pddev", false, [&](const CborValue& item, const std::string& ip) { p.pddev.push_back(readUuid(item, ip)); });
    p.deviceuuid = r.optUuid("deviceuuid").value_or(Uuid{});
    p.rowneruuid = r.optUuid("rowneruuid").value_or(Uuid{});
    return p;
}

Bytes encodePconf(const Pconf& p, PrivateData privacy) { return encodeCbor(pconfToCbor(p, privacy)); }
Pconf decodePconf(ByteView bytes) { return pconfFromCbor(parseCbor(bytes, "pconf")); }

}  // namespace steward::core
