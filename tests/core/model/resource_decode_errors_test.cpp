// A malformed or hostile resource gives a DecodeError that names the offending property.
#include <gtest/gtest.h>

#include <functional>

#include "cbor/object_reader.hpp"
#include "core/model/sample_resources.hpp"
#include "steward/model/resource_codec.hpp"

using namespace steward::core;

namespace {

struct Failure {
    DecodeErrorKind kind;
    std::string property;
};

template <typename Fn>
Failure failureOf(Fn&& decode) {
    try {
        decode();
    } catch (const DecodeError& e) {
        return {e.kind(), e.property()};
    }
    ADD_FAILURE() << "decoded without error";
    return {};
}

// Re-encodes `v` after replacing the value at key path `keys` (map keys or array indexes).
CborValue& at(CborValue& v, std::initializer_list<std::string> keys) {
    CborValue* cur = &v;
    for (const auto& k : keys) {
        if (cur->type() == CborValue::Type::Array) {
            cur = &cur->items().at(std::stoul(k));
            continue;
        }
        bool found = false;
        for (auto& [key, val] : cur->entries()) {
            if (key.textValue() == k) {
                cur = &val;
                found = true;
                break;
            }
        }
        if (!found) throw std::logic_error("no key " + k);
    }
    return *cur;
}

void erase(CborValue& map, const std::string& key) {
    auto& e = map.entries();
    e.erase(std::remove_if(e.begin(), e.end(), [&](const auto& p) { return p.first.textValue() == key; }), e.end());
}

class DecodeErrors : public ::testing::Test {
protected:
    SecurityResources r = steward::test::sampleResources();
};

TEST_F(DecodeErrors, WrongTopLevelType) {
    const auto f = failureOf([] { decodeDoxm(encodeCbor(CborValue::array())); });
    EXPECT_EQ(f.kind, DecodeErrorKind::WrongType);
    EXPECT_EQ(f.property, "doxm");
}

TEST_F(DecodeErrors, DoxmWrongTypes) {
    CborValue v = doxmToCbor(r.doxm);
    at(v, {"owned"}) = CborValue::integer(1);
    auto f = failureOf([&] { decodeDoxm(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::WrongType);
    EXPECT_EQ(f.property, "doxm.owned");

    v = doxmToCbor(r.doxm);
    at(v, {"oxms", "1"}) = CborValue::text("1");
    f = failureOf([&] { decodeDoxm(encodeCbor(v)); });
    EXPECT_EQ(f.property, "doxm.oxms[1]");
    EXPECT_EQ(f.kind, DecodeErrorKind::WrongType);
}

TEST_F(DecodeErrors, DoxmMissingAndInvalid) {
    CborValue v = doxmToCbor(r.doxm);
    erase(v, "deviceuuid");
    auto f = failureOf([&] { decodeDoxm(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::MissingProperty);
    EXPECT_EQ(f.property, "doxm.deviceuuid");

    v = doxmToCbor(r.doxm);
    at(v, {"devowneruuid"}) = CborValue::text("not-a-uuid");
    f = failureOf([&] { decodeDoxm(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::InvalidValue);
    EXPECT_EQ(f.property, "doxm.devowneruuid");

    v = doxmToCbor(r.doxm);
    at(v, {"oxmsel"}) = CborValue::integer(-1);
    f = failureOf([&] { decodeDoxm(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::InvalidValue);
    EXPECT_EQ(f.property, "doxm.oxmsel");

    v = doxmToCbor(r.doxm);
    at(v, {"sct"}) = CborValue::unsignedInt(UINT64_MAX);
    f = failureOf([&] { decodeDoxm(encodeCbor(v)); });
    EXPECT_EQ(f.property, "doxm.sct");
}

TEST_F(DecodeErrors, PstatDosState) {
    CborValue v = pstatToCbor(r.pstat);
    at(v, {"dos", "s"}) = CborValue::integer(5);
    auto f = failureOf([&] { decodePstat(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::InvalidValue);
    EXPECT_EQ(f.property, "pstat.dos.s");

    v = pstatToCbor(r.pstat);
    at(v, {"dos"}) = CborValue::integer(3);
    f = failureOf([&] { decodePstat(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::WrongType);
    EXPECT_EQ(f.property, "pstat.dos");
}

TEST_F(DecodeErrors, CredProperties) {
    CborValue v = credToCbor(r.cred, PrivateData::Include);
    at(v, {"creds", "0", "privatedata", "encoding"}) = CborValue::text("oic.sec.encoding.rot13");
    auto f = failureOf([&] { decodeCred(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::InvalidValue);
    EXPECT_EQ(f.property, "cred.creds[0].privatedata.encoding");

    v = credToCbor(r.cred, PrivateData::Include);
    at(v, {"creds", "2", "credtype"}) = CborValue::integer(3);
    f = failureOf([&] { decodeCred(encodeCbor(v)); });
    EXPECT_EQ(f.property, "cred.creds[2].credtype");

    v = credToCbor(r.cred, PrivateData::Include);
    at(v, {"creds", "0", "privatedata", "data"}) = CborValue::text("raw must be bytes");
    f = failureOf([&] { decodeCred(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::WrongType);
    EXPECT_EQ(f.property, "cred.creds[0].privatedata.data");

    v = credToCbor(r.cred, PrivateData::Include);
    at(v, {"creds", "1", "credusage"}) = CborValue::text("oic.sec.cred.bogus");
    f = failureOf([&] { decodeCred(encodeCbor(v)); });
    EXPECT_EQ(f.property, "cred.creds[1].credusage");

    v = credToCbor(r.cred, PrivateData::Include);
    erase(at(v, {"creds", "1"}), "subjectuuid");
    f = failureOf([&] { decodeCred(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::MissingProperty);
    EXPECT_EQ(f.property, "cred.creds[1].subjectuuid");
}

TEST_F(DecodeErrors, AclSubjectResourcesPermission) {
    CborValue v = acl2ToCbor(r.acl);
    at(v, {"aclist2", "0", "subject"}) = CborValue::map({entry("uuid", uuidValue(r.doxm.deviceuuid)), entry("role", CborValue::text("x"))});
    auto f = failureOf([&] { decodeAcl2(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::InvalidValue);
    EXPECT_EQ(f.property, "acl2.aclist2[0].subject");

    v = acl2ToCbor(r.acl);
    at(v, {"aclist2", "1", "subject", "conntype"}) = CborValue::text("anon-crypt");
    f = failureOf([&] { decodeAcl2(encodeCbor(v)); });
    EXPECT_EQ(f.property, "acl2.aclist2[1].subject.conntype");

    v = acl2ToCbor(r.acl);
    at(v, {"aclist2", "0", "permission"}) = CborValue::integer(32);
    f = failureOf([&] { decodeAcl2(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::InvalidValue);
    EXPECT_EQ(f.property, "acl2.aclist2[0].permission");

    v = acl2ToCbor(r.acl);
    at(v, {"aclist2", "2", "resources", "0", "wc"}) = CborValue::text("?");
    f = failureOf([&] { decodeAcl2(encodeCbor(v)); });
    EXPECT_EQ(f.property, "acl2.aclist2[2].resources[0].wc");

    v = acl2ToCbor(r.acl);
    at(v, {"aclist2", "1", "resources", "1"}) = CborValue::map();
    f = failureOf([&] { decodeAcl2(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::MissingProperty);
    EXPECT_EQ(f.property, "acl2.aclist2[1].resources[1]");

    v = acl2ToCbor(r.acl);
    at(v, {"aclist2", "0", "resources"}) = CborValue::array();
    f = failureOf([&] { decodeAcl2(encodeCbor(v)); });
    EXPECT_EQ(f.property, "acl2.aclist2[0].resources");
}

TEST_F(DecodeErrors, PconfPinAndMethods) {
    CborValue v = pconfToCbor(*r.pconf, PrivateData::Include);
    at(v, {"pin"}) = CborValue::bytes({1, 2, 3});
    auto f = failureOf([&] { decodePconf(encodeCbor(v)); });
    EXPECT_EQ(f.property, "pconf.pin");

    v = pconfToCbor(*r.pconf, PrivateData::Include);
    at(v, {"prm", "1"}) = CborValue::integer(7);
    f = failureOf([&] { decodePconf(encodeCbor(v)); });
    EXPECT_EQ(f.property, "pconf.prm[1]");

    v = pconfToCbor(*r.pconf, PrivateData::Include);
    at(v, {"pddev", "0"}) = CborValue::bytes({1});
    f = failureOf([&] { decodePconf(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::WrongType);
    EXPECT_EQ(f.property, "pconf.pddev[0]");
}

TEST_F(DecodeErrors, DpairingMissing) {
    CborValue v = dpairingToCbor(*r.dpairing);
    erase(v, "pdeviceuuid");
    const auto f = failureOf([&] { decodeDpairing(encodeCbor(v)); });
    EXPECT_EQ(f.kind, DecodeErrorKind::MissingProperty);
    EXPECT_EQ(f.property, "dpairing.pdeviceuuid");
}

TEST_F(DecodeErrors, EveryTruncationOfEveryResourceFailsCleanly) {
    using Decoder = std::function<void(ByteView)>;
    const std::vector<std::pair<Bytes, Decoder>> cases = {
        {encodeDoxm(r.doxm), [](ByteView b) { decodeDoxm(b); }},
        {encodePstat(r.pstat), [](ByteView b) { decodePstat(b); }},
        {encodeCred(r.cred, PrivateData::Include), [](ByteView b) { decodeCred(b); }},
        {encodeAcl2(r.acl), [](ByteView b) { decodeAcl2(b); }},
        {encodePconf(*r.pconf, PrivateData::Include), [](ByteView b) { decodePconf(b); }},
        {encodeDpairing(*r.dpairing), [](ByteView b) { decodeDpairing(b); }},
    };
    for (const auto& [full, decode] : cases) {
        EXPECT_NO_THROW(decode(full));
        for (std::size_t n = 0; n < full.size(); ++n) {
            // A copy of exactly n bytes, so ASan sees any read past the end.
            const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
            try {
                decode(cut);
                ADD_FAILURE() << "prefix of " << n << " bytes decoded";
            } catch (const DecodeError& e) {
                EXPECT_EQ(e.kind(), DecodeErrorKind::Truncated) << e.what();
            }
        }
    }
}

}  // namespace
