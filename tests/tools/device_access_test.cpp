// What an owned steward-device grants to whom: ACEs decide the light (4.01 unauthenticated,
// 4.03 authenticated but not granted), only the owner changes security resources, and malformed
// datagrams or bodies never take the device down.
#include <gtest/gtest.h>

#include <set>

#include "cbor/object_reader.hpp"
#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "steward/cbor/cbor_value.hpp"
#include "steward/crypto/random.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/onboarding/ownership_transfer.hpp"
#include "steward/transport/udp_socket.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;
using core::CborValue;
using core::CoapCode;
using core::CoapRequest;
using core::entry;

std::vector<std::uint8_t> body(std::vector<CborValue::Pair> entries) { return core::encodeCbor(CborValue::map(std::move(entries))); }

CborValue dosState(int s) { return CborValue::map({entry("s", CborValue::unsignedInt(static_cast<std::uint64_t>(s)))}); }

struct Peer {
    core::Uuid id = core::Uuid::randomPskUsable();
    std::vector<std::uint8_t> key = core::randomBytes(16);
};

class DeviceAccess : public ::testing::Test {
protected:
    void SetUp() override {
        running = startDevices({"--svrdb", (dir / "device.dat").string()});
        core::OwnershipRequest r;
        r.gatewayId = gateway;
        r.plain = running[0].plain();
        r.secure = running[0].secure();
        const auto result = core::transferOwnership(client, r);
        ASSERT_TRUE(result.ok) << result.error;
        ownerPsk = std::vector<std::uint8_t>(result.ownerPsk.begin(), result.ownerPsk.end());
    }

    core::EndpointOptions clientOptions() {
        core::EndpointOptions o;
        o.udpPort = std::nullopt;
        return o;
    }

    core::Session ownerSession() {
        auto s = client.openSession(running[0].secure(), core::ownerSessionPsk(gateway, core::SecretBytes(ownerPsk)), 3s);
        EXPECT_TRUE(s.ok());
        return std::move(s.value());
    }

    CoapCode send(const core::Session& s, const CoapRequest& request) {
        auto answer = client.request(s, request, 3s);
        EXPECT_TRUE(answer.ok()) << (answer.ok() ? "" : answer.error().message);
        return answer.ok() ? answer.value().code : CoapCode::InternalServerError;
    }

    // Installs a pairwise key for `peer` and, if `permission` > 0, an ACE for it on /a/light.
    void provision(const Peer& peer, int permission) {
        auto s = ownerSession();
        ASSERT_EQ(send(s, CoapRequest::post("/oic/sec/pstat", body({entry("dos", dosState(2))}))), CoapCode::Changed);
        const CborValue cred = CborValue::map({
            entry("credtype", CborValue::unsignedInt(1)),
            entry("subjectuuid", core::uuidValue(peer.id)),
            entry("privatedata",
                  CborValue::map({entry("encoding", CborValue::text("oic.sec.encoding.raw")), entry("data", CborValue::bytes(peer.key))})),
        });
        ASSERT_EQ(send(s, CoapRequest::post("/oic/sec/cred", body({entry("creds", CborValue::array({cred}))}))), CoapCode::Changed);
        if (permission > 0) {
            const CborValue ace = CborValue::map({
                entry("subject", CborValue::map({entry("uuid", core::uuidValue(peer.id))})),
                entry("resources", CborValue::array({CborValue::map({entry("href", CborValue::text("/a/light"))})})),
                entry("permission", CborValue::unsignedInt(static_cast<std::uint64_t>(permission))),
            });
            ASSERT_EQ(send(s, CoapRequest::post("/oic/sec/acl2", body({entry("aclist2", CborValue::array({ace}))}))), CoapCode::Changed);
        }
        ASSERT_EQ(send(s, CoapRequest::post("/oic/sec/pstat", body({entry("dos", dosState(3))}))), CoapCode::Changed);
    }

    core::TransportResult<core::Session> connectAs(const Peer& peer) {
        return client.openSession(running[0].secure(), core::ownerSessionPsk(peer.id, core::SecretBytes(peer.key)), 3s);
    }

    TempDir dir;
    core::Uuid gateway = core::Uuid::randomPskUsable();
    core::CoapEndpoint client{clientOptions()};
    RunningDevices running;
    std::vector<std::uint8_t> ownerPsk;
};

