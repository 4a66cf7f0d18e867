// The idprov plugin's parts without HTTP: the enrolment rules (who gets a certificate, and why
// not), the one-time expiring secret store, the per-client rate limiter, how a presented
// certificate is classified, and the denial-of-service bounds (issue 20): the accepted hash cost,
// wrong hashes per address (a stranger cannot burn a secret), the hash gate, the connection caps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "connection_limiter.hpp"
#include "enroller.hpp"
#include "guess_ledger.hpp"
#include "hash_gate.hpp"
#include "neighbour_table.hpp"
#include "oob_store.hpp"
#include "peer_identity.hpp"
#include "rate_limiter.hpp"
#include "steward/idprov/idprov_error.hpp"
#include "steward/idprov/oob_hash.hpp"
#include "support/temp_dir.hpp"

namespace steward::plugins::idprov {
namespace {

namespace proto = steward::idprov;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const proto::OobHashCost kCheap{8192, 1, 1, 10000};

// The server accepts exactly kCheap (the protocol's minimums keep tests quick).
core::EnrollmentSettings cheapSettings() {
    core::EnrollmentSettings s;
    s.argon2MemoryKiB = kCheap.argon2MemoryKiB;
    s.argon2Passes = kCheap.argon2Passes;
    s.argon2Lanes = kCheap.argon2Lanes;
    s.pbkdf2Iterations = kCheap.pbkdf2Iterations;
    return s;
}

class EnrollerTest : public ::testing::Test {
protected:
    EnrollerTest()
        : ca(core::CertificateAuthority::openOrCreate(dir.path() / "ca")),
          issued(dir.path() / "issued"),
          enroller(settings, ca, secrets, issued, [this](const std::string& l) { log += l + "\n"; }) {}

    proto::ProvisionRequest request(const std::string& id, const std::string& secret = "",
                                    proto::OobHashAlgorithm alg = proto::OobHashAlgorithm::Argon2id) {
        proto::ProvisionRequest r;
        r.deviceId = id;
        r.ip = "10.0.0.7";
        r.publicKeyPem = core::PrivateKey::generateEcKey().publicKey().pem();
        if (!secret.empty()) {
            r.oobsHash = proto::hashOobSecret(secret, alg, kCheap);
            r.oobsHashAlg = std::string(proto::algorithmName(alg));
        }
        return r;
    }
    PeerIdentity device(const std::string& cn) { return PeerIdentity{PeerRole::Device, cn, ""}; }

