// Direct Pairing on the server device (ocf-security.md, "Direct Pairing"): the owner's pconf
// writes, the client's plain request, the PIN session's key and confirmation, what a pairing
// installs, and what is refused. DeviceSecurity runs on a real SVR DB file; the DTLS layer is
// played by calling keyForIdentity/onSessionEvent as the endpoint would.
#include <gtest/gtest.h>

#include "cbor/object_reader.hpp"
#include "steward/cbor/cbor_value.hpp"
#include "steward/crypto/ocf_kdf.hpp"
#include "steward/device/device_security.hpp"
#include "steward/device/direct_pairing.hpp"
#include "steward/device/dos_transitions.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "support/temp_dir.hpp"

namespace steward::core {
namespace {

const Uuid kDevice = Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99").value();
const Uuid kOwner = Uuid::parse("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f").value();
const Uuid kClient = Uuid::parse("11111111-2222-3333-4444-555555555555").value();
const Uuid kOther = Uuid::parse("66666666-7777-8888-9999-aaaaaaaaaaaa").value();
constexpr std::string_view kPin = "53306964";

SecurityResources ownedCapable() {
    auto r = factoryResources(kDevice, DeviceProfile{{oxm::kJustWorks}, true});
    r.doxm.owned = true;
    r.doxm.devowneruuid = r.doxm.rowneruuid = r.pstat.rowneruuid = r.acl.rowneruuid = r.cred.rowneruuid = kOwner;
    Cred ownerCred;
    ownerCred.credid = 1;
    ownerCred.subjectuuid = CredSubject{kOwner, false};
    ownerCred.privatedata = EncodedData{std::vector<std::uint8_t>(16, 7), encoding::kRaw};
    r.cred.creds.push_back(ownerCred);
    applyDosState(r, DosState::Rfnop);
    return r;
}

Pconf enabled(std::vector<int> methods) {
    Pconf p;
    p.edp = true;
    p.prm = std::move(methods);
    p.pin.assign(kPin.begin(), kPin.end());
    PdAce ace;
    AceResource light;
    light.href = "/a/light";
    ace.resources = {light};
    ace.permission = permission::kRead | permission::kUpdate;
    p.pdacl = {ace};
    p.rowneruuid = kOwner;
    return p;
}

PeerInfo securePeer(const Uuid& who, SessionId session) {
    PeerInfo p;
    p.secure = true;
    p.sessionId = session;
    p.remoteAddress = "127.0.0.1";
    p.pskIdentity.assign(who.bytes().begin(), who.bytes().end());
    return p;
}

PeerInfo plainPeer(const std::string& address = "127.0.0.2") {
    PeerInfo p;
    p.remoteAddress = address;
    return p;
}

std::vector<std::uint8_t> dpairingBody(int spm, const Uuid& client) {
    return encodeCbor(CborValue::map(
        {entry("spm", CborValue::integer(spm)), entry("pdeviceuuid", uuidValue(client)), entry("rowneruuid", uuidValue(kOwner))}));
}

std::vector<std::uint8_t> confirmation(const Uuid& client) {
    return encodeCbor(CborValue::map({entry("spm", CborValue::integer(0)), entry("pdeviceuuid", uuidValue(client))}));
}

TlsKeyMaterial sessionSecrets() {
    TlsKeyMaterial km;
    for (std::size_t i = 0; i < km.masterSecret.size(); ++i) km.masterSecret[i] = static_cast<std::uint8_t>(i);
    for (std::size_t i = 0; i < km.serverRandom.size(); ++i) km.serverRandom[i] = static_cast<std::uint8_t>(100 + i);
    for (std::size_t i = 0; i < km.clientRandom.size(); ++i) km.clientRandom[i] = static_cast<std::uint8_t>(200 + i);
    return km;
}

SessionEvent event(SessionEventType type, const PeerInfo& peer) {
    SessionEvent e;
    e.type = type;
    e.peer = peer;
    e.peer.role = SessionRole::Server;
    return e;
}

class DirectPairingDevice : public ::testing::Test {
protected:
    void SetUp() override {
        file_ = dir_ / "server.dat";
        { SvrDatabase::create(file_, ownedCapable()); }
        start();
    }
    void start() {
        security_.reset();
        DeviceSecurityHooks hooks;
        hooks.log = [this](const std::string& l) { lines_.push_back(l); };
        hooks.showPin = [this](std::string_view pin) { shown_ = std::string(pin); };
        hooks.keyMaterial = [](SessionId) { return std::optional(sessionSecrets()); };
        DeviceSecurityOptions options;
        options.directPairing = true;
        security_ = std::make_unique<DeviceSecurity>(SvrDatabase::open(file_), hooks, options);
    }
    CoapCode ownerPosts(const Pconf& p) {
        return security_
            ->handleSecurityRequest(CoapRequest::post("/oic/sec/pconf", encodePconf(p, PrivateData::Include)), securePeer(kOwner, 1))
            .code;
    }
    CoapCode ask(int spm, const Uuid& client, const std::string& address = "127.0.0.2") {
        const auto request = CoapRequest::post("/oic/sec/dpairing", dpairingBody(spm, client));
        const auto decision = security_->authorize(request, plainPeer(address));
        if (!decision.granted) return decision.refusal;
        return security_->handleSecurityRequest(request, plainPeer(address)).code;
    }
    // The client's PIN handshake as the DTLS layer runs it: the key for its identity, then the
    // session established (right key) or failed (wrong key).
    std::optional<SecretBytes> handshake(const Uuid& client, SessionId session, bool keyMatches) {
        const auto peer = securePeer(client, session);
        auto key = security_->keyForIdentity(peer.pskIdentity, peer);
        security_->onSessionEvent(event(key && keyMatches ? SessionEventType::Established : SessionEventType::Failed, peer));
        return key;
    }
    CoapCode confirm(const Uuid& client, SessionId session, const Uuid& named) {
        return security_->handleSecurityRequest(CoapRequest::put("/oic/sec/dpairing", confirmation(named)), securePeer(client, session))
            .code;
    }

