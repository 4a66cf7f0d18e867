// The Random-PIN flow over MQTT (issue 16.3, 16.4), with a real broker, stewardd and
// steward-device processes: PINs awaited do not hold up other requests, several pairing requests
// are open at once, a wrong PIN gets a new pairing request with a new PIN, a request for a device
// already being owned joins that transfer, and every response carries its request's transaction.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "daemon_fixture.hpp"
#include "stewardd_fixture.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

std::string deviceBody(const RunningDevices& d, const std::string& transaction) {
    return R"({"device":")" + d[0].id.toString() + R"(","transaction":")" + transaction + R"("})";
}

std::string pinBody(const RunningDevices& d, const std::string& pin) {
    return R"({"device":")" + d[0].id.toString() + R"(","pin":")" + pin + R"("})";
}

// The response to request/<action> with `transaction`, once it arrives.
Poco::JSON::Object::Ptr responseTo(Observer& watch, const std::string& action, const std::string& transaction,
                                   std::chrono::milliseconds timeout) {
    const auto m = watch.waitFor(
        [&](const bridge::MqttMessage& msg) {
            if (msg.topic != "steward/bridge/response/" + action) return false;
            const auto o = parseJsonObject(msg.payload);
            return o && o->optValue<std::string>("transaction", "") == transaction;
        },
        timeout);
    return m ? parseJsonObject(m->payload) : nullptr;
}

// The events of `type` for `device` so far.
std::vector<Poco::JSON::Object::Ptr> eventsFor(const Observer& watch, const std::string& type, const RunningDevices& device) {
    std::vector<Poco::JSON::Object::Ptr> out;
    for (const auto& m : watch.messages()) {
        if (m.topic != "steward/bridge/event") continue;
        const auto o = parseJsonObject(m.payload);
        if (!o || o->optValue<std::string>("type", "") != type) continue;
        const auto data = o->getObject("data");
        if (data && data->optValue<std::string>("device", "") == device[0].id.toString()) out.push_back(data);
    }
    return out;
}