TEST_F(DeviceAccess, AnAceGrantsExactlyItsPermissions) {
    Peer reader;
    provision(reader, core::permission::kRead);
    auto session = connectAs(reader);
    ASSERT_TRUE(session.ok()) << session.error().message;
    EXPECT_EQ(send(session.value(), CoapRequest::get("/a/light")), CoapCode::Content);
    const auto on = body({entry("value", CborValue::boolean(true))});
    EXPECT_EQ(send(session.value(), CoapRequest::post("/a/light", on)), CoapCode::Forbidden);
    // A pairwise peer is not the owner: the security resources stay closed to it.
    EXPECT_EQ(send(session.value(), CoapRequest::get("/oic/sec/cred")), CoapCode::Forbidden);
    EXPECT_EQ(send(session.value(), CoapRequest::post("/oic/sec/pstat", body({entry("dos", dosState(2))}))), CoapCode::Forbidden);
}

TEST_F(DeviceAccess, AuthenticatedPeerWithoutAnAceIsForbidden) {
    Peer stranger;
    provision(stranger, 0);
    auto session = connectAs(stranger);
    ASSERT_TRUE(session.ok());
    EXPECT_EQ(send(session.value(), CoapRequest::get("/a/light")), CoapCode::Forbidden);
}

TEST_F(DeviceAccess, UnknownPeerCannotEvenHandshake) { EXPECT_FALSE(connectAs(Peer{}).ok()); }

TEST_F(DeviceAccess, OwnerWritesThroughRfproAndRfnopRefusesCredChanges) {
    auto s = ownerSession();
    const CborValue cred = CborValue::map({
        entry("credtype", CborValue::unsignedInt(1)),
        entry("subjectuuid", core::uuidValue(core::Uuid::randomPskUsable())),
        entry("privatedata", CborValue::map({entry("encoding", CborValue::text("oic.sec.encoding.raw")),
                                             entry("data", CborValue::bytes(core::randomBytes(16)))})),
    });
    EXPECT_EQ(send(s, CoapRequest::post("/oic/sec/cred", body({entry("creds", CborValue::array({cred}))}))), CoapCode::Forbidden);
    EXPECT_EQ(send(s, CoapRequest::post("/oic/sec/pstat", body({entry("dos", dosState(1))}))), CoapCode::BadRequest);
    EXPECT_EQ(send(s, CoapRequest::post("/oic/sec/pstat", body({entry("isop", CborValue::boolean(false))}))), CoapCode::BadRequest);
    EXPECT_EQ(send(s, CoapRequest::post("/oic/sec/doxm", body({entry("rt", CborValue::text("x"))}))), CoapCode::BadRequest);
    auto cred2 = client.request(s, CoapRequest::get("/oic/sec/cred"), 3s);
    ASSERT_TRUE(cred2.ok());
    const auto creds = core::decodeCred(cred2.value().payload);
    ASSERT_EQ(creds.creds.size(), 1U);  // only the owner credential, and its key is not disclosed
    ASSERT_TRUE(creds.creds[0].privatedata);
    EXPECT_TRUE(creds.creds[0].privatedata->data.empty());
}

TEST_F(DeviceAccess, MalformedDatagramsAndBodiesNeverTakeTheDeviceDown) {
    auto socket = core::UdpSocket::bind("127.0.0.1", 0);
    const std::vector<std::vector<std::uint8_t>> garbage = {
        {},
        {0x40},
        {0xFF, 0xFF, 0xFF, 0xFF},
        {0x48, 0x01, 0x00, 0x01},                                                  // too short, bad version, TKL past the end
        {0x40, 0x01, 0x00, 0x02, 0xBF},                                            // option running past the end
        {0x40, 0x01, 0x00, 0x03, 0xFF},                                            // payload marker, no payload
        {0x40, 0x02, 0x00, 0x04, 0xBD, 0x01, 0x6F, 0x69, 0x63, 0xFF, 0xA1, 0x61},  // truncated CBOR body
    };
    for (const auto& g : garbage) socket.sendTo(running[0].plain(), g);
    // Unauthenticated writes are refused before their body is even read.
    auto anonymous = client.request(running[0].plain(), CoapRequest::post("/oic/sec/doxm", {0xA1, 0x66, 0x6F, 0x78}), 3s);
    ASSERT_TRUE(anonymous.ok());
    EXPECT_EQ(anonymous.value().code, CoapCode::Unauthorized);
    // The owner's well-formed requests with broken CBOR bodies get 4.00 and change nothing.
    auto s = ownerSession();
    ASSERT_EQ(send(s, CoapRequest::post("/oic/sec/pstat", body({entry("dos", dosState(2))}))), CoapCode::Changed);
    EXPECT_EQ(send(s, CoapRequest::post("/oic/sec/acl2", {0x9F, 0x9F, 0x9F})), CoapCode::BadRequest);
    EXPECT_EQ(send(s, CoapRequest::post("/oic/sec/doxm", {0xA1, 0x66, 0x6F, 0x78})), CoapCode::BadRequest);
    EXPECT_EQ(send(s, CoapRequest::post("/oic/sec/cred", {0xA1, 0x65, 0x63, 0x72, 0x65, 0x64, 0x73, 0x01})), CoapCode::BadRequest);
    ASSERT_EQ(send(s, CoapRequest::post("/oic/sec/pstat", body({entry("dos", dosState(3))}))), CoapCode::Changed);
    EXPECT_EQ(send(s, CoapRequest::post("/a/light", {0xA1, 0x65, 0x76, 0x61, 0x6C, 0x75, 0x65, 0x18})), CoapCode::BadRequest);
    // Still alive and answering.
    auto alive = client.request(running[0].plain(), CoapRequest::get("/oic/d"), 3s);
    ASSERT_TRUE(alive.ok());
    EXPECT_EQ(alive.value().code, CoapCode::Content);
}

