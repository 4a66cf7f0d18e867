#pragma once
// Fully populated resources exercising every optional property and subject kind.
#include "steward/model/security_resources.hpp"

namespace steward::test {

inline core::Uuid uuidOf(const char* s) { return *core::Uuid::parse(s); }

inline core::SecurityResources sampleResources() {
    using namespace steward::core;
    const Uuid dev = uuidOf("8e745791-bc63-4a15-7e33-93e1b25fef99");
    const Uuid gw = uuidOf("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f");
    const Uuid peer = uuidOf("11111111-2222-3333-4444-555555555555");
    SecurityResources r;
    r.doxm = Doxm{{0, 1, 0xff01}, 1, 9, true, dev, gw, gw};
    r.pstat = Pstat{Dos{true, DosState::Rfpro}, 8, 16, 4, 4, false, gw};

    Cred psk;
    psk.credid = 1;
    psk.credtype = credtype::kSymmetricPairwise;
    psk.subjectuuid = CredSubject{peer, false};
    psk.privatedata = EncodedData{std::vector<std::uint8_t>(16, 0xab), encoding::kRaw};
    Cred ca;
    ca.credid = 2;
    ca.credtype = credtype::kAsymmetricSigningWithCert;
    ca.subjectuuid = CredSubject::any();
    ca.publicdata = EncodedData{{'-', '-', '-', '-', '-'}, encoding::kPem};
    ca.credusage = credusage::kTrustCa;
    Cred role;
    role.credtype = credtype::kAsymmetricSigningWithCert;
    role.subjectuuid = CredSubject{gw, false};
    role.privatedata = EncodedData{{1, 2, 3}, encoding::kDer};
    role.publicdata = EncodedData{{4, 5}, encoding::kDer};
    role.credusage = credusage::kCert;
    role.roleid = RoleId{"oic.role.owner", "authority-x"};
    r.cred = CredResource{{psk, ca, role}, gw};

    Ace byUuid{1,
               peer,
               {AceResource{"/a/light", {"core.light"}, {"oic.if.baseline", "oic.if.a"}, std::nullopt}},
               permission::kRead | permission::kUpdate,
               {Validity{"20260101T000000/20270101T000000", {"FREQ=DAILY"}}}};
    Ace byConn{2,
               ConnType::AnonClear,
               {AceResource{"/oic/d", {}, {}, std::nullopt}, AceResource{"/oic/p", {}, {}, std::nullopt}},
               permission::kRead,
               {}};
    Ace byRole{3, RoleSubject{"admin", ""}, {AceResource{"", {}, {}, Wildcard::All}}, permission::kAll, {}};
    Ace secured{4, ConnType::AuthCrypt, {AceResource{"", {}, {}, Wildcard::Secured}, AceResource{"", {}, {}, Wildcard::Public}}, 2, {}};
    r.acl = Acl2{{byUuid, byConn, byRole, secured}, gw};

    Pconf pc;
    pc.edp = true;
    pc.prm = {pairing_method::kPreconfiguredPin, pairing_method::kRandomPin};
    pc.pin = {'1', '2', '3', '4', '5', '6', '7', '8'};
    pc.pdacl = {PdAce{{AceResource{"/a/light", {}, {}, std::nullopt}}, permission::kRead, {"20260101T000000/PT1H"}, {"FREQ=WEEKLY"}}};
    pc.pddev = {peer};
    pc.deviceuuid = dev;
    pc.rowneruuid = gw;
    r.pconf = pc;
    r.dpairing = Dpairing{2, peer, gw};
    return r;
}

}  // namespace steward::test
