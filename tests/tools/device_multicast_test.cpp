// Multicast discovery between real processes in a private network namespace (v0 <-> v1): the
// devices join the OCF group on v1 only, the gateway-side `steward discover` multicasts on v0.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <thread>

#include "background_process.hpp"
#include "device_fixture.hpp"
#include "network_namespace.hpp"
#include "process_runner.hpp"
#include "steward/discovery/device_discovery.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

TEST(DeviceMulticast, DiscoveryFindsDevicesAcrossTheVethPair) {
    if (auto why = NetworkNamespace::unavailableReason()) GTEST_SKIP() << *why;
    TempDir dir;
    NetworkNamespace ns;
    auto prefix = ns.execPrefix();
    std::vector<std::string> args(prefix.begin() + 1, prefix.end());
    for (std::string a :
         {std::string(STEWARD_DEVICE_BIN), std::string("--json"), std::string("--bind"), std::string(NetworkNamespace::kAddress1),
          std::string("--multicast-if"), std::string("v1"), std::string("--multicast-jitter-ms"), std::string("300"),
          std::string("--count"), std::string("2"), std::string("--svrdb-dir"), (dir / "devices").string()}) {
        args.push_back(a);
    }
    BackgroundProcess devices(prefix.front(), args);
    std::set<std::string> ids;
    std::size_t from = 0;
    for (int i = 0; i < 2; ++i) {
        const auto ready = devices.waitForLine([](const std::string& l) { return isEvent(l, "ready"); }, 10s, from);
        ASSERT_TRUE(ready) << devices.output();
        from = ready->first + 1;
        ids.insert(parseEventLine(ready->second)->getValue<std::string>("uuid"));
    }

    std::vector<std::string> discover(prefix.begin() + 1, prefix.end());
    for (std::string a :
         {std::string(STEWARD_CLI_BIN), std::string("discover"), std::string("--multicast-if"), std::string("v0"), std::string("--scope"),
          std::string("unowned"), std::string("--timeout"), std::string("1500"), std::string("--json")}) {
        discover.push_back(a);
    }
    const auto result = runProcess(prefix.front(), discover, "", 20s);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto found = Poco::JSON::Parser().parse(result.out).extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(found->size(), 2U) << result.out << result.err;
    for (std::size_t i = 0; i < found->size(); ++i) {
        const auto d = found->getObject(static_cast<unsigned>(i));
        EXPECT_EQ(ids.count(d->getValue<std::string>("uuid")), 1U);
        EXPECT_EQ(d->getValue<std::string>("address"), NetworkNamespace::kAddress1);
        EXPECT_TRUE(d->has("secure_port")) << result.out;
    }

    // Nobody is owned yet: the owned scope finds nothing (devices stay silent to a filter that
    // does not match, as multicast requires).
    discover[discover.size() - 4] = "owned";
    const auto owned = runProcess(prefix.front(), discover, "", 20s);
    ASSERT_EQ(owned.exitCode, 0) << owned.err;
    EXPECT_EQ(Poco::JSON::Parser().parse(owned.out).extract<Poco::JSON::Array::Ptr>()->size(), 0U);
    EXPECT_EQ(devices.stop(), 0) << devices.output();
}