    test::TempDir dir;
    core::EnrollmentSettings settings = cheapSettings();
    core::CertificateAuthority ca;
    OobStore secrets;
    IssuedStore issued;
    std::string log;
    Enroller enroller;
};

TEST_F(EnrollerTest, ApprovesAVerifiedSecretOnceAndIssuesADeviceCertificate) {
    secrets.put("lamp-1", {core::SecretBytes::fromText("label"), Clock::now() + 1h});
    const auto d = enroller.provision(request("lamp-1", "label"), {}, "10.0.0.7:5000");
    ASSERT_EQ(d.response.status, proto::ProvisionStatus::Approved) << d.response.message;
    const auto cert = core::Certificate::parse(
        std::span(reinterpret_cast<const std::uint8_t*>(d.response.clientCert.data()), d.response.clientCert.size()), "cert");
    EXPECT_THAT(cert.summary().subject, HasSubstr("CN=lamp-1"));
    EXPECT_THAT(cert.summary().subject, HasSubstr("OU=iotdevice"));
    EXPECT_TRUE(ca.verifies(cert));
    EXPECT_TRUE(proto::verifyOobHash(d.response.oobsHash, "label", proto::OobHashAlgorithm::Argon2id));
    EXPECT_EQ(d.response.retrySec, static_cast<int>(settings.certificateValidity.count() / 2));
    EXPECT_FALSE(secrets.find("lamp-1", Clock::now())) << "a secret is used once";
    EXPECT_TRUE(issued.latest("lamp-1"));
    EXPECT_EQ(d.event.kind, core::EnrollmentEvent::Kind::CertificateIssued);
}

TEST_F(EnrollerTest, WaitsWhileNoSecretIsKnown) {
    const auto d = enroller.provision(request("lamp-2", "x"), {}, "10.0.0.7:5000");
    EXPECT_EQ(d.response.status, proto::ProvisionStatus::Waiting);
    EXPECT_EQ(d.response.retrySec, 30);
    EXPECT_FALSE(d.hasEvent);
    EXPECT_FALSE(issued.latest("lamp-2"));
}

TEST_F(EnrollerTest, RefusesWithReasonsAndStoresNothing) {
    secrets.put("lamp-3", {core::SecretBytes::fromText("right"), Clock::now() + 1h});
    auto d = enroller.provision(request("lamp-3", "wrong"), {}, "p");
    EXPECT_EQ(d.response.status, proto::ProvisionStatus::Rejected);
    EXPECT_EQ(d.httpStatus, 403);
    EXPECT_THAT(d.response.message, HasSubstr("does not match"));
    EXPECT_TRUE(secrets.find("lamp-3", Clock::now())) << "a wrong guess does not use the secret up";

    auto noProof = request("lamp-3");
    d = enroller.provision(noProof, {}, "p");
    EXPECT_THAT(d.response.message, HasSubstr("nothing proves"));

    auto unknownAlg = request("lamp-3", "right");
    unknownAlg.oobsHashAlg = "scrypt";
    d = enroller.provision(unknownAlg, {}, "p");
    EXPECT_EQ(d.httpStatus, 400);
    EXPECT_THAT(d.response.message, HasSubstr("scrypt"));

    secrets.put("lamp-4", {core::SecretBytes::fromText("old"), Clock::now() - 1s});
    d = enroller.provision(request("lamp-4", "old"), {}, "p");
    EXPECT_THAT(d.response.message, HasSubstr("expired"));

    auto badKey = request("lamp-3", "right");
    badKey.publicKeyPem = "not a key";
    EXPECT_THROW(enroller.provision(badKey, {}, "p"), proto::IdprovError);
    EXPECT_FALSE(issued.latest("lamp-3"));
    EXPECT_FALSE(issued.latest("lamp-4"));
    EXPECT_THAT(log, HasSubstr("rejected 'lamp-3'"));
}

TEST_F(EnrollerTest, OfRequestsRacingWithOneSecretOnlyOneGetsACertificate) {
    secrets.put("lamp-14", {core::SecretBytes::fromText("s"), Clock::now() + 1h});
    std::vector<proto::ProvisionRequest> requests;
    for (int i = 0; i < 4; ++i) requests.push_back(request("lamp-14", "s"));
    std::vector<Decision> decisions(requests.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        // From several addresses: one address gets one hash at a time anyway (the hash gate).
        threads.emplace_back([&, i] { decisions[i] = enroller.provision(requests[i], {}, "10.0.0." + std::to_string(i + 1) + ":5000"); });
    }
    for (auto& t : threads) t.join();
    const auto approved = std::count_if(decisions.begin(), decisions.end(),
                                        [](const Decision& d) { return d.response.status == proto::ProvisionStatus::Approved; });
    EXPECT_EQ(approved, 1);
}

TEST_F(EnrollerTest, ADeviceThatLostItsAnswerGetsTheSameCertificateAgain) {
    secrets.put("lamp-16", {core::SecretBytes::fromText("s"), Clock::now() + 1h});
    const auto r = request("lamp-16", "s");
    const auto first = enroller.provision(r, {}, "p");
    ASSERT_EQ(first.response.status, proto::ProvisionStatus::Approved);
    auto retry = r;
    retry.oobsHash = proto::hashOobSecret("s", proto::OobHashAlgorithm::Argon2id, kCheap);  // a fresh hash, same key
    const auto again = enroller.provision(retry, {}, "p");
    ASSERT_EQ(again.response.status, proto::ProvisionStatus::Approved) << again.response.message;
    EXPECT_EQ(again.response.clientCert, first.response.clientCert) << "nothing new is issued";
    EXPECT_FALSE(again.hasEvent);
    // Another key with the same secret is a replay, not a lost answer.
    EXPECT_EQ(enroller.provision(request("lamp-16", "s"), {}, "p").response.status, proto::ProvisionStatus::Rejected);
}

TEST_F(EnrollerTest, WrongHashesLockOutTheirAddressButNeverBurnTheSecret) {
    secrets.put("lamp-17", {core::SecretBytes::fromText("right"), Clock::now() + 1h});
    const std::string stranger = "10.0.0.66:4000";
    for (int i = 0; i < 2; ++i) {
        const auto d = enroller.provision(request("lamp-17", "guess" + std::to_string(i)), {}, stranger);
        EXPECT_EQ(d.httpStatus, 403);
        EXPECT_EQ(d.response.message, "oobsHash does not match the out-of-band secret");
    }
    auto third = enroller.provision(request("lamp-17", "guess2"), {}, stranger);
    EXPECT_THAT(third.response.message, HasSubstr("may try again for 'lamp-17' in 30 s"));
    // Locked out before any hashing, with the time to wait; even the right secret waits.
    auto locked = enroller.provision(request("lamp-17", "right"), {}, stranger);
    EXPECT_EQ(locked.httpStatus, 429);
    EXPECT_GE(locked.response.retrySec, 29);
    EXPECT_EQ(enroller.ledger().failures("lamp-17"), 3);
    // Ten more strangers, three wrong hashes each: the secret stays for the real device.
    for (int a = 0; a < 10; ++a) {
        for (int i = 0; i < 3; ++i) enroller.provision(request("lamp-17", "g"), {}, "10.0.1." + std::to_string(a) + ":1");
    }
    const auto real = enroller.provision(request("lamp-17", "right"), {}, "10.0.0.7:5000");
    EXPECT_EQ(real.response.status, proto::ProvisionStatus::Approved) << real.response.message;
    EXPECT_EQ(enroller.ledger().failures("lamp-17"), 0) << "a used secret's record is cleared";
}

TEST_F(EnrollerTest, AHashAtAnotherCostIsRefusedBeforeHashing) {
    secrets.put("lamp-18", {core::SecretBytes::fromText("right"), Clock::now() + 1h});
    // Hashes of the right secret whose parameters ask for more (or other) work than accepted;
    // forged from a cheap hash: the server must refuse them before running the KDF.
    const auto forged = [](proto::OobHashAlgorithm alg, const std::string& from, const std::string& to) {
        std::string h = proto::hashOobSecret("right", alg, kCheap);
        return h.replace(h.find(from), from.size(), to);
    };
    const std::vector<std::pair<proto::OobHashAlgorithm, std::string>> costly{
        {proto::OobHashAlgorithm::Pbkdf2Sha256, forged(proto::OobHashAlgorithm::Pbkdf2Sha256, "i=10000", "i=5000000")},  // 2 s before
        {proto::OobHashAlgorithm::Argon2id, forged(proto::OobHashAlgorithm::Argon2id, "m=8192,t=1,p=1", "m=65536,t=10,p=8")},
        {proto::OobHashAlgorithm::Argon2id, forged(proto::OobHashAlgorithm::Argon2id, "m=8192,t=1,p=1", "m=8192,t=1,p=2")},
    };
    for (const auto& [alg, hash] : costly) {
        auto r = request("lamp-18", "", alg);
        r.oobsHash = hash;
        r.oobsHashAlg = std::string(proto::algorithmName(alg));
        const auto started = std::chrono::steady_clock::now();
        const auto d = enroller.provision(r, {}, "10.0.0.9:1");
        EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "refused without running the KDF";
        EXPECT_EQ(d.httpStatus, 400);
        EXPECT_THAT(d.response.message, HasSubstr(alg == proto::OobHashAlgorithm::Argon2id ? "m=8192,t=1,p=1 only" : "i=10000 only"));
    }
    // A PBKDF2 tag of 64 bytes would cost two runs of the iterations.
    auto longTag = request("lamp-18", "right", proto::OobHashAlgorithm::Pbkdf2Sha256);
    longTag.oobsHash = longTag.oobsHash.substr(0, longTag.oobsHash.rfind('$') + 1) + std::string(86, 'A');
    const auto d = enroller.provision(longTag, {}, "10.0.0.9:1");
    EXPECT_EQ(d.httpStatus, 400);
    EXPECT_THAT(d.response.message, HasSubstr("at most 32 bytes"));
    EXPECT_TRUE(secrets.find("lamp-18", Clock::now())) << "nothing was counted against the secret";
    EXPECT_EQ(enroller.ledger().failures("lamp-18"), 0);
}

TEST_F(EnrollerTest, EachAddressHashesOneRequestAtATimeWithinItsBudget) {
    settings.hashesPerMinute = 2;
    Enroller limited(settings, ca, secrets, issued, [](const std::string&) {});
    secrets.put("lamp-19", {core::SecretBytes::fromText("right"), Clock::now() + 1h});
    EXPECT_EQ(limited.provision(request("lamp-19", "a"), {}, "10.0.0.5:1").httpStatus, 403);
    EXPECT_EQ(limited.provision(request("lamp-19", "b"), {}, "10.0.0.5:2").httpStatus, 403);
    const auto over = limited.provision(request("lamp-19", "right"), {}, "10.0.0.5:3");
    EXPECT_EQ(over.httpStatus, 429);
    EXPECT_THAT(over.response.message, HasSubstr("too many hashed requests"));
    // Polling while no secret is known costs no hash budget.
    EXPECT_EQ(limited.provision(request("lamp-20", "x"), {}, "10.0.0.5:4").response.status, proto::ProvisionStatus::Waiting);
    EXPECT_EQ(limited.provision(request("lamp-19", "right"), {}, "10.0.0.6:1").response.status, proto::ProvisionStatus::Approved);
}

TEST_F(EnrollerTest, AReplayAfterApprovalIsRejectedNotWaiting) {
    secrets.put("lamp-5", {core::SecretBytes::fromText("s"), Clock::now() + 1h});
    const auto r = request("lamp-5", "s");
    ASSERT_EQ(enroller.provision(r, {}, "p").response.status, proto::ProvisionStatus::Approved);
    // The same proof with another key (someone who captured it): refused.
    auto stolen = request("lamp-5");
    stolen.oobsHash = r.oobsHash;
    stolen.oobsHashAlg = r.oobsHashAlg;
    const auto again = enroller.provision(stolen, {}, "p");
    EXPECT_EQ(again.response.status, proto::ProvisionStatus::Rejected);
    EXPECT_THAT(again.response.message, HasSubstr("spent"));
}

TEST_F(EnrollerTest, RenewalNeedsTheDevicesOwnCertificate) {
    auto d = enroller.provision(request("lamp-6"), device("lamp-6"), "p");
    EXPECT_EQ(d.response.status, proto::ProvisionStatus::Approved);
    EXPECT_TRUE(d.event.renewal);
    EXPECT_TRUE(d.response.oobsHash.empty());

    d = enroller.provision(request("lamp-7"), device("lamp-6"), "p");
    EXPECT_EQ(d.response.status, proto::ProvisionStatus::Rejected);
    EXPECT_THAT(d.response.message, HasSubstr("certificate of device 'lamp-6'"));

    d = enroller.provision(request("lamp-8"), PeerIdentity{PeerRole::Admin, "alice", ""}, "p");
    EXPECT_EQ(d.response.status, proto::ProvisionStatus::Approved) << "an admin may request without OOB";

    d = enroller.provision(request("lamp-9"),
                           PeerIdentity{PeerRole::Untrusted, "x", "client certificate not accepted: certificate has expired"}, "p");
    EXPECT_THAT(d.response.message, HasSubstr("expired"));
    // An untrusted certificate with a good OOB hash still enrols by the hash.
    secrets.put("lamp-9", {core::SecretBytes::fromText("s9"), Clock::now() + 1h});
    d = enroller.provision(request("lamp-9", "s9"), PeerIdentity{PeerRole::Untrusted, "x", "expired"}, "p");
    EXPECT_EQ(d.response.status, proto::ProvisionStatus::Approved);
}

TEST_F(EnrollerTest, StatusHandsTheCertificateOnlyToItsOwner) {
    secrets.put("lamp-10", {core::SecretBytes::fromText("s"), Clock::now() + 1h});
    ASSERT_EQ(enroller.provision(request("lamp-10", "s"), {}, "p").response.status, proto::ProvisionStatus::Approved);
    EXPECT_FALSE(enroller.status("lamp-10", device("lamp-10")).clientCert.empty());
    EXPECT_TRUE(enroller.status("lamp-10", device("lamp-11")).clientCert.empty());
    EXPECT_TRUE(enroller.status("lamp-10", {}).clientCert.empty());
    EXPECT_EQ(enroller.status("lamp-10", {}).status, proto::ProvisionStatus::Approved);
    EXPECT_EQ(enroller.status("nobody", {}).status, proto::ProvisionStatus::Waiting);
}

TEST_F(EnrollerTest, IdentifiesPeersByCaAndOrganizationalUnit) {
    EXPECT_EQ(identifyPeer(std::nullopt, ca).role, PeerRole::Anonymous);
    const auto issue = [&](const std::string& ou, std::chrono::seconds validity = 24h, std::chrono::seconds offset = -5min) {
        core::CertificateProfile p;
        p.commonName = "n";
        p.organizationalUnit = ou;
        p.validity = validity;
        p.notBeforeOffset = offset;
        return ca.issueWithNewKey(p).certificate;
    };
    EXPECT_EQ(identifyPeer(issue("iotdevice"), ca).role, PeerRole::Device);
    EXPECT_EQ(identifyPeer(issue("admin"), ca).role, PeerRole::Admin);
    EXPECT_EQ(identifyPeer(issue("plugin"), ca).role, PeerRole::Plugin);
    EXPECT_THAT(identifyPeer(issue("idprov"), ca).problem, HasSubstr("OU 'idprov'"));
    EXPECT_THAT(identifyPeer(issue("iotdevice", 1h, -3h), ca).problem, HasSubstr("expired"));
    test::TempDir other;
    auto foreign = core::CertificateAuthority::openOrCreate(other.path() / "ca");
    core::CertificateProfile p;
    p.commonName = "n";
    p.organizationalUnit = "admin";
    EXPECT_EQ(identifyPeer(foreign.issueWithNewKey(p).certificate, ca).role, PeerRole::Untrusted);
}

TEST_F(EnrollerTest, ClaimedAddressesThatDoNotMatchTheSenderAreLoggedNotRefused) {
    const auto table = dir.path() / "arp";
    std::ofstream(table) << "IP address       HW type     Flags       HW address            Mask     Device\n"
                         << "10.0.0.7         0x1         0x2         AA:BB:CC:00:11:22     *        eth0\n"
                         << "10.0.0.9         0x1         0x0         00:00:00:00:00:00     *        eth0\n";
    enroller.setNeighbourTable(table.string());
    auto r = request("lamp-12");
    r.ip = "10.0.0.8";
    r.mac = "aa-bb-cc-00-11-99";
    const auto d = enroller.provision(r, PeerIdentity{PeerRole::Admin, "alice", ""}, "10.0.0.7:4000");
    EXPECT_EQ(d.response.status, proto::ProvisionStatus::Approved);
    EXPECT_THAT(log, HasSubstr("says ip 10.0.0.8 but comes from 10.0.0.7"));
    EXPECT_THAT(log, HasSubstr("says mac aa-bb-cc-00-11-99 but 10.0.0.7 is aa:bb:cc:00:11:22"));

    log.clear();
    r = request("lamp-15");
    r.ip = "10.0.0.7";
    r.mac = "aa:bb:cc:00:11:22";
    enroller.provision(r, PeerIdentity{PeerRole::Admin, "alice", ""}, "[::ffff:10.0.0.7]:4000");
    EXPECT_THAT(log, ::testing::Not(HasSubstr("says"))) << "an IPv4 client of a dual-stack listener is the same client";

    log.clear();
    r = request("lamp-13");
    r.mac = "AA:BB:CC:00:11:22";
    enroller.provision(r, PeerIdentity{PeerRole::Admin, "alice", ""}, "10.0.0.7:4000");
    EXPECT_THAT(log, ::testing::Not(HasSubstr("says")));
    EXPECT_FALSE(neighbourMac("10.0.0.9", table.string())) << "an incomplete entry says nothing";
    EXPECT_FALSE(neighbourMac("10.0.0.1", table.string()));
}

TEST(OobStore, ExpiredSecretsAreReportedOnceAndRemoved) {
    OobStore s;
    const auto now = Clock::now();
    s.put("a", {core::SecretBytes::fromText("x"), now + 1h});
    s.put("b", {core::SecretBytes::fromText("y"), now - 1s});
    EXPECT_EQ(s.size(now), 1u);
    ASSERT_TRUE(s.find("b", now));
    EXPECT_FALSE(s.find("b", now));
    EXPECT_FALSE(s.take("a", core::SecretBytes::fromText("other")));  // a replaced secret is not taken by an old approval
    EXPECT_TRUE(s.find("a", now));
    EXPECT_TRUE(s.take("a", core::SecretBytes::fromText("x")));
    EXPECT_FALSE(s.take("a", core::SecretBytes::fromText("x"))) << "one-time: the second taker gets nothing";
    EXPECT_FALSE(s.find("a", now));
}

TEST(RateLimiter, AllowsABurstThenRefillsOverTime) {
    RateLimiter limiter(3);
    const auto t0 = RateLimiter::Clock::now();
    EXPECT_TRUE(limiter.allow("1.2.3.4", t0));
    EXPECT_TRUE(limiter.allow("1.2.3.4", t0));
    EXPECT_TRUE(limiter.allow("1.2.3.4", t0));
    EXPECT_FALSE(limiter.allow("1.2.3.4", t0));
    EXPECT_TRUE(limiter.allow("5.6.7.8", t0)) << "budgets are per client";
    EXPECT_TRUE(limiter.allow("1.2.3.4", t0 + 20s)) << "one token back after a third of a minute";
    EXPECT_FALSE(limiter.allow("1.2.3.4", t0 + 21s));
    RateLimiter off(0);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(off.allow("x", t0));
}

}  // namespace
}  // namespace steward::plugins::idprov

