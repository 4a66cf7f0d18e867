// DnssdPublisher and browseServices against a real avahi-daemon, in a private network namespace
// with its own D-Bus (../shared/design/testing-network.md): nothing reaches the real network.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "avahi_network.hpp"
#include "process_runner.hpp"
#include "steward/idprov/dnssd_browser.hpp"
#include "steward/idprov/dnssd_publisher.hpp"

namespace steward::idprov {
namespace {

using namespace std::chrono_literals;
using steward::test::AvahiNetwork;

// One resolved line of `avahi-browse -rtp` ("=;v0;IPv4;idprov;_idprov._tcp;local;host;addr;port;txt").
struct BrowseLine {
    std::string interfaceName, protocol, name, host, address, txt;
    int port = 0;
};

// avahi-browse -p escapes names as DNS labels: "\032" for a space, "\." for a dot.
std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isdigit(static_cast<unsigned char>(s[i + 2])) && std::isdigit(static_cast<unsigned char>(s[i + 3]))) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 3)));
            i += 3;
        } else if (s[i] == '\\' && i + 1 < s.size()) {
            out += s[++i];
        } else {
            out += s[i];
        }
    }
    return out;
}

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, sep)) fields.push_back(field);
    return fields;
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

class DnssdTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto reason = AvahiNetwork::unavailableReason()) GTEST_SKIP() << *reason;
        net_ = std::make_unique<AvahiNetwork>();
        // Our Avahi clients run in this process (root namespace) and reach the namespace's
        // avahi-daemon through the private bus's socket.
        ::setenv("DBUS_SYSTEM_BUS_ADDRESS", net_->busAddress().c_str(), 1);
    }

    void TearDown() override {
        // Clients and helper processes before the daemons they talk to.
        publisher_.reset();
        helper_.reset();
        net_.reset();
    }

    void startPublisher(ServiceAdvert advert = {}) {
        publisher_ = std::make_unique<DnssdPublisher>(std::move(advert), [this](const std::string& line) {
            const std::lock_guard lock(logMutex_);
            log_.push_back(line);
        });
    }

    std::string logText() {
        const std::lock_guard lock(logMutex_);
        std::string text;
        for (const auto& l : log_) text += l + "\n";
        return text;
    }
    bool logged(const std::string& line) {
        const std::lock_guard lock(logMutex_);
        return std::find(log_.begin(), log_.end(), line) != log_.end();
    }

    // `avahi-browse -rtp <type>` inside the namespace: the resolved services it reports.
    std::vector<BrowseLine> avahiBrowse(const std::string& type = "_idprov._tcp") {
        auto args = net_->execPrefix();
        const std::string ip = args.front();
        args.erase(args.begin());
        args.insert(args.end(), {steward::test::findOnPath("avahi-browse"), "-rtp", type});
        const auto r = steward::test::runProcess(ip, args, "", 15s);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        std::vector<BrowseLine> lines;
        std::istringstream out(r.out);
        for (std::string line; std::getline(out, line);) {
            const auto f = split(line, ';');
            if (f.size() < 10 || f[0] != "=") continue;
            BrowseLine b;
            b.interfaceName = f[1];
            b.protocol = f[2];
            b.name = unescape(f[3]);
            b.host = f[6];
            b.address = f[7];
            b.port = std::stoi(f[8]);
            b.txt = f[9];
            lines.push_back(b);
        }
        return lines;
    }

    // Waits until avahi-browse sees `name` with `port` on IPv4 (mDNS answers can lag a little).
    std::vector<BrowseLine> browseFor(const std::string& name, int port) {
        std::vector<BrowseLine> found;
        waitUntil(
            [&] {
                found.clear();
                for (const auto& l : avahiBrowse()) {
                    if (l.name == name && l.port == port) found.push_back(l);
                }
                return !found.empty();
            },
            10s);
        return found;
    }

    // avahi-publish inside the namespace, waited for until established.
    void startAvahiPublish(const std::string& name, int port) {
        helper_ = net_->background("avahi-publish", {"-s", name, "_idprov._tcp", std::to_string(port), "path=/idprov/directory"});
        const auto established =
            helper_->waitForLine([](const std::string& l) { return l.find("Established under name") != std::string::npos; }, 10s);
        ASSERT_TRUE(established) << helper_->output();
        ASSERT_NE(established->second.find("'" + name + "'"), std::string::npos) << helper_->output();
    }

    std::unique_ptr<AvahiNetwork> net_;
    std::unique_ptr<steward::test::BackgroundProcess> helper_;
    std::unique_ptr<DnssdPublisher> publisher_;
    std::mutex logMutex_;
    std::vector<std::string> log_;
};