bool waitForCount(const Observer& watch, const std::string& type, const RunningDevices& device, std::size_t n,
                  std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (eventsFor(watch, type, device).size() < n) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

// Two PINs awaited at once, and meanwhile info, acl and remove are answered at once: the waits are
// parked, not holding the provisioning worker. (The issue asks for 1 s; 2 s leaves room for a
// loaded CI machine — a blocked worker would answer only after the 60 s PIN timeout.)
TEST_F(Stewardd, RequestsAreAnsweredWhileTwoPinsAreAwaited) {
    auto jw = startDevices({"--svrdb", (dir / "jw.dat").string(), "--name", "Kitchen light"});
    auto r1 = startDevices({"--svrdb", (dir / "r1.dat").string(), "--otm", "randompin"});
    auto r2 = startDevices({"--svrdb", (dir / "r2.dat").string(), "--otm", "randompin"});
    Observer watch(broker.port());
    auto daemon = startDaemon(dir.path(), config("{mode: manual, pin_timeout: 60}", {at(jw), at(r1), at(r2)}));
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    for (const auto* d : {&jw, &r1, &r2}) {
        ASSERT_TRUE(watch.waitForEvent(
            "device_discovered", [&](const Poco::JSON::Object::Ptr& e) { return forDevice(e, *d); }, 15s))
            << watch.dump();
    }
    ASSERT_TRUE(ok(watch.request("own", deviceBody(jw, "own-jw"), 30s))) << daemon->output();

    std::size_t from1 = 0;
    std::size_t from2 = 0;
    watch.publishRaw("own", deviceBody(r1, "own-r1"));
    watch.publishRaw("own", deviceBody(r2, "own-r2"));
    ASSERT_TRUE(waitForCount(watch, "pairing_request", r1, 1, 20s)) << watch.dump() << daemon->output();
    ASSERT_TRUE(waitForCount(watch, "pairing_request", r2, 1, 20s)) << watch.dump() << daemon->output();
    const auto pin1 = waitForPin(*r1.process, from1, 10s);
    const auto pin2 = waitForPin(*r2.process, from2, 10s);
    ASSERT_TRUE(pin1 && pin2);

    const auto info = watch.request("info", "{}", 2s);
    EXPECT_TRUE(ok(info)) << watch.dump();
    const auto acl = watch.request(
        "acl", R"({"device":")" + jw[0].id.toString() + R"(","subject":"conntype:auth-crypt","resources":["/light"],"permission":"R"})",
        2s);
    EXPECT_TRUE(ok(acl)) << watch.dump() << daemon->output();
    const auto removed = watch.request("remove", R"({"device":")" + jw[0].id.toString() + R"("})", 2s);
    EXPECT_TRUE(ok(removed)) << watch.dump() << daemon->output();
    // Both pairing requests are still open, and each PIN owns its device.
    EXPECT_FALSE(responseTo(watch, "own", "own-r1", 1ms));
    EXPECT_FALSE(responseTo(watch, "own", "own-r2", 1ms));
    ASSERT_TRUE(ok(watch.request("pin", pinBody(r2, *pin2))));
    ASSERT_TRUE(ok(watch.request("pin", pinBody(r1, *pin1))));
    const auto owned1 = responseTo(watch, "own", "own-r1", 30s);
    const auto owned2 = responseTo(watch, "own", "own-r2", 30s);
    ASSERT_TRUE(ok(owned1)) << watch.dump() << daemon->output();
    ASSERT_TRUE(ok(owned2)) << watch.dump() << daemon->output();
    EXPECT_EQ(owned1->getObject("data")->getValue<std::string>("status"), "owned");
}

// A wrong PIN: said at once (ownership_failed, reason wrong_pin), the device shows a new PIN with a
// new pairing request; a second `own` for the device joins the transfer (the open request is
// announced again) and both requests get the final outcome.
TEST_F(Stewardd, AWrongPinGetsANewPairingRequestAndEveryRequestTheFinalOutcome) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    Observer watch(broker.port());
    auto daemon = startDaemon(dir.path(), config("{mode: manual, pin_timeout: 60, pin_attempts: 3}", {at(rdp)}));
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    ASSERT_TRUE(watch.waitForEvent(
        "device_discovered", [&](const Poco::JSON::Object::Ptr& e) { return forDevice(e, rdp); }, 15s));

    std::size_t from = 0;
    watch.publishRaw("own", deviceBody(rdp, "first"));
    ASSERT_TRUE(waitForCount(watch, "pairing_request", rdp, 1, 20s)) << watch.dump() << daemon->output();
    EXPECT_EQ(eventsFor(watch, "pairing_request", rdp)[0]->optValue<int>("attempt", 0), 1);
    EXPECT_EQ(eventsFor(watch, "pairing_request", rdp)[0]->optValue<int>("attempts", 0), 3);
    const auto shown = waitForPin(*rdp.process, from, 10s);
    ASSERT_TRUE(shown);

    // A typo gets an error response with its transaction; the request stays open.
    const auto typo = watch.request("pin", pinBody(rdp, shown->substr(0, 7)));
    ASSERT_TRUE(typo);
    EXPECT_EQ(typo->getValue<std::string>("status"), "error");
    EXPECT_NE(typo->optValue<std::string>("error", "").find("8 digits"), std::string::npos);
    watch.publishRaw("pin", R"({"transaction": "broken", "device": )");
    const auto broken = responseTo(watch, "pin", "broken", 5s);
    ASSERT_TRUE(broken) << watch.dump();  // unparsable, yet answered with its transaction
    EXPECT_EQ(broken->getValue<std::string>("status"), "error");

    const std::string wrong = *shown == "00000000" ? "11111111" : "00000000";
    ASSERT_TRUE(ok(watch.request("pin", pinBody(rdp, wrong))));
    ASSERT_TRUE(waitForCount(watch, "ownership_failed", rdp, 1, 20s)) << watch.dump() << daemon->output();
    const auto failed = eventsFor(watch, "ownership_failed", rdp)[0];
    EXPECT_EQ(failed->optValue<std::string>("reason", ""), "wrong_pin");
    EXPECT_EQ(failed->optValue<int>("attempts_left", -1), 2);
    ASSERT_TRUE(waitForCount(watch, "pairing_request", rdp, 2, 20s)) << watch.dump() << daemon->output();
    EXPECT_EQ(eventsFor(watch, "pairing_request", rdp)[1]->optValue<int>("attempt", 0), 2);
    const auto fresh = waitForPin(*rdp.process, from, 10s);
    ASSERT_TRUE(fresh);
    EXPECT_FALSE(responseTo(watch, "own", "first", 1ms));  // no answer yet: the transfer goes on

    // Someone else asks to own it meanwhile: joins, and sees the open request again.
    watch.publishRaw("own", deviceBody(rdp, "second"));
    ASSERT_TRUE(waitForCount(watch, "pairing_request", rdp, 3, 10s)) << watch.dump();
    EXPECT_EQ(eventsFor(watch, "pairing_request", rdp)[2]->optValue<int>("attempt", 0), 2);

    ASSERT_TRUE(ok(watch.request("pin", pinBody(rdp, *fresh))));
    const auto first = responseTo(watch, "own", "first", 30s);
    const auto second = responseTo(watch, "own", "second", 30s);
    ASSERT_TRUE(ok(first)) << watch.dump() << daemon->output();
    ASSERT_TRUE(ok(second)) << watch.dump() << daemon->output();
    EXPECT_EQ(eventsFor(watch, "device_owned", rdp).size(), 1u);
}

