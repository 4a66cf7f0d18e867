#include "network_namespace.hpp"

#include <unistd.h>

#include <atomic>
#include <stdexcept>

#include "process_runner.hpp"

namespace steward::test {
namespace {

void run(const std::vector<std::string>& args) {
    const auto ip = findOnPath("ip");
    const auto r = runProcess(ip, args, "", std::chrono::seconds(20));
    if (r.exitCode != 0) {
        std::string command = "ip";
        for (const auto& a : args) command += " " + a;
        throw std::runtime_error(command + " failed: " + r.err + r.out);
    }
}

}  // namespace

std::optional<std::string> NetworkNamespace::unavailableReason() {
    if (::geteuid() != 0) return "network namespaces need root (run the tests as root to include multicast)";
    if (findOnPath("ip").find('/') == std::string::npos) return "the ip command (iproute2) is not installed";
    return std::nullopt;
}

NetworkNamespace::NetworkNamespace() {
    static std::atomic<int> counter{0};
    name_ = "stw-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    run({"netns", "add", name_});
    try {
        const std::vector<std::string> in{"netns", "exec", name_};
        const auto inside = [&](std::vector<std::string> args) {
            std::vector<std::string> all = in;
            all.insert(all.end(), args.begin(), args.end());
            run(all);
        };
        // Before the links exist: no duplicate-address wait for the IPv6 link-local addresses.
        inside({"sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0"});
        inside({"sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0"});
        inside({"ip", "link", "set", "lo", "up"});
        inside({"ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"});
        // Both ends are local addresses of one host: accept packets "from ourselves" on the veth.
        for (const char* key : {"all", "default", "v0", "v1"}) {
            inside({"sysctl", "-qw", std::string("net.ipv4.conf.") + key + ".accept_local=1"});
            inside({"sysctl", "-qw", std::string("net.ipv4.conf.") + key + ".rp_filter=0"});
        }
        inside({"ip", "addr", "add", std::string(kAddress0) + "/16", "dev", "v0"});
        inside({"ip", "addr", "add", std::string(kAddress1) + "/16", "dev", "v1"});
        inside({"ip", "link", "set", "v0", "up"});
        inside({"ip", "link", "set", "v1", "up"});
    } catch (...) {
        runProcess(findOnPath("ip"), {"netns", "del", name_});
        throw;
    }
}

NetworkNamespace::~NetworkNamespace() {
    // Processes still inside would keep the veth alive; the tests stop theirs first.
    runProcess(findOnPath("ip"), {"netns", "del", name_});
}

std::vector<std::string> NetworkNamespace::execPrefix() const { return {findOnPath("ip"), "netns", "exec", name_}; }

}  // namespace steward::test