    test::TempDir dir_;
    std::filesystem::path file_;
    std::unique_ptr<DeviceSecurity> security_;
    std::vector<std::string> lines_;
    std::string shown_;
};

TEST_F(DirectPairingDevice, ACapableDeviceStartsWithPairingDisabledAndItsOwnerOwnsPconf) {
    const auto r = security_->snapshot();
    ASSERT_TRUE(r.pconf.has_value());
    EXPECT_FALSE(r.pconf->edp);
    EXPECT_EQ(ask(pairing_method::kPreconfiguredPin, kClient), CoapCode::Unauthorized);  // nobody may ask yet
    EXPECT_EQ(ownerPosts(enabled({pairing_method::kPreconfiguredPin})), CoapCode::Changed);
    // A stranger over DTLS is not the owner.
    EXPECT_EQ(security_
                  ->handleSecurityRequest(CoapRequest::post("/oic/sec/pconf", encodePconf(enabled({1}), PrivateData::Include)),
                                          securePeer(kOther, 2))
                  .code,
              CoapCode::Forbidden);
}

TEST_F(DirectPairingDevice, PconfIsReadableAnonymouslyOnlyWhileEnabledAndNeverShowsThePin) {
    const auto get = CoapRequest::get("/oic/sec/pconf");
    EXPECT_FALSE(security_->authorize(get, plainPeer()).granted);
    ASSERT_EQ(ownerPosts(enabled({pairing_method::kPreconfiguredPin})), CoapCode::Changed);
    ASSERT_TRUE(security_->authorize(get, plainPeer()).granted);
    const auto answer = security_->handleSecurityRequest(get, plainPeer());
    ASSERT_EQ(answer.code, CoapCode::Content);
    const auto pconf = decodePconf(answer.payload);
    EXPECT_TRUE(pconf.edp);
    EXPECT_TRUE(pconf.pin.empty());
    EXPECT_EQ(pconf.rowneruuid, kOwner);
    // The file keeps the PIN (0600), the answer never carries it.
    const auto held = security_->snapshot();
    EXPECT_EQ(std::string(held.pconf->pin.begin(), held.pconf->pin.end()), kPin);
}

TEST_F(DirectPairingDevice, PreconfiguredPinPairingInstallsTheKeyTheAcesAndPddev) {
    ASSERT_EQ(ownerPosts(enabled({pairing_method::kPreconfiguredPin})), CoapCode::Changed);
    ASSERT_EQ(ask(pairing_method::kPreconfiguredPin, kClient), CoapCode::Changed);
    const auto key = handshake(kClient, 9, true);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(key->bytes().size(), 16u);
    EXPECT_TRUE(std::equal(key->bytes().begin(), key->bytes().end(), derivePinPsk(kPin, kOwner).bytes().begin()));
    ASSERT_EQ(confirm(kClient, 9, kClient), CoapCode::Changed);

    // The pairing key: PRF(key_block, "oic.r.dpairing", server || client), as the client derives it.
    const auto km = sessionSecrets();
    const SessionSecrets secrets{km.masterSecret, km.serverRandom, km.clientRandom};
    const auto expected = deriveSessionBoundPsk(secrets, kDirectPairingLabel, kDevice, kClient);
    const auto stored = SvrDatabase::open(file_, SvrAccess::ReadOnly).resources();  // durable
    const Cred* cred = findPairwiseKey(stored.cred, kClient);
    ASSERT_NE(cred, nullptr);
    EXPECT_EQ(cred->privatedata->data, std::vector<std::uint8_t>(expected.bytes().begin(), expected.bytes().end()));
    ASSERT_EQ(stored.pconf->pddev, std::vector<Uuid>{kClient});
    const auto& ace = stored.acl.aclist2.back();
    EXPECT_EQ(std::get<Uuid>(ace.subject), kClient);
    EXPECT_EQ(ace.resources.front().href, "/a/light");
    EXPECT_EQ(ace.permission, permission::kRead | permission::kUpdate);

    // The paired client's next session uses that key, and it cannot pair a second time.
    const auto peer = securePeer(kClient, 10);
    const auto again = security_->keyForIdentity(peer.pskIdentity, peer);
    ASSERT_TRUE(again.has_value());
    EXPECT_TRUE(std::equal(again->bytes().begin(), again->bytes().end(), expected.bytes().begin()));
    EXPECT_EQ(ask(pairing_method::kPreconfiguredPin, kClient), CoapCode::Forbidden);
    EXPECT_EQ(security_->snapshot().cred.creds.size(), 2u);
}

TEST_F(DirectPairingDevice, RandomPinIsShownOnlyWhenAClientAsksAndIsFreshEachTime) {
    ASSERT_EQ(ownerPosts(enabled({pairing_method::kRandomPin})), CoapCode::Changed);
    EXPECT_TRUE(shown_.empty());
    ASSERT_EQ(ask(pairing_method::kRandomPin, kClient), CoapCode::Changed);
    ASSERT_EQ(shown_.size(), 8u);
    EXPECT_NE(shown_, kPin);
    const auto key = handshake(kClient, 9, true);
    ASSERT_TRUE(key.has_value());
    EXPECT_TRUE(std::equal(key->bytes().begin(), key->bytes().end(), derivePinPsk(shown_, kOwner).bytes().begin()));
    EXPECT_EQ(ask(pairing_method::kPreconfiguredPin, kOther), CoapCode::BadRequest);  // method not offered
}

TEST_F(DirectPairingDevice, WrongPinsAreChargedAndBackOffWhileTheRightClientCanStillFinish) {
    ASSERT_EQ(ownerPosts(enabled({pairing_method::kPreconfiguredPin})), CoapCode::Changed);
    ASSERT_EQ(ask(pairing_method::kPreconfiguredPin, kClient), CoapCode::Changed);
    for (SessionId s = 20; s < 23; ++s) ASSERT_TRUE(handshake(kClient, s, false).has_value());  // three free failures
    const auto locked = securePeer(kClient, 23);
    EXPECT_FALSE(security_->keyForIdentity(locked.pskIdentity, locked).has_value());  // now backing off
    bool logged = false;
    for (const auto& l : lines_) logged = logged || l.find("direct-pairing PIN handshake") != std::string::npos;
    EXPECT_TRUE(logged);
    EXPECT_TRUE(security_->snapshot().pconf->pddev.empty());
}

TEST_F(DirectPairingDevice, OnlyOnePairingAtATimeAndOnlyThePinSessionMayConfirm) {
    ASSERT_EQ(ownerPosts(enabled({pairing_method::kPreconfiguredPin})), CoapCode::Changed);
    ASSERT_EQ(ask(pairing_method::kPreconfiguredPin, kClient), CoapCode::Changed);
    ASSERT_TRUE(handshake(kClient, 9, true).has_value());
    EXPECT_EQ(ask(pairing_method::kPreconfiguredPin, kOther, "127.0.0.3"), CoapCode::ServiceUnavailable);
    // Another client's session cannot confirm, and the PIN session cannot confirm for another.
    EXPECT_NE(confirm(kOther, 11, kOther), CoapCode::Changed);
    EXPECT_EQ(confirm(kClient, 9, kOther), CoapCode::Forbidden);
    EXPECT_EQ(findPairwiseKey(security_->snapshot().cred, kOther), nullptr);
    EXPECT_EQ(confirm(kClient, 9, kClient), CoapCode::Changed);
}

TEST_F(DirectPairingDevice, DisablingStopsNewPairingsAndForgetsThePin) {
    ASSERT_EQ(ownerPosts(enabled({pairing_method::kPreconfiguredPin})), CoapCode::Changed);
    Pconf off;
    off.rowneruuid = kOwner;
    ASSERT_EQ(ownerPosts(off), CoapCode::Changed);
    EXPECT_TRUE(security_->snapshot().pconf->pin.empty());
    EXPECT_EQ(ask(pairing_method::kPreconfiguredPin, kClient), CoapCode::Unauthorized);
    EXPECT_FALSE(security_->authorize(CoapRequest::get("/oic/sec/pconf"), plainPeer()).granted);
}

TEST_F(DirectPairingDevice, TheOwnerRevokingTheKeyTakesTheClientOutOfPddevSoItMayPairAgain) {
    ASSERT_EQ(ownerPosts(enabled({pairing_method::kPreconfiguredPin})), CoapCode::Changed);
    ASSERT_EQ(ask(pairing_method::kPreconfiguredPin, kClient), CoapCode::Changed);
    ASSERT_TRUE(handshake(kClient, 9, true).has_value());
    ASSERT_EQ(confirm(kClient, 9, kClient), CoapCode::Changed);
    // As CredMgmt revokes: RFPRO, DELETE cred ?subjectuuid=client, RFNOP.
    auto rfpro = CoapRequest::post("/oic/sec/pstat",
                                   encodeCbor(CborValue::map({entry("dos", CborValue::map({entry("s", CborValue::integer(2))}))})));
    ASSERT_EQ(security_->handleSecurityRequest(rfpro, securePeer(kOwner, 1)).code, CoapCode::Changed);
    auto del = CoapRequest::del("/oic/sec/cred");
    del.query = {"subjectuuid=" + kClient.toString()};
    ASSERT_EQ(security_->handleSecurityRequest(del, securePeer(kOwner, 1)).code, CoapCode::Deleted);
    EXPECT_TRUE(security_->snapshot().pconf->pddev.empty());
}

TEST_F(DirectPairingDevice, AResetDeviceComesBackCapableButDisabled) {
    ASSERT_EQ(ownerPosts(enabled({pairing_method::kPreconfiguredPin})), CoapCode::Changed);
    security_->reset("test");
    ASSERT_TRUE(security_->snapshot().pconf.has_value());
    EXPECT_FALSE(security_->snapshot().pconf->edp);
    EXPECT_TRUE(security_->snapshot().pconf->pin.empty());
}

// The pure rules.
TEST(DirectPairingRules, PconfWritesAreValidated) {
    auto r = ownedCapable();
    auto post = [&](const Pconf& p) { return postPconf(r, encodePconf(p, PrivateData::Include)).code; };
    Pconf noMethod = enabled({});
    EXPECT_EQ(post(noMethod), CoapCode::BadRequest);
    Pconf noAcl = enabled({1});
    noAcl.pdacl.clear();
    EXPECT_EQ(post(noAcl), CoapCode::BadRequest);
    Pconf security = enabled({1});
    security.pdacl.front().resources.front().href = "/oic/sec/cred";
    EXPECT_EQ(post(security), CoapCode::BadRequest);
    Pconf letters = enabled({1});
    letters.pin = {'1', '2', '3', '4', 'a', 'b', 'c', 'd'};
    EXPECT_EQ(post(letters), CoapCode::BadRequest);
    Pconf foreign = enabled({1});
    foreign.deviceuuid = kOther;
    EXPECT_EQ(post(foreign), CoapCode::BadRequest);
    EXPECT_FALSE(r.pconf->edp);  // nothing refused changed anything
    EXPECT_EQ(postPconf(r, std::vector<std::uint8_t>{0xA1, 0x63, 'e', 'd', 'p'}).code, CoapCode::BadRequest);  // truncated CBOR
    auto incapable = ownedCapable();
    incapable.pconf.reset();
    EXPECT_EQ(postPconf(incapable, encodePconf(enabled({1}), PrivateData::Include)).code, CoapCode::NotFound);
}

TEST(DirectPairingRules, PairingRequestsAreValidated) {
    auto r = ownedCapable();
    ASSERT_TRUE(postPconf(r, encodePconf(enabled({1}), PrivateData::Include)).ok());
    auto refusal = [&](std::vector<std::uint8_t> payload) {
        const auto checked = checkPairingRequest(r, payload);
        return std::holds_alternative<UpdateOutcome>(checked) ? std::get<UpdateOutcome>(checked).code : CoapCode::Changed;
    };
    EXPECT_EQ(refusal(dpairingBody(1, kClient)), CoapCode::Changed);
    EXPECT_EQ(refusal(dpairingBody(2, kClient)), CoapCode::BadRequest);  // not offered
    EXPECT_EQ(refusal(dpairingBody(1, Uuid{})), CoapCode::BadRequest);   // nil client
    EXPECT_EQ(refusal(dpairingBody(1, kDevice)), CoapCode::BadRequest);  // itself
    EXPECT_EQ(refusal(dpairingBody(1, kOwner)), CoapCode::BadRequest);   // its owner
    EXPECT_EQ(refusal({0xFF, 0x00}), CoapCode::BadRequest);              // not CBOR
    EXPECT_EQ(refusal(encodeCbor(CborValue::map({entry("spm", CborValue::integer(1))}))), CoapCode::BadRequest);
    EXPECT_EQ(refusal(encodeCbor(CborValue::map(
                  {entry("spm", CborValue::integer(1)), entry("pdeviceuuid", uuidValue(kClient)), entry("rt", CborValue::text("x"))}))),
              CoapCode::BadRequest);
}

}  // namespace
}  // namespace steward::core