// When the attempts are spent the request fails with the reason, and the device is left alone.
TEST_F(Stewardd, WrongPinsUpToTheLimitFailTheRequestWithTheReason) {
    auto rdp = startDevices({"--svrdb", (dir / "rdp.dat").string(), "--otm", "randompin"});
    Observer watch(broker.port());
    auto daemon = startDaemon(dir.path(), config("{mode: manual, pin_timeout: 60, pin_attempts: 2}", {at(rdp)}));
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    ASSERT_TRUE(watch.waitForEvent(
        "device_discovered", [&](const Poco::JSON::Object::Ptr& e) { return forDevice(e, rdp); }, 15s));
    std::size_t from = 0;
    watch.publishRaw("own", deviceBody(rdp, "own"));
    for (std::size_t attempt = 1; attempt <= 2; ++attempt) {
        ASSERT_TRUE(waitForCount(watch, "pairing_request", rdp, attempt, 20s)) << watch.dump() << daemon->output();
        const auto shown = waitForPin(*rdp.process, from, 10s);
        ASSERT_TRUE(shown);
        ASSERT_TRUE(ok(watch.request("pin", pinBody(rdp, *shown == "00000000" ? "11111111" : "00000000"))));
    }
    const auto response = responseTo(watch, "own", "own", 30s);
    ASSERT_TRUE(response) << watch.dump() << daemon->output();
    EXPECT_EQ(response->getValue<std::string>("status"), "error");
    EXPECT_NE(response->optValue<std::string>("error", "").find("wrong PIN"), std::string::npos)
        << response->optValue<std::string>("error", "");
    ASSERT_TRUE(waitForCount(watch, "ownership_failed", rdp, 2, 10s));
    const auto last = eventsFor(watch, "ownership_failed", rdp)[1];
    EXPECT_EQ(last->optValue<std::string>("reason", ""), "wrong_pin");
    EXPECT_EQ(last->optValue<int>("attempts_left", -1), 0);
    EXPECT_EQ(eventsFor(watch, "pairing_request", rdp).size(), 2u);  // no third
}

}  // namespace
}  // namespace steward::test
