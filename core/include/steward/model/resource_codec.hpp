#pragma once
// CBOR encode/decode of the security resources with OCF property names and values.
//
// Decoders take untrusted bytes: they never read outside the span and throw DecodeError naming
// the property ("pstat.dos.s") on anything malformed, missing, of the wrong type or out of range.
// Unknown properties (rt, if, n, ...) are ignored. Encoders write definite-length maps with the
// properties in the order of ocf-security.md's tables.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "steward/cbor/cbor_value.hpp"
#include "steward/cbor/decode_error.hpp"
#include "steward/model/acl2.hpp"
#include "steward/model/cred.hpp"
#include "steward/model/doxm.hpp"
#include "steward/model/pconf.hpp"
#include "steward/model/pstat.hpp"

namespace steward::core {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Whether private key material goes out. A GET of /oic/sec/cred never returns it: raw data comes
// back as an empty byte string. The SVR DB stores it.
enum class PrivateData { Include, Omit };

CborValue doxmToCbor(const Doxm& d);
Doxm doxmFromCbor(const CborValue& v, const std::string& path = "doxm");
Bytes encodeDoxm(const Doxm& d);
Doxm decodeDoxm(ByteView bytes);

CborValue pstatToCbor(const Pstat& p);
Pstat pstatFromCbor(const CborValue& v, const std::string& path = "pstat");
Bytes encodePstat(const Pstat& p);
Pstat decodePstat(ByteView bytes);

CborValue credToCbor(const CredResource& c, PrivateData privacy);
CredResource credFromCbor(const CborValue& v, const std::string& path = "cred");
Bytes encodeCred(const CredResource& c, PrivateData privacy);
CredResource decodeCred(ByteView bytes);

CborValue aceResourceToCbor(const AceResource& r);
AceResource aceResourceFromCbor(const CborValue& v, const std::string& path);
CborValue acl2ToCbor(const Acl2& a);
Acl2 acl2FromCbor(const CborValue& v, const std::string& path = "acl2");
Bytes encodeAcl2(const Acl2& a);
Acl2 decodeAcl2(ByteView bytes);

// PrivateData::Omit leaves the PIN out (Steward never returns it on GET).
CborValue pconfToCbor(const Pconf& p, PrivateData privacy);
Pconf pconfFromCbor(const CborValue& v, const std::string& path = "pconf");
Bytes encodePconf(const Pconf& p, PrivateData privacy);
Pconf decodePconf(ByteView bytes);

CborValue dpairingToCbor(const Dpairing& d);
Dpairing dpairingFromCbor(const CborValue& v, const std::string& path = "dpairing");
Bytes encodeDpairing(const Dpairing& d);
Dpairing decodeDpairing(ByteView bytes);

}  // namespace steward::core