// Issue 19.5: with a reprobe interval, one long call finds a device that starts during it (its
// first multicast probe went out before the device was listening), and reports it at once.
TEST(DeviceMulticast, AReprobeFindsADeviceStartedDuringTheCall) {
    if (auto why = NetworkNamespace::unavailableReason()) GTEST_SKIP() << *why;
    using Clock = std::chrono::steady_clock;
    TempDir dir;
    NetworkNamespace ns;
    std::mutex mutex;
    std::optional<std::pair<std::string, Clock::time_point>> found;
    std::string error;
    std::thread gateway([&] {
        // This thread only: its sockets live in the namespace, and v0 is the namespace's.
        const int fd = ::open(("/run/netns/" + ns.name()).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
            error = "cannot enter the namespace";
            if (fd >= 0) ::close(fd);
            return;
        }
        ::close(fd);
        core::DiscoveryOptions options;
        options.scope = core::DiscoveryScope::Unowned;
        options.multicastInterfaces = {"v0"};
        options.ipv6 = false;
        options.timeout = 5s;
        options.reprobeInterval = 500ms;
        options.onFound = [&](const core::DiscoveredDevice& d) {
            const std::lock_guard lock(mutex);
            if (!found) found.emplace(d.deviceId.toString(), Clock::now());
        };
        try {
            core::discoverDevices(options);
        } catch (const std::exception& e) {
            error = e.what();
        }
    });
    std::this_thread::sleep_for(1s);  // the call's first probe is out; nobody listens yet
    const auto started = Clock::now();
    auto prefix = ns.execPrefix();
    std::vector<std::string> args(prefix.begin() + 1, prefix.end());
    for (std::string a : {std::string(STEWARD_DEVICE_BIN), std::string("--json"), std::string("--bind"),
                          std::string(NetworkNamespace::kAddress1), std::string("--multicast-if"), std::string("v1"),
                          std::string("--multicast-jitter-ms"), std::string("300"), std::string("--svrdb"), (dir / "late.dat").string()}) {
        args.push_back(a);
    }
    BackgroundProcess device(prefix.front(), args);
    const auto ready = device.waitForLine([](const std::string& l) { return isEvent(l, "ready"); }, 10s);
    gateway.join();
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_TRUE(ready) << device.output();
    const std::lock_guard lock(mutex);
    ASSERT_TRUE(found) << device.output();
    EXPECT_EQ(found->first, parseEventLine(ready->second)->getValue<std::string>("uuid"));
    EXPECT_LT(found->second - started, 3s);  // a reprobe (500 ms) and the jitter (300 ms) after it started
    EXPECT_EQ(device.stop(), 0) << device.output();
}

// The same over IPv6: a device bound to "::" joins ff02::158 on v1 and advertises its link-local
// address (without its own zone) in its endpoints.
TEST(DeviceMulticast, DiscoveryOverIpv6LinkLocal) {
    if (auto why = NetworkNamespace::unavailableReason()) GTEST_SKIP() << *why;
    TempDir dir;
    NetworkNamespace ns;
    auto prefix = ns.execPrefix();
    std::vector<std::string> args(prefix.begin() + 1, prefix.end());
    for (std::string a :
         {std::string(STEWARD_DEVICE_BIN), std::string("--json"), std::string("--bind"), std::string("::"), std::string("--multicast-if"),
          std::string("v1"), std::string("--multicast-jitter-ms"), std::string("200"), std::string("--svrdb"), (dir / "d.dat").string()}) {
        args.push_back(a);
    }
    BackgroundProcess device(prefix.front(), args);
    const auto ready = device.waitForLine([](const std::string& l) { return isEvent(l, "ready"); }, 10s);
    ASSERT_TRUE(ready) << device.output();
    const auto id = parseEventLine(ready->second)->getValue<std::string>("uuid");
    const auto securePort = parseEventLine(ready->second)->getValue<std::string>("secure_port");

    std::vector<std::string> discover(prefix.begin() + 1, prefix.end());
    for (std::string a : {std::string(STEWARD_CLI_BIN), std::string("discover"), std::string("--multicast-if"), std::string("v0"),
                          std::string("--timeout"), std::string("1500"), std::string("--json")}) {
        discover.push_back(a);
    }
    const auto result = runProcess(prefix.front(), discover, "", 20s);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto found = Poco::JSON::Parser().parse(result.out).extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(found->size(), 1U) << result.out << result.err;
    const auto d = found->getObject(0);
    EXPECT_EQ(d->getValue<std::string>("uuid"), id);
    EXPECT_TRUE(d->getValue<std::string>("address").starts_with("fe80::")) << result.out;
    EXPECT_EQ(std::to_string(d->getValue<int>("secure_port")), securePort) << result.out;

    // And it can be owned there: multicast discovery, then DTLS to its link-local address.
    std::vector<std::string> own(prefix.begin() + 1, prefix.end());
    for (std::string a :
         {std::string(STEWARD_CLI_BIN), std::string("--local"), std::string("own"), std::string("--all"), std::string("--multicast-if"),
          std::string("v0"), std::string("--timeout"), std::string("1500"), std::string("--state-dir"), (dir / "gateway").string()}) {
        own.push_back(a);
    }
    const auto owned = runProcess(prefix.front(), own, "", 30s);
    EXPECT_EQ(owned.exitCode, 0) << owned.out << owned.err;
    EXPECT_NE(owned.out.find("1 of 1 device(s) owned"), std::string::npos) << owned.out << owned.err;
    EXPECT_EQ(device.stop(), 0) << device.output();
}

