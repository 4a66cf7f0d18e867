// What `steward` prints for stewardd's responses without --json (tools/cli/remote_output.cpp): the
// response data as stewardd sends it, the text a person reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <sstream>

#include "link_status.hpp"
#include "remote_output.hpp"

namespace steward::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kA = "6b6b6b6b-6b6b-6b6b-6b6b-6b6b6b6b6b01";
const std::string kB = "6b6b6b6b-6b6b-6b6b-6b6b-6b6b6b6b6b02";

Poco::Dynamic::Var json(const std::string& text) { return Poco::JSON::Parser().parse(text); }

std::string print(const std::string& command, const std::string& data, const std::string& request = "{}") {
    std::ostringstream out;
    printResponse(command, json(request).extract<Poco::JSON::Object::Ptr>(), json(data), out);
    return out.str();
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

TEST(CliOutput, DevicesAreAnAlignedTable) {
    const auto text = print("devices", R"([
        {"uuid":")" + kA + R"(","name":"Kitchen light","state":"provisioned","device_types":["oic.d.light"],
         "methods":["justworks"],"otm":"oic.sec.doxm.jw","endpoint":"coaps://127.0.0.1:40001","links":[],
         "policies":["lights-managed-by-gateway","lights-readable-by-switches"],"last_seen":"2026-12-05T10:00:00Z"},
        {"uuid":")" + kB + R"(","name":"","state":"blocked","device_types":[],"methods":["randompin"],"otm":"",
         "endpoint":"","links":[],"policies":[],"blocked":{"reason":"removed","since":"2026-12-05T09:00:00Z"},"last_seen":""}])");
    const auto l = lines(text);
    ASSERT_GE(l.size(), 5U) << text;
    EXPECT_EQ(l[0], "2 device(s)");
    EXPECT_THAT(l[1], ::testing::MatchesRegex("UUID +NAME +STATUS +METHOD +ADDRESS +POLICIES"));
    EXPECT_THAT(l[2], ::testing::MatchesRegex(kA + " +Kitchen light +provisioned +justworks +127\\.0\\.0\\.1:40001 +"
                                                   "lights-managed-by-gateway,lights-readable-by-switches"));
    // Not owned: the methods it offers; nothing known shows as "-".
    EXPECT_THAT(l[3], ::testing::MatchesRegex(kB + " +- +blocked +randompin +- +-"));
    // Columns line up.
    EXPECT_EQ(l[1].find("STATUS"), l[2].find("provisioned"));
    EXPECT_EQ(l[2].find("provisioned"), l[3].find("blocked"));
    EXPECT_EQ(l[1].find("POLICIES"), l[2].find("lights-managed"));
    EXPECT_THAT(l[4], HasSubstr(kB + ": blocked (removed) since 2026-12-05T09:00:00Z; steward admit " + kB));
    EXPECT_THAT(text, Not(HasSubstr("{")));
    EXPECT_EQ(print("devices", "[]"), "0 device(s)\n");
}

TEST(CliOutput, InfoIsReadableLines) {
    const auto text = print("info", R"J({"version":"0.1.0 (git f403a6c)","gateway":")J" + kA + R"J(",
        "plugins":[{"path":"/p/otm-justworks.so","loaded":true,"name":"otm-justworks","version":"0.1.0"},
                   {"path":"/p/credmgmt.so","loaded":true,"name":"credmgmt","version":"0.1.0"},
                   {"path":"/p/broken.so","loaded":false,"reason":"ABI version 9, host has 1"}],
        "idprov":{"enabled":false,"running":false},
        "config":{"ownership_mode":"permit_join","allow_justworks":true,"approval":true,"permit_join_remaining":57,
                  "policies":2,"discovery_interfaces":["eth0"],"discovery_unicast":["10.0.0.5:5683"]}})J");
    EXPECT_THAT(text, HasSubstr("stewardd 0.1.0 (git f403a6c)\n"));
    EXPECT_THAT(text, ::testing::ContainsRegex("gateway +" + kA));
    EXPECT_THAT(text, ::testing::ContainsRegex("plugins +2 loaded: otm-justworks 0.1.0, credmgmt 0.1.0"));
    EXPECT_THAT(text, ::testing::ContainsRegex(" +skipped /p/broken.so: ABI version 9, host has 1"));
    EXPECT_THAT(text, ::testing::ContainsRegex("ownership +permit_join \\(Just-Works allowed, approval required\\)"));
    EXPECT_THAT(text, ::testing::ContainsRegex("permit-join +open, 57 s left"));
    EXPECT_THAT(text, ::testing::ContainsRegex("policies +2 active"));
    EXPECT_THAT(text, ::testing::ContainsRegex("discovery +multicast on eth0; unicast 10.0.0.5:5683"));
    EXPECT_THAT(text, ::testing::ContainsRegex("idprov +disabled"));
    EXPECT_THAT(text, Not(HasSubstr("{")));
}