TEST_F(DnssdTest, PublisherIsSeenByAvahiBrowseWithItsTxtAndWithdrawnOnDestruction) {
    startPublisher();
    ASSERT_TRUE(waitUntil([&] { return publisher_->established(); }, 10s)) << logText() << net_->avahiOutput();
    EXPECT_EQ(publisher_->instanceName(), "idprov");
    EXPECT_EQ(publisher_->establishedCount(), 1);
    EXPECT_TRUE(logged("dnssd: published 'idprov' _idprov._tcp port 43776")) << logText();

    const auto seen = browseFor("idprov", 43776);
    ASSERT_FALSE(seen.empty()) << net_->avahiOutput();
    std::set<std::string> ipv4;
    for (const auto& l : seen) {
        EXPECT_EQ(l.txt, "\"path=/idprov/directory\"");
        EXPECT_TRUE(l.interfaceName == "v0" || l.interfaceName == "v1") << l.interfaceName;
        if (l.protocol == "IPv4") ipv4.insert(l.address);
    }
    EXPECT_TRUE(ipv4.count(AvahiNetwork::kAddress0) || ipv4.count(AvahiNetwork::kAddress1));

    publisher_.reset();  // withdraws: goodbye packets empty the caches within about a second
    EXPECT_TRUE(waitUntil(
        [&] {
            const auto lines = avahiBrowse();
            return std::none_of(lines.begin(), lines.end(), [](const BrowseLine& l) { return l.name == "idprov"; });
        },
        5s));
}

TEST_F(DnssdTest, BrowseFindsAvahiPublishWithAddressPortTxtAndInterface) {
    ASSERT_NO_FATAL_FAILURE(startAvahiPublish("idprov", 43776));

    const auto start = std::chrono::steady_clock::now();
    // Inside the namespace, as a device would be: interface indexes map to v0/v1 there.
    const auto found = net_->runInside([] { return browseServices("_idprov._tcp", 8s); });
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, 8s) << "should return once Avahi reports ALL_FOR_NOW";
    ASSERT_FALSE(found.empty()) << net_->avahiOutput();

    bool sawIpv4 = false;
    bool ipv6Seen = false;
    std::set<std::pair<std::string, std::uint16_t>> unique;
    for (const auto& s : found) {
        SCOPED_TRACE(s.address);
        EXPECT_TRUE(unique.emplace(s.address, s.port).second) << "duplicate (address, port)";
        EXPECT_EQ(s.instanceName, "idprov");
        EXPECT_EQ(s.port, 43776);
        EXPECT_EQ(s.txt, (std::map<std::string, std::string>{{"path", "/idprov/directory"}}));
        EXPECT_TRUE(s.interfaceName == "v0" || s.interfaceName == "v1") << s.interfaceName;
        EXPECT_NE(s.hostName.find(".local"), std::string::npos) << s.hostName;
        if (s.address.find(':') == std::string::npos) {
            EXPECT_FALSE(ipv6Seen) << "IPv4 results must come before IPv6 ones";
            EXPECT_TRUE(s.address == AvahiNetwork::kAddress0 || s.address == AvahiNetwork::kAddress1);
            EXPECT_EQ(idprovDirectoryUrl(s), "https://" + s.address + ":43776/idprov/directory");
            sawIpv4 = true;
        } else {
            ipv6Seen = true;
            if (s.address.rfind("fe80:", 0) == 0) {
                EXPECT_EQ(s.address.substr(s.address.find('%')), "%" + s.interfaceName);
                const auto zone = s.address.find('%');
                EXPECT_EQ(idprovDirectoryUrl(s),
                          "https://[" + s.address.substr(0, zone) + "%25" + s.interfaceName + "]:43776/idprov/directory");
            }
        }
    }
    EXPECT_TRUE(sawIpv4);
}

TEST_F(DnssdTest, NameCollisionPublishesUnderTheAlternativeName) {
    // avahi-publish holds 'idprov' (another port, so its records conflict with ours) first.
    ASSERT_NO_FATAL_FAILURE(startAvahiPublish("idprov", 43777));
    startPublisher();
    ASSERT_TRUE(waitUntil([&] { return publisher_->established(); }, 10s)) << logText();
    EXPECT_EQ(publisher_->instanceName(), "idprov #2");
    EXPECT_TRUE(logged("dnssd: name collision, now 'idprov #2'")) << logText();
    EXPECT_TRUE(logged("dnssd: published 'idprov #2' _idprov._tcp port 43776")) << logText();

    EXPECT_FALSE(browseFor("idprov #2", 43776).empty());
    EXPECT_FALSE(browseFor("idprov", 43777).empty());
    EXPECT_EQ(helper_->output().find("ollision"), std::string::npos) << helper_->output();
}

