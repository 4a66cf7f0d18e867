#pragma once
// A real mosquitto broker for a test: its own config in a temp directory, a free loopback port
// that stays the same across stop()/kill() and start(), persistence off (so a restarted broker has
// forgotten every retained message), and optional users (password_file via mosquitto_passwd).
// Reusable by any test that needs a broker (the MQTT client's, the daemon's).
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/background_process.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {

struct BrokerOptions {
    // Non-empty: anonymous clients are refused and these users (name, password) are accepted.
    std::vector<std::pair<std::string, std::string>> users;
    // Extra lines appended to the generated mosquitto.conf.
    std::vector<std::string> extraConfig;
};

class MosquittoBroker {
public:
    // Picks a free port and starts the broker; throws std::runtime_error if it does not accept
    // connections within a few seconds (with its output in the message).
    explicit MosquittoBroker(BrokerOptions options = {});
    ~MosquittoBroker();
    MosquittoBroker(const MosquittoBroker&) = delete;
    MosquittoBroker& operator=(const MosquittoBroker&) = delete;

    // The mosquitto binary (PATH, then /usr/sbin/mosquitto); empty if there is none.
    static std::string binary();

    std::string host() const { return "127.0.0.1"; }
    int port() const { return port_; }
    std::string uri() const { return host() + ":" + std::to_string(port_); }

    // (Re)starts on the same port and waits until the port accepts connections. No-op if running.
    void start(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // SIGTERM (clients see their connection close; wills are sent), waits for the exit.
    void stop();
    // SIGKILL: the broker vanishes without a word.
    void kill();
    // SIGSTOP / SIGCONT: a hung broker. Its sockets stay open and the kernel still accepts TCP
    // connections on its port, but nothing answers. stop() and kill() resume it first.
    void pause();
    void resume();
    bool running() const { return process_ != nullptr; }
    // What the broker printed (its log), for failure messages; empty once stopped and restarted.
    std::string output() const;
    const std::filesystem::path& directory() const { return dir_.path(); }

private:
    void writeConfig();

    BrokerOptions options_;
    TempDir dir_;
    int port_ = 0;
    std::unique_ptr<BackgroundProcess> process_;
    bool paused_ = false;
    std::string lastOutput_;
};

}  // namespace steward::test