namespace steward::plugins::idprov {
namespace {

using namespace std::chrono_literals;

TEST(GuessLedger, LocksOutDoublingPerAddressAndTightensUnderAttack) {
    GuessLedger ledger;  // 3 free, then 30 s doubling to 1 h; after 20 in all, 1 free
    const auto t0 = GuessLedger::Clock::now();
    EXPECT_EQ(ledger.recordFailure("d", "a", t0), 0s);
    EXPECT_EQ(ledger.recordFailure("d", "a", t0), 0s);
    EXPECT_EQ(ledger.recordFailure("d", "a", t0), 30s);
    EXPECT_EQ(ledger.lockedFor("d", "a", t0 + 10s), 20s);
    EXPECT_EQ(ledger.lockedFor("d", "b", t0), 0s) << "another address is not affected";
    EXPECT_EQ(ledger.lockedFor("other", "a", t0), 0s) << "another device is not affected";
    EXPECT_EQ(ledger.lockedFor("d", "a", t0 + 31s), 0s);
    EXPECT_EQ(ledger.recordFailure("d", "a", t0 + 31s), 60s);
    for (int i = 0; i < 10; ++i) ledger.recordFailure("d", "a", t0 + 31s);
    EXPECT_EQ(ledger.recordFailure("d", "a", t0 + 31s), 3600s) << "capped";
    // Over 20 in all: a fresh address is locked after its first wrong hash.
    for (int i = 0; i < 8; ++i) ledger.recordFailure("d", "x" + std::to_string(i), t0);
    EXPECT_GT(ledger.failures("d"), 20);
    EXPECT_EQ(ledger.recordFailure("d", "fresh", t0), 30s);
    ledger.forget("d");
    EXPECT_EQ(ledger.lockedFor("d", "a", t0 + 32s), 0s);
    EXPECT_EQ(ledger.failures("d"), 0);
}

TEST(GuessLedger, RemembersABoundedNumberOfAddresses) {
    GuessPolicy policy;
    policy.maxAddresses = 4;
    policy.freeFailures = 1;
    GuessLedger ledger(policy);
    const auto t0 = GuessLedger::Clock::now();
    for (int i = 0; i < 10; ++i) ledger.recordFailure("d", "h" + std::to_string(i), t0 + std::chrono::seconds(i));
    int remembered = 0;
    for (int i = 0; i < 10; ++i) remembered += ledger.lockedFor("d", "h" + std::to_string(i), t0 + 10s) > 0s;
    EXPECT_EQ(remembered, 4);
    EXPECT_GT(ledger.lockedFor("d", "h9", t0 + 10s), 0s) << "the latest lock-outs are kept";
}

TEST(HashGate, OneAtATimePerAddressFifoOverallAndBusyAfterTheWait) {
    HashGate gate(1, 0, 300ms);
    auto first = gate.enter("a", "d");
    ASSERT_TRUE(first.admitted());
    EXPECT_EQ(gate.enter("a", "d").refusal, HashGate::Refusal::AddressBusy);
    const auto started = std::chrono::steady_clock::now();
    const auto timedOut = gate.enter("b", "d");  // the only slot stays taken
    EXPECT_EQ(timedOut.refusal, HashGate::Refusal::ServerBusy);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
    // A waiter gets the slot as soon as it is free.
    std::thread release([&] {
        std::this_thread::sleep_for(50ms);
        auto gone = std::move(first);
    });
    HashGate::Ticket waited = gate.enter("c", "d");
    release.join();
    EXPECT_TRUE(waited.admitted());
}

TEST(HashGate, ABudgetPerAddressAndDevice) {
    HashGate gate(4, 2, 100ms);
    EXPECT_TRUE(gate.enter("a", "d").admitted());
    EXPECT_TRUE(gate.enter("a", "d").admitted());
    EXPECT_EQ(gate.enter("a", "d").refusal, HashGate::Refusal::AddressOverBudget);
    EXPECT_TRUE(gate.enter("b", "d").admitted()) << "another address";
    EXPECT_TRUE(gate.enter("a", "e").admitted()) << "another device (an installer enrolling several)";
    EXPECT_EQ(gate.refusals(), 1u);
}

TEST(ConnectionLimiter, CapsPerAddressAndInAll) {
    ConnectionLimiter limiter(2, 3);
    int keys[5];
    EXPECT_TRUE(limiter.admit(&keys[0], "a"));
    EXPECT_TRUE(limiter.admit(&keys[1], "a"));
    EXPECT_FALSE(limiter.admit(&keys[2], "a"));
    EXPECT_TRUE(limiter.admit(&keys[3], "b"));
    EXPECT_FALSE(limiter.admit(&keys[4], "c")) << "three open in all";
    limiter.release(&keys[0]);
    limiter.release(&keys[0]);  // twice: counted once
    EXPECT_EQ(limiter.open(), 2u);
    EXPECT_TRUE(limiter.admit(&keys[2], "a"));
    EXPECT_EQ(limiter.refused(), 2u);
}

}  // namespace
}  // namespace steward::plugins::idprov
