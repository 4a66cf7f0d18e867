#pragma once
// The SVR DB file (IoTivity 1.x layout): one CBOR map keyed by resource name ("acl", "cred",
// "doxm", "pstat", optional "pconf", "dpairing") whose values are byte strings holding each
// resource's own CBOR, plus "resetpf": a nested map of the same shape, written once.

#include "steward/cbor/decode_error.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/model/security_resources.hpp"

namespace steward::core {

struct SvrDocument {
    SecurityResources current;
    SecurityResources resetProfile;
    friend bool operator==(const SvrDocument&, const SvrDocument&) = default;
};

Bytes encodeSvrDocument(const SvrDocument& doc);
// Throws DecodeError with paths like "svrdb.resetpf.doxm.deviceuuid".
SvrDocument decodeSvrDocument(ByteView bytes);

}  // namespace steward::core