TEST(DeviceForeignClient, CoapClientReadsTheResourceDirectory) {
    const auto coapClient = findOnPath("coap-client-openssl");
    if (coapClient.find('/') == std::string::npos) GTEST_SKIP() << "coap-client-openssl (Debian's libcoap3-bin) is not installed";
    TempDir dir;
    auto running = startDevices({"--svrdb", (dir / "d.dat").string()});
    const auto result =
        runProcess(coapClient, {"-B", "5", "-m", "get", "coap://127.0.0.1:" + std::to_string(running[0].port) + "/oic/res"}, "", 10s);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_NE(result.out.find("ocf://" + running[0].id.toString()), std::string::npos);
    EXPECT_NE(result.out.find("coaps://127.0.0.1:" + std::to_string(running[0].securePort)), std::string::npos);
    EXPECT_NE(result.out.find("/a/light"), std::string::npos);
}

TEST(DeviceCount, ManyDevicesInOneProcessAreIndependent) {
    TempDir dir;
    auto running = startDevices({"--count", "5", "--svrdb-dir", (dir / "many").string(), "--uuid-seed", "bench-seed"}, 5);
    std::set<std::string> ids;
    std::set<std::uint16_t> ports;
    for (const auto& d : running.devices) {
        ids.insert(d.id.toString());
        ports.insert(d.port);
        ports.insert(d.securePort);
    }
    EXPECT_EQ(ids.size(), 5U);
    EXPECT_EQ(ports.size(), 10U);
    EXPECT_TRUE(std::filesystem::exists(dir / "many" / "device-5.dat"));
    EXPECT_EQ(std::filesystem::status(dir / "many" / "device-5.dat").permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(running.process->stop(), 0) << running.process->output();
    // Seeded: the same seed gives the same UUIDs on a fresh directory.
    TempDir other;
    auto again = startDevices({"--count", "5", "--svrdb-dir", (other / "many").string(), "--uuid-seed", "bench-seed"}, 5);
    EXPECT_EQ(again[4].id, running[4].id);
}

TEST(DeviceCommandLine, HelpAndUsageErrors) {
    const auto help = runProcess(STEWARD_DEVICE_BIN, {"--help"});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.out.find("--otm justworks|randompin"), std::string::npos);
    const auto bad = runProcess(STEWARD_DEVICE_BIN, {"--otm", "magic"});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_NE(bad.err.find("--otm must be justworks or randompin"), std::string::npos);
    const auto noDir = runProcess(STEWARD_DEVICE_BIN, {"--count", "3"});
    EXPECT_EQ(noDir.exitCode, 2);
}

TEST(DeviceCommandLine, LocalResetRestoresTheResetProfile) {
    TempDir dir;
    const auto db = (dir / "d.dat").string();
    core::Uuid id;
    {
        auto running = startDevices({"--svrdb", db});
        id = running[0].id;
        core::EndpointOptions o;
        o.udpPort = std::nullopt;
        core::CoapEndpoint client(o);
        core::OwnershipRequest r;
        r.gatewayId = core::Uuid::randomPskUsable();
        r.plain = running[0].plain();
        r.secure = running[0].secure();
        ASSERT_TRUE(core::transferOwnership(client, r).ok);
    }
    const auto reset = runProcess(STEWARD_DEVICE_BIN, {"--svrdb", db, "--reset"});
    ASSERT_EQ(reset.exitCode, 0) << reset.out << reset.err;
    auto again = startDevices({"--svrdb", db});
    EXPECT_EQ(again[0].id, id);
    core::EndpointOptions o;
    o.udpPort = std::nullopt;
    core::CoapEndpoint client(o);
    auto doxm = client.request(again[0].plain(), CoapRequest::get("/oic/sec/doxm"), 3s);
    ASSERT_TRUE(doxm.ok());
    EXPECT_FALSE(core::decodeDoxm(doxm.value().payload).owned);
}

}  // namespace
}  // namespace steward::test