TEST(CliOutput, MetricsAreReadableLines) {
    const auto text = print("metrics", R"({"devices_owned":3,"failures_total":2,"failures":{"DTLS handshake":1,"wrong PIN":1},
        "retries":1,"time_to_own_ms":{"p50":812,"p99":5012}})");
    EXPECT_THAT(text, ::testing::ContainsRegex("devices owned +3"));
    EXPECT_THAT(text, ::testing::ContainsRegex("time to own +p50 812 ms, p99 5012 ms"));
    EXPECT_THAT(text, ::testing::ContainsRegex("failures +2 \\(DTLS handshake: 1, wrong PIN: 1\\)"));
    EXPECT_THAT(text, ::testing::ContainsRegex("retries +1"));
}

TEST(CliOutput, LinksLookAsInLocalMode) {
    const auto text = print("links", R"({"links":[{"a":")" + kA + R"(","b":")" + kB +
                                         R"(","stale":false,"pending":"","kind":"pairwise"},
        {"a":")" + kA + R"(","b":")" + kB +
                                         R"(","stale":true,"pending":"unlink","kind":"direct"}]})");
    std::ostringstream local;
    printLinkStatus({{kA, kB, false, false, ""}, {kA, kB, true, true, "unlink"}}, {}, local);
    EXPECT_EQ(text, local.str());
    EXPECT_THAT(text, HasSubstr(" [1] " + kA + " <-> " + kB + "\n"));
    EXPECT_THAT(text, HasSubstr(" [2] " + kA + " <- " + kB + "  (direct pairing)  STALE (pending unlink)\n"));
}

TEST(CliOutput, ConfirmationsAreOneLine) {
    EXPECT_EQ(print("own", R"({"device":")" + kA + R"(","method":"randompin","status":"owned","ms":2345})"),
              kA + " (randompin): owned in 2345 ms\n");
    EXPECT_EQ(print("pin", R"({"device":")" + kA + R"("})"), "PIN sent to " + kA + "\n");
    EXPECT_EQ(print("permit-join", R"({"time":120})", R"({"time":120})"), "permit-join open for 120 s\n");
    EXPECT_EQ(print("permit-join", R"({"time":300})", R"({"time":900})"), "permit-join open for 300 s (the most the daemon allows)\n");
    EXPECT_EQ(print("permit-join", R"({"time":0})", R"({"time":0})"), "permit-join closed\n");
    EXPECT_THAT(print("approve", R"({"device":")" + kA + R"("})"), HasSubstr(kA + " approved"));
    EXPECT_THAT(print("deny", R"({"device":")" + kA + R"("})"), HasSubstr(kA + " denied"));
    EXPECT_THAT(print("admit", R"({"device":")" + kA + R"("})"), HasSubstr(kA + " admitted"));
    EXPECT_EQ(print("rename", R"({"device":")" + kA + R"(","name":"Pantry"})"), kA + " renamed \"Pantry\"\n");
    EXPECT_EQ(print("idprov-oob", R"({"device_id":"thermo-1","valid_until":"2026-12-24T00:00:00Z"})"),
              "out-of-band secret for thermo-1 accepted (valid until 2026-12-24T00:00:00Z)\n");
    EXPECT_EQ(print("policy-reload", R"({"added":["a"],"removed":[],"changed":["b","c"]})"),
              "policies reloaded: 1 added (a), 0 removed, 2 changed (b, c)\n");
    EXPECT_EQ(print("policy-reload", R"({"added":[],"removed":[],"changed":[]})"), "policies reloaded: no change\n");
    EXPECT_EQ(print("sync", R"({"done":[],"deferred":[]})"), "nothing to do\n");
    EXPECT_EQ(print("link", R"({"done":["linked A and B"],"deferred":["B: later"]})"), "linked A and B\ndeferred: B: later\n");
    EXPECT_THAT(print("remove", R"({"device":")" + kA + R"(","blocked":true,"done":["removed"],"deferred":[]})"),
                HasSubstr("steward admit " + kA + " lifts that"));
    EXPECT_THAT(print("direct-pairing", R"({"done":["configured"],"deferred":[],"pin":"12345678"})"),
                HasSubstr("pre-configured PIN: 12345678\n"));
}

TEST(CliOutput, ProgressAndErrorLines) {
    EXPECT_EQ(progressLine(3, 10, "x"), "[3/10] x");
    EXPECT_EQ(progressEventLine(json(R"({"action":"sync","transaction":"t","done":2,"total":5,"message":"reading )" + kA + R"("})")
                                    .extract<Poco::JSON::Object::Ptr>()),
              "[2/5] sync: reading " + kA);
    EXPECT_EQ(progressEventLine(json(R"({"action":"sync","message":"owner session to )" + kA + R"("})").extract<Poco::JSON::Object::Ptr>()),
              "sync: owner session to " + kA);
    EXPECT_EQ(ownLine(kA, "justworks", "owned", 812), kA + " (justworks): owned in 812 ms");
    EXPECT_EQ(ownLine(kA, "oic.sec.doxm.rdp", "owned", 812), kA + " (randompin): owned in 812 ms");
    EXPECT_EQ(ownLine(kA, "", "FAILED: DTLS handshake: wrong PIN", 30012), kA + ": FAILED: DTLS handshake: wrong PIN in 30012 ms");
    std::ostringstream err;
    printFailure("pin", "'pin' must be the 8 digits the device shows", err);
    EXPECT_EQ(err.str(), "steward: pin: 'pin' must be the 8 digits the device shows\n");
}

}  // namespace
}  // namespace steward::tools
