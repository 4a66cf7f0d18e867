// steward-device --call: one owned device calling another over DTLS with a pairwise PSK, as real
// processes. Three Just-Works devices are owned by `steward --local own`; A and B are then linked
// by hand on the wire, the way the gateway's credential management will do it.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include "cbor/object_reader.hpp"
#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "steward/crypto/random.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/onboarding/ownership_transfer.hpp"
#include "steward/util/atomic_file.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using core::CborValue;
using core::CoapCode;
using core::CoapRequest;
using core::entry;

// --- Pairwise provisioning by hand (until the CredMgmt plugin does it) -------------------------

class OwnerSession {
public:
    OwnerSession(core::CoapEndpoint& endpoint, const core::GatewayIdentity& gateway, const DeviceAddress& device)
        : endpoint_(endpoint), device_(device) {
        auto psk = gateway.ownerCredential(device.id);
        if (!psk) throw std::runtime_error("the gateway holds no owner credential for " + device.id.toString());
        auto opened = endpoint_.openSession(device.secure(), core::ownerSessionPsk(gateway.id(), std::move(*psk)), 5s);
        if (!opened) throw std::runtime_error("owner session to " + device.id.toString() + " refused: " + opened.error().message);
        session_ = std::move(opened.value());
    }

    // POSTs a CBOR map; anything but 2.04 is an error.
    void post(const std::string& path, std::vector<CborValue::Pair> body) {
        const auto answer = endpoint_.request(session_, CoapRequest::post(path, core::encodeCbor(CborValue::map(std::move(body)))), 5s);
        if (!answer) throw std::runtime_error("POST " + path + " to " + device_.id.toString() + ": " + answer.error().message);
        if (answer.value().code != CoapCode::Changed) {
            throw std::runtime_error("POST " + path + " to " + device_.id.toString() + " answered " + answer.value().code.describe());
        }
    }

    void setDos(int state) {
        post("/oic/sec/pstat", {entry("dos", CborValue::map({entry("s", CborValue::unsignedInt(static_cast<std::uint64_t>(state)))}))});
    }

private:
    core::CoapEndpoint& endpoint_;
    const DeviceAddress& device_;
    core::Session session_;
};

// On `device`, over the owner session of the gateway whose state is in `stateDir`: a pairwise
// credential for `peer` with `key`, and one ACE granting `peer` `permission` on `hrefs` (none
// when empty), between RFPRO and RFNOP. The gateway's identity file is locked only meanwhile.
void provisionOneByHand(const std::filesystem::path& stateDir, const DeviceAddress& device, const core::Uuid& peer,
                        const std::vector<std::uint8_t>& key, const std::vector<std::string>& hrefs, int permission) {
    const auto gateway = core::GatewayIdentity::openOrCreate(stateDir / "gateway.svrdb");
    core::EndpointOptions options;
    options.udpPort = std::nullopt;
    core::CoapEndpoint endpoint(options);
    OwnerSession owner(endpoint, gateway, device);
    owner.setDos(2);  // RFPRO
    core::CredResource cred;
    core::Cred pairwise;
    pairwise.credtype = core::credtype::kSymmetricPairwise;
    pairwise.subjectuuid = {peer, false};
    pairwise.privatedata = core::EncodedData{key, core::encoding::kRaw};
    cred.creds.push_back(pairwise);
    owner.post("/oic/sec/cred", {entry("creds", *core::credToCbor(cred, core::PrivateData::Include).find("creds"))});
    if (!hrefs.empty()) {
        core::Acl2 acl;
        core::Ace ace;
        ace.subject = peer;
        for (const auto& href : hrefs) {
            core::AceResource r;
            r.href = href;
            ace.resources.push_back(r);
        }
        ace.permission = permission;
        acl.aclist2.push_back(ace);
        owner.post("/oic/sec/acl2", {entry("aclist2", *core::acl2ToCbor(acl).find("aclist2"))});
    }
    owner.setDos(3);  // RFNOP
}

constexpr int kReadUpdate = core::permission::kRead | core::permission::kUpdate;

