#include "../cbor/object_reader.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::core {

CborValue pstatToCbor(const Pstat& p) {
    return CborValue::map({
        entry("dos", CborValue::map({
                         entry("p", CborValue::boolean(p.dos.pending)),
                         entry("s", CborValue::integer(static_cast<int>(p.dos.state))),
                     })),
        entry("cm", CborValue::integer(p.cm)),
        entry("tm", CborValue::integer(p.tm)),
        entry("om", CborValue::integer(p.om)),
        entry("sm", CborValue::integer(p.sm)),
        entry("isop", CborValue::boolean(p.isop)),
        entry("rowneruuid", uuidValue(p.rowneruuid)),
    });
}

Pstat pstatFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    Pstat p;
    const ObjectReader dos = r.object("dos");
    p.dos.pending = dos.boolean("p");
    p.dos.state = static_cast<DosState>(dos.integer("s", 0, 4));
    // cm/tm hold the six provisioning-mode bits; om/sm the three operational-mode bits.
    p.cm = static_cast<int>(r.integer("cm", 0, 63));
    p.tm = static_cast<int>(r.integer("tm", 0, 63));
    p.om = static_cast<int>(r.integer("om", 0, 7));
    p.sm = static_cast<int>(r.integer("sm", 0, 7));
    p.isop = r.boolean("isop");
    p.rowneruuid = r.uuid("rowneruuid");
    return p;
}

Bytes encodePstat(const Pstat& p) { return encodeCbor(pstatToCbor(p)); }
Pstat decodePstat(ByteView bytes) { return pstatFromCbor(parseCbor(bytes, "pstat")); }

}  // namespace steward::core
