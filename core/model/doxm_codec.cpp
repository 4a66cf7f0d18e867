#include <climits>

#include "../cbor/object_reader.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::core {

CborValue doxmToCbor(const Doxm& d) {
    return CborValue::map({
        entry("oxms", intArrayValue(d.oxms)),
        entry("oxmsel", CborValue::integer(d.oxmsel)),
        entry("sct", CborValue::integer(d.sct)),
        entry("owned", CborValue::boolean(d.owned)),
        entry("deviceuuid", uuidValue(d.deviceuuid)),
        entry("devowneruuid", uuidValue(d.devowneruuid)),
        entry("rowneruuid", uuidValue(d.rowneruuid)),
    });
}

Doxm doxmFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    Doxm d;
    d.oxms = r.intArray("oxms", 0, INT_MAX);
    d.oxmsel = static_cast<int>(r.integer("oxmsel", 0, INT_MAX));
    d.sct = static_cast<int>(r.integer("sct", 0, INT_MAX));
    d.owned = r.boolean("owned");
    d.deviceuuid = r.uuid("deviceuuid");
    d.devowneruuid = r.uuid("devowneruuid");
    d.rowneruuid = r.uuid("rowneruuid");
    return d;
}

Bytes encodeDoxm(const Doxm& d) { return encodeCbor(doxmToCbor(d)); }
Doxm decodeDoxm(ByteView bytes) { return doxmFromCbor(parseCbor(bytes, "doxm")); }

}  // namespace steward::core
