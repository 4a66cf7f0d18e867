#include "avahi_network.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "network_namespace.hpp"
#include "process_runner.hpp"

namespace steward::test {
namespace {

constexpr const char* kSystemBusConfig = "/usr/share/dbus-1/system.conf";
constexpr const char* kAvahiBusPolicy = "/usr/share/dbus-1/system.d/avahi-dbus.conf";

std::atomic<bool> instanceAlive{false};

bool onPath(const std::string& name) { return findOnPath(name).find('/') != std::string::npos; }

// One directory per process: libdbus reads DBUS_SYSTEM_BUS_ADDRESS only once.
std::string processDirectory() {
    return (std::filesystem::temp_directory_path() / ("steward-avahi-" + std::to_string(::getpid()))).string();
}

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
}

// The machine's system bus configuration, moved into `dir`: its own socket and PID file, the
// packages' bus policies (Avahi's among them) by absolute path, and no forking.
std::string busConfig(const std::string& dir) {
    std::string config = readFile(kSystemBusConfig);
    config = std::regex_replace(config, std::regex("<listen>[^<]*</listen>"), "<listen>unix:path=" + dir + "/bus</listen>");
    config = std::regex_replace(config, std::regex("<pidfile>[^<]*</pidfile>"), "<pidfile>" + dir + "/dbus.pid</pidfile>");
    config = std::regex_replace(config, std::regex("<includedir>system\\.d</includedir>"),
                                "<includedir>/usr/share/dbus-1/system.d</includedir>");
    config = std::regex_replace(config, std::regex("<fork\\s*/>"), "");
    if (config.find(dir + "/bus") == std::string::npos) throw std::runtime_error(std::string("no <listen> in ") + kSystemBusConfig);
    return config;
}

constexpr const char* kAvahiConfig =
    "[server]\n"
    "allow-interfaces=v0,v1\n"
    "use-ipv4=yes\n"
    "use-ipv6=yes\n"
    "enable-dbus=yes\n"
    "[wide-area]\n"
    "enable-wide-area=no\n"
    "[publish]\n"
    "publish-workstation=no\n"
    "publish-hinfo=no\n"
    "[reflector]\n"
    "enable-reflector=no\n";

}  // namespace

std::optional<std::string> AvahiNetwork::unavailableReason() {
    if (auto reason = NetworkNamespace::unavailableReason()) return reason;
    for (const char* program : {"dbus-daemon", "avahi-daemon", "avahi-browse", "avahi-publish", "sh", "env", "mount"}) {
        if (!onPath(program)) return std::string(program) + " is not installed";
    }
    for (const char* file : {kSystemBusConfig, kAvahiBusPolicy}) {
        if (!std::filesystem::exists(file)) return std::string(file) + " is missing (dbus / avahi-daemon packages)";
    }
    return std::nullopt;
}

AvahiNetwork::AvahiNetwork() {
    if (instanceAlive.exchange(true)) throw std::logic_error("only one AvahiNetwork per process at a time");
    try {
        namespace_ = std::make_unique<NetworkNamespace>();
        dir_ = processDirectory();
        std::filesystem::remove_all(dir_);  // a stale one from an earlier process with our PID
        std::filesystem::create_directories(dir_);
        writeFile(dir_ + "/system.conf", busConfig(dir_));
        writeFile(dir_ + "/avahi.conf", kAvahiConfig);

        startBus();
        startAvahi();
    } catch (...) {
        cleanUp();
        throw;
    }
}

AvahiNetwork::~AvahiNetwork() { cleanUp(); }

void AvahiNetwork::cleanUp() noexcept {
    avahi_.reset();  // SIGTERM by PID, SIGKILL if it lingers
    dbus_.reset();
    namespace_.reset();
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        dir_.clear();
    }
    instanceAlive = false;
}

const std::string& AvahiNetwork::namespaceName() const { return namespace_->name(); }

std::string AvahiNetwork::busAddress() const { return "unix:path=" + dir_ + "/bus"; }

std::vector<std::string> AvahiNetwork::execPrefix() const {
    auto prefix = namespace_->execPrefix();
    prefix.push_back("env");
    prefix.push_back("DBUS_SYSTEM_BUS_ADDRESS=" + busAddress());
    return prefix;
}

std::unique_ptr<BackgroundProcess> AvahiNetwork::background(const std::string& program, const std::vector<std::string>& args) const {
    auto all = execPrefix();
    const std::string ip = all.front();
    all.erase(all.begin());
    all.push_back(findOnPath(program));
    all.insert(all.end(), args.begin(), args.end());
    return std::make_unique<BackgroundProcess>(ip, all);
}

void AvahiNetwork::startBus() {
    if (dbus_) return;
    // dbus-daemon runs as messagebus after start-up and cannot remove its PID file from our
    // root-owned directory; a stale one would stop the next start.
    std::error_code ec;
    std::filesystem::remove(dir_ + "/dbus.pid", ec);
    std::filesystem::remove(dir_ + "/bus", ec);
    auto args = namespace_->execPrefix();
    const std::string ip = args.front();
    args.erase(args.begin());
    for (const char* a : {"dbus-daemon", "--nofork", "--print-address"}) args.emplace_back(a);
    args.push_back("--config-file=" + dir_ + "/system.conf");
    dbus_ = std::make_unique<BackgroundProcess>(ip, args);
    // It prints its address once it listens.
    if (!dbus_->waitForLine([](const std::string& l) { return l.rfind("unix:", 0) == 0; }, std::chrono::seconds(10))) {
        const std::string output = dbus_->output();
        dbus_.reset();
        throw std::runtime_error("dbus-daemon did not start:\n" + output);
    }
}

void AvahiNetwork::stopBus() {
    stopAvahi();
    dbus_.reset();
}

void AvahiNetwork::startAvahi() {
    if (avahi_) return;
    // `ip netns exec` gives each program its own mount namespace: a tmpfs on /run there keeps
    // avahi-daemon's PID file and socket (/run/avahi-daemon) apart from the machine's and from
    // other tests' daemons. `exec` keeps the PID we hold avahi-daemon's.
    const std::string script = "mount -t tmpfs -o mode=0755 steward-avahi-run /run && exec " + findOnPath("avahi-daemon") + " -f '" + dir_ +
                               "/avahi.conf' --no-drop-root --no-chroot --no-rlimits --no-proc-title";
    avahi_ = background("sh", {"-c", script});
    const auto ready = avahi_->waitForLine([](const std::string& l) { return l.find("Server startup complete") != std::string::npos; },
                                           std::chrono::seconds(15));
    if (!ready) {
        const std::string output = avahi_->output();
        avahi_.reset();
        throw std::runtime_error("avahi-daemon did not start:\n" + output);
    }
}

void AvahiNetwork::stopAvahi() { avahi_.reset(); }

void AvahiNetwork::restartAvahi() {
    stopAvahi();
    startAvahi();
}

std::string AvahiNetwork::avahiOutput() const { return avahi_ ? avahi_->output() : std::string("(avahi-daemon stopped)"); }

void AvahiNetwork::runInsideThread(const std::function<void()>& f) const {
    const std::string path = "/run/netns/" + namespace_->name();
    std::exception_ptr failure;
    std::thread inside([&] {
        try {
            const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
            // Only this thread changes network namespace (setns acts on the calling thread).
            const int rc = ::setns(fd, CLONE_NEWNET);
            const int error = errno;
            ::close(fd);
            if (rc != 0) throw std::runtime_error("setns " + path + ": " + std::strerror(error));
            f();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    inside.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace steward::test