// Links two devices owned by the gateway whose state is in `stateDir`, on the wire with its owner
// credentials: one fresh 16-byte key, stored on each with the other as subject; on `b` an ACE
// granting `a` `permission` on `hrefsOnBForA`. Throws std::runtime_error naming the step that
// failed.
void provisionPairwiseByHand(const std::filesystem::path& stateDir, const DeviceAddress& a, const DeviceAddress& b,
                             const std::vector<std::string>& hrefsOnBForA = {"/a/light"}, int permission = kReadUpdate) {
    const auto key = core::randomBytes(16);
    provisionOneByHand(stateDir, a, b.id, key, {}, 0);
    provisionOneByHand(stateDir, b, a.id, key, hrefsOnBForA, permission);
}

// --- The tests ---------------------------------------------------------------------------------

Poco::JSON::Object::Ptr parseObject(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>(); }

class DeviceCall : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* name : {"A", "B", "C"}) {
            devices.push_back(startDevices({"--svrdb", db(name).string(), "--name", std::string("device ") + name}));
        }
        std::vector<std::string> own = {"--local", "own", "--all", "--json", "--state-dir", stateDir().string()};
        for (const auto& d : devices) {
            own.push_back("--unicast");
            own.push_back("127.0.0.1:" + std::to_string(d[0].port));
        }
        const auto owned = runProcess(STEWARD_CLI_BIN, own, "", 60s);
        ASSERT_EQ(owned.exitCode, 0) << owned.out << owned.err;
    }

    std::filesystem::path db(const std::string& name) const { return dir / (name + ".dat"); }
    std::filesystem::path stateDir() const { return dir / "state"; }
    const DeviceAddress& A() const { return devices[0][0]; }
    const DeviceAddress& B() const { return devices[1][0]; }
    const DeviceAddress& C() const { return devices[2][0]; }

    // steward-device --svrdb <from>.dat --call 127.0.0.1:<to's DTLS port> <extra...>
    ProcessResult call(const std::string& from, const DeviceAddress& to, std::vector<std::string> extra) {
        std::vector<std::string> args = {"--svrdb", db(from).string(), "--call", "127.0.0.1:" + std::to_string(to.securePort)};
        args.insert(args.end(), extra.begin(), extra.end());
        return runProcess(STEWARD_DEVICE_BIN, args, "", 30s);
    }

    TempDir dir;
    std::vector<RunningDevices> devices;
};