// Direct Pairing by multicast: a guest multicasts GET /oic/sec/pconf on v0, the owned light (on
// v1) answers because its owner enabled pairing, and the guest pairs with it and calls it. Before
// pairing is enabled, the light stays silent.
TEST(DeviceMulticast, AGuestFindsAndPairsWithALightByMulticast) {
    if (auto why = NetworkNamespace::unavailableReason()) GTEST_SKIP() << *why;
    TempDir dir;
    NetworkNamespace ns;
    const auto prefix = ns.execPrefix();
    const auto inside = [&](std::vector<std::string> command) {
        std::vector<std::string> args(prefix.begin() + 1, prefix.end());
        args.insert(args.end(), command.begin(), command.end());
        return runProcess(prefix.front(), args, "", 30s);
    };
    std::vector<std::string> args(prefix.begin() + 1, prefix.end());
    for (std::string a : {std::string(STEWARD_DEVICE_BIN), std::string("--json"), std::string("--bind"),
                          std::string(NetworkNamespace::kAddress1), std::string("--multicast-if"), std::string("v1"),
                          std::string("--multicast-jitter-ms"), std::string("200"), std::string("--direct-pairing"), std::string("--name"),
                          std::string("Kitchen light"), std::string("--svrdb"), (dir / "light.dat").string()}) {
        args.push_back(a);
    }
    BackgroundProcess light(prefix.front(), args);
    const auto ready = light.waitForLine([](const std::string& l) { return isEvent(l, "ready"); }, 10s);
    ASSERT_TRUE(ready) << light.output();
    const auto event = parseEventLine(ready->second);
    const std::string id = event->getValue<std::string>("uuid");
    const std::string plain = std::string(NetworkNamespace::kAddress1) + ":" + event->getValue<std::string>("port");
    const std::string secure = std::string(NetworkNamespace::kAddress1) + ":" + event->getValue<std::string>("secure_port");
    const std::string state = (dir / "state").string();

    const auto owned = inside({STEWARD_CLI_BIN, "--local", "own", "--all", "--unicast", plain, "--state-dir", state});
    ASSERT_EQ(owned.exitCode, 0) << owned.out << owned.err;
    const auto guest = inside({STEWARD_SVRDB_BIN, "init", (dir / "guest.dat").string()});
    ASSERT_EQ(guest.exitCode, 0) << guest.out << guest.err;
    const std::vector<std::string> pair = {
        STEWARD_DEVICE_BIN, "--svrdb", (dir / "guest.dat").string(), "--pair-with", "discover", "--multicast-if", "v0", "--pin",
        "13572468",         "--json"};

    const auto silent = inside(pair);  // pairing not enabled yet: nobody answers
    EXPECT_EQ(silent.exitCode, 1) << silent.out << silent.err;
    EXPECT_NE(silent.err.find("no device with direct pairing enabled answered"), std::string::npos) << silent.err;

    const auto enabled = inside({STEWARD_CLI_BIN, "--local", "direct-pairing", id, "--method", "preconfigured", "--pin", "13572468",
                                 "--resource", "/a/light", "--perm", "RU", "--state-dir", state});
    ASSERT_EQ(enabled.exitCode, 0) << enabled.out << enabled.err;
    const auto paired = inside(pair);
    ASSERT_EQ(paired.exitCode, 0) << paired.out << paired.err;
    EXPECT_NE(paired.err.find("found " + id), std::string::npos) << paired.err;
    const auto call = inside({STEWARD_DEVICE_BIN, "--svrdb", (dir / "guest.dat").string(), "--call", secure, "/a/light"});
    EXPECT_EQ(call.exitCode, 0) << call.out << call.err;
    EXPECT_NE(call.out.find("2.05"), std::string::npos) << call.out;
    EXPECT_EQ(light.stop(), 0) << light.output();
}

}  // namespace
}  // namespace steward::test
