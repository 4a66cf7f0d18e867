#include "bridge/mqtt/broker_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "support/process_runner.hpp"

namespace steward::test {
namespace {

sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

// A port nobody listens on right now: bind to port 0 and ask which one the kernel chose.
int freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    auto addr = loopback(0);
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool acceptsConnections(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    auto addr = loopback(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

std::string MosquittoBroker::binary() {
    const std::string onPath = findOnPath("mosquitto");
    if (onPath.find('/') != std::string::npos && ::access(onPath.c_str(), X_OK) == 0) return onPath;
    if (::access("/usr/sbin/mosquitto", X_OK) == 0) return "/usr/sbin/mosquitto";
    return "";
}

MosquittoBroker::MosquittoBroker(BrokerOptions options) : options_(std::move(options)), port_(freeLoopbackPort()) {
    writeConfig();
    start();
}

MosquittoBroker::~MosquittoBroker() {
    try {
        stop();
    } catch (...) {
    }
}

void MosquittoBroker::writeConfig() {
    std::ofstream conf(dir_ / "mosquitto.conf");
    conf << "listener " << port_ << " 127.0.0.1\n"
         << "persistence false\n"
         << "log_dest stdout\n";
    // As root, mosquitto drops to the user "mosquitto", who cannot read our 0700 temp directory.
    if (::geteuid() == 0) conf << "user root\n";
    if (options_.users.empty()) {
        conf << "allow_anonymous true\n";
    } else {
        const auto passwd = (dir_ / "passwd").string();
        const std::string tool = findOnPath("mosquitto_passwd");
        bool first = true;
        for (const auto& [user, password] : options_.users) {
            std::vector<std::string> args;
            if (first) args.push_back("-c");  // create the file
            args.insert(args.end(), {"-b", passwd, user, password});
            const auto result = runProcess(tool, args);
            if (result.exitCode != 0) throw std::runtime_error("mosquitto_passwd failed: " + result.out + result.err);
            first = false;
        }
        conf << "allow_anonymous false\n"
             << "password_file " << passwd << "\n";
    }
    for (const auto& line : options_.extraConfig) conf << line << "\n";
    if (!conf) throw std::runtime_error("cannot write mosquitto.conf");
}

void MosquittoBroker::start(std::chrono::milliseconds timeout) {
    if (process_) return;
    const std::string program = binary();
    if (program.empty()) throw std::runtime_error("mosquitto not found (PATH, /usr/sbin/mosquitto)");
    process_ = std::make_unique<BackgroundProcess>(program, std::vector<std::string>{"-c", (dir_ / "mosquitto.conf").string()});
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!acceptsConnections(port_)) {
        if (process_->wait(std::chrono::milliseconds(1)) || std::chrono::steady_clock::now() > deadline) {
            const std::string out = process_->output();
            process_.reset();
            throw std::runtime_error("mosquitto did not start on port " + std::to_string(port_) + ":\n" + out);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void MosquittoBroker::pause() {
    if (!process_ || paused_) return;
    ::kill(process_->pid(), SIGSTOP);
    paused_ = true;
}

void MosquittoBroker::resume() {
    if (!process_ || !paused_) return;
    ::kill(process_->pid(), SIGCONT);
    paused_ = false;
}

void MosquittoBroker::stop() {
    if (!process_) return;
    resume();  // a stopped process would not act on SIGTERM
    process_->stop(std::chrono::seconds(5));
    lastOutput_ = process_->output();
    process_.reset();
}

void MosquittoBroker::kill() {
    if (!process_) return;
    ::kill(process_->pid(), SIGKILL);
    paused_ = false;
    process_->wait(std::chrono::seconds(5));
    lastOutput_ = process_->output();
    process_.reset();
}

std::string MosquittoBroker::output() const { return process_ ? process_->output() : lastOutput_; }

}  // namespace steward::test