TEST_F(DeviceCall, LinkedDeviceReadsAndWritesThePeersLight) {
    provisionPairwiseByHand(stateDir(), A(), B());
    const auto before = core::readWholeFile(db("A"), 1U << 20);

    const auto text = call("A", B(), {"/a/light"});
    ASSERT_EQ(text.exitCode, 0) << text.out << text.err;
    EXPECT_NE(text.out.find("2.05 Content"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("\"brightness\""), std::string::npos) << text.out;

    const auto initial = call("A", B(), {"/a/light", "--json"});
    ASSERT_EQ(initial.exitCode, 0) << initial.err;
    auto answer = parseObject(initial.out);
    EXPECT_EQ(answer->getValue<std::string>("code"), "2.05");
    EXPECT_FALSE(answer->getObject("payload")->getValue<bool>("value"));
    EXPECT_EQ(answer->getObject("payload")->getValue<int>("brightness"), 100);

    const auto post = call("A", B(), {"/a/light", "--method", "post", "--payload", R"({"value":true,"brightness":40})", "--json"});
    ASSERT_EQ(post.exitCode, 0) << post.out << post.err;
    EXPECT_EQ(parseObject(post.out)->getValue<std::string>("code"), "2.04");

    const auto after = call("A", B(), {"/a/light", "--json"});
    ASSERT_EQ(after.exitCode, 0) << after.err;
    answer = parseObject(after.out);
    EXPECT_TRUE(answer->getObject("payload")->getValue<bool>("value"));
    EXPECT_EQ(answer->getObject("payload")->getValue<int>("brightness"), 40);

    // The light checks the body: a value out of its range is the device's 4.00, exit 3.
    const auto bad = call("A", B(), {"/a/light", "--method", "post", "--payload", R"({"brightness":400})"});
    EXPECT_EQ(bad.exitCode, 3) << bad.out << bad.err;
    EXPECT_NE(bad.out.find("4.00"), std::string::npos) << bad.out;

    // The calling device's database is only read, never written.
    EXPECT_EQ(core::readWholeFile(db("A"), 1U << 20), before);
    EXPECT_EQ(text.out.find("********"), std::string::npos);
}

TEST_F(DeviceCall, UnlinkedDeviceHasNoCredentialForThePeer) {
    provisionPairwiseByHand(stateDir(), A(), B());
    const auto r = call("C", B(), {"/a/light"});
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("no credential for peer " + B().id.toString()), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(DeviceCall, WrongKeyFailsTheHandshake) {
    provisionPairwiseByHand(stateDir(), A(), B());
    // B knows C and grants it the light, but the key C holds for B is another one: only the key
    // is wrong, so the handshake itself must fail.
    provisionOneByHand(stateDir(), B(), C().id, core::randomBytes(16), {"/a/light"}, kReadUpdate);
    // C's database can be written only while C is not running.
    ASSERT_EQ(devices[2].process->stop(), 0) << devices[2].process->output();
    const auto added = runProcess(STEWARD_SVRDB_BIN, {"cred", "add-psk", db("C").string(), "--subject", B().id.toString(), "--key-hex",
                                                      "00112233445566778899aabbccddeeff"});
    ASSERT_EQ(added.exitCode, 0) << added.out << added.err;
    const auto r = call("C", B(), {"/a/light", "--timeout", "3000"});
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("DTLS handshake with " + B().id.toString()), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("00112233"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    // B still serves the device that holds the right key.
    EXPECT_EQ(call("A", B(), {"/a/light"}).exitCode, 0);
}

TEST_F(DeviceCall, PeerWithoutAnAceIsForbidden) {
    provisionPairwiseByHand(stateDir(), A(), B());  // B grants A; A grants B nothing
    const auto r = call("B", A(), {"/a/light", "--json"});
    EXPECT_EQ(r.exitCode, 3) << r.out << r.err;
    EXPECT_EQ(parseObject(r.out)->getValue<std::string>("code"), "4.03") << r.out;
    EXPECT_NE(r.err.find("4.03 Forbidden"), std::string::npos) << r.err;
}

TEST(DeviceCallCommandLine, HelpAndUsageErrors) {
    const auto help = runProcess(STEWARD_DEVICE_BIN, {"--help"});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.out.find("--call HOST:PORT PATH"), std::string::npos);
    const std::vector<std::vector<std::string>> wrong = {
        {"--call", "127.0.0.1:5684", "/a/light"},                 // no --svrdb
        {"--svrdb", "x.dat", "--call", "127.0.0.1:5684"},         // no PATH
        {"--svrdb", "x.dat", "--call", "localhost", "/a/light"},  // no port
        {"--svrdb", "x.dat", "--call", "127.0.0.1:5684", "/a/light", "--method", "put"},
        {"--svrdb", "x.dat", "--call", "127.0.0.1:5684", "/a/light", "--payload", "{}"},  // payload on a GET
        {"--svrdb", "x.dat", "--call", "127.0.0.1:5684", "/a/light", "--method", "post", "--payload", "{\"value\":"},
        {"--svrdb", "x.dat", "--call", "127.0.0.1:5684", "/a/light", "--method", "post", "--payload", "[1]"},
        {"--svrdb", "x.dat", "--call", "127.0.0.1:5684", "/a/light", "--count", "2"},
        {"--svrdb", "x.dat", "--method", "post"},  // --method without --call
    };
    for (const auto& args : wrong) {
        const auto r = runProcess(STEWARD_DEVICE_BIN, args);
        EXPECT_EQ(r.exitCode, 2) << r.err;
    }
    TempDir dir;
    const auto missing = runProcess(STEWARD_DEVICE_BIN, {"--svrdb", (dir / "none.dat").string(), "--call", "127.0.0.1:5684", "/a/light"});
    EXPECT_EQ(missing.exitCode, 1) << missing.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "none.dat"));
}

}  // namespace
}  // namespace steward::test
