#include <climits>

#include "../cbor/object_reader.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::core {

CborValue dpairingToCbor(const Dpairing& d) {
    return CborValue::map({
        entry("spm", CborValue::integer(d.spm)),
        entry("pdeviceuuid", uuidValue(d.pdeviceuuid)),
        entry("rowneruuid", uuidValue(d.rowneruuid)),
    });
}

Dpairing dpairingFromCbor(const CborValue& v, const std::string& path) {
    ObjectReader r(v, path);
    Dpairing d;
    d.spm = static_cast<int>(r.integer("spm", 0, INT_MAX));
    d.pdeviceuuid = r.uuid("pdeviceuuid");
    // The pairing confirmation (PUT {spm:0, pdeviceuuid}) carries no rowneruuid.
    d.rowneruuid = r.optUuid("rowneruuid").value_or(Uuid{});
    return d;
}

Bytes encodeDpairing(const Dpairing& d) { return encodeCbor(dpairingToCbor(d)); }
Dpairing decodeDpairing(ByteView bytes) { return dpairingFromCbor(parseCbor(bytes, "dpairing")); }

}  // namespace steward::core