TEST_F(DnssdTest, PublishesAgainAfterAvahiDaemonRestarts) {
    startPublisher();
    ASSERT_TRUE(waitUntil([&] { return publisher_->established(); }, 10s)) << logText();
    ASSERT_EQ(publisher_->establishedCount(), 1);

    net_->stopAvahi();
    EXPECT_TRUE(waitUntil([&] { return !publisher_->established(); }, 5s));
    net_->startAvahi();
    ASSERT_TRUE(waitUntil([&] { return publisher_->establishedCount() >= 2; }, 15s)) << logText() << net_->avahiOutput();
    EXPECT_TRUE(publisher_->established());
    EXPECT_EQ(publisher_->instanceName(), "idprov");
    EXPECT_TRUE(logged("dnssd: avahi-daemon went away; waiting for it to return")) << logText();
    EXPECT_FALSE(browseFor("idprov", 43776).empty()) << net_->avahiOutput();
}

TEST_F(DnssdTest, PublisherStartedBeforeAvahiDaemonPublishesWhenItArrives) {
    net_->stopAvahi();
    startPublisher();
    std::this_thread::sleep_for(300ms);
    EXPECT_FALSE(publisher_->established());
    EXPECT_EQ(publisher_->establishedCount(), 0);
    EXPECT_TRUE(logged("dnssd: avahi-daemon not running; waiting for it")) << logText();

    net_->startAvahi();
    ASSERT_TRUE(waitUntil([&] { return publisher_->established(); }, 15s)) << logText() << net_->avahiOutput();
    EXPECT_EQ(publisher_->establishedCount(), 1);
    EXPECT_FALSE(browseFor("idprov", 43776).empty()) << net_->avahiOutput();
}

TEST_F(DnssdTest, PublisherRetriesUntilTheSystemBusAndAvahiDaemonAreBack) {
    net_->stopBus();  // not even D-Bus: AVAHI_CLIENT_NO_FAIL does not cover that, our retry does
    startPublisher();
    std::this_thread::sleep_for(300ms);
    EXPECT_FALSE(publisher_->established());
    ASSERT_TRUE(waitUntil([&] { return logText().find("dnssd: cannot reach the D-Bus system bus") != std::string::npos; }, 2s))
        << logText();

    net_->startBus();
    net_->startAvahi();
    // Within the 2 s retry period plus avahi-daemon's probing.
    ASSERT_TRUE(waitUntil([&] { return publisher_->established(); }, 10s)) << logText() << net_->avahiOutput();
    EXPECT_EQ(publisher_->establishedCount(), 1);
    EXPECT_EQ(publisher_->instanceName(), "idprov");
}

TEST_F(DnssdTest, BrowseWithoutAvahiDaemonThrowsDnssdError) {
    net_->stopAvahi();
    const auto start = std::chrono::steady_clock::now();
    try {
        browseServices("_idprov._tcp", 3s);
        FAIL() << "expected DnssdError";
    } catch (const DnssdError& e) {
        EXPECT_NE(std::string(e.what()).find("avahi-daemon is not running"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << "should fail at once, not wait for the timeout";
}

TEST_F(DnssdTest, BrowseWithNothingPublishedReturnsEmptyWithinTheTimeout) {
    const auto start = std::chrono::steady_clock::now();
    const auto found = net_->runInside([] { return browseServices("_idprov._tcp", 5s); });
    EXPECT_TRUE(found.empty());
    // Avahi reports ALL_FOR_NOW after about a second; the browse ends `settle` (300 ms) later.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3500ms) << "should return early, not at the timeout";
}

TEST_F(DnssdTest, BrowseOfAnInvalidTypeThrowsDnssdError) { EXPECT_THROW(browseServices("not a type", 2s), DnssdError); }

TEST(DnssdUrl, BuildsHttpsUrlsFromDiscoveredServices) {
    DiscoveredService s;
    s.address = "169.254.88.1";
    s.port = 43776;
    EXPECT_EQ(idprovDirectoryUrl(s), "https://169.254.88.1:43776/idprov/directory");  // default path
    s.txt["path"] = "/custom/dir";
    EXPECT_EQ(idprovDirectoryUrl(s), "https://169.254.88.1:43776/custom/dir");
    s.txt["path"] = "relative";
    EXPECT_EQ(idprovDirectoryUrl(s), "https://169.254.88.1:43776/relative");
    s.txt.clear();
    s.address = "fe80::1%v0";
    EXPECT_EQ(idprovDirectoryUrl(s), "https://[fe80::1%25v0]:43776/idprov/directory");
    s.address = "2001:db8::5";
    EXPECT_EQ(idprovDirectoryUrl(s), "https://[2001:db8::5]:43776/idprov/directory");
}

TEST(DnssdPublisherAdvert, InvalidAdvertIsRejected) {
    ServiceAdvert bad;
    bad.type = "idprov";  // no leading underscore, no protocol
    EXPECT_THROW(DnssdPublisher(bad, nullptr), std::invalid_argument);
    ServiceAdvert badTxt;
    badTxt.txt = {""};
    EXPECT_THROW(DnssdPublisher(badTxt, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace steward::idprov
