#pragma once
// JSON on the command line <-> CBOR on the wire, for application resource bodies such as the
// light's {"value": true, "brightness": 40}. Generic: it knows no resource, only JSON and CBOR.
#include <Poco/Dynamic/Var.h>

#include <string>

#include "steward/cbor/cbor_value.hpp"

namespace steward::core {

// A JSON object's text as a CBOR map, keys in the order written. JSON integers become CBOR
// integers (what OCF resources read), other numbers floats, null null. Throws
// std::invalid_argument naming the problem for malformed JSON or anything but an object.
CborValue jsonObjectToCbor(const std::string& jsonText);
// A parsed JSON value as CBOR, by the same rules (any JSON value, not only objects).
CborValue jsonToCbor(const Poco::Dynamic::Var& value);

// A CBOR item as a JSON value: maps become objects (non-text keys as their JSON text), byte
// strings base64 text, undefined and non-finite floats null.
Poco::Dynamic::Var cborToJson(const CborValue& value);

}  // namespace steward::core
