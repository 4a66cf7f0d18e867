#pragma once
// A private mDNS network for DNS-SD tests (../shared/design/testing-network.md): a network
// namespace with the veth pair v0 (169.254.88.1) <-> v1 (169.254.88.2), a private dbus-daemon
// and an avahi-daemon restricted to v0,v1 running inside it. Nothing is multicast on the
// machine's real interfaces, and the machine's own D-Bus and /run/avahi-daemon are not touched
// (avahi-daemon gets a private tmpfs on /run in its own mount namespace).
//
// An Avahi client in the test process (root namespace) reaches that avahi-daemon through the
// bus's unix socket: set DBUS_SYSTEM_BUS_ADDRESS=busAddress() in the test's environment first.
// libdbus reads that variable once per process, so busAddress() is the same for every
// AvahiNetwork of a process, and only one may exist at a time (the constructor throws otherwise).
//
// Interface indexes that avahi-daemon reports are the namespace's; code that turns them into names
// (browseServices) must run inside it: use runInside().
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "background_process.hpp"

namespace steward::test {

class NetworkNamespace;

class AvahiNetwork {
public:
    // Why this cannot run here (not root, or ip, dbus-daemon, avahi-daemon, avahi-browse,
    // avahi-publish missing), or nullopt if it can.
    static std::optional<std::string> unavailableReason();

    // Creates the namespace, starts dbus-daemon and avahi-daemon and waits until avahi-daemon
    // reports "Server startup complete". Throws std::runtime_error (with the daemons' output) on
    // failure, after cleaning up what it made.
    AvahiNetwork();
    // Stops both daemons (by PID), deletes the namespace and the temporary directory.
    ~AvahiNetwork();
    AvahiNetwork(const AvahiNetwork&) = delete;
    AvahiNetwork& operator=(const AvahiNetwork&) = delete;

    const std::string& namespaceName() const;
    // "unix:path=<dir>/bus", the private system bus.
    std::string busAddress() const;
    // argv prefix that runs an Avahi client inside the namespace on the private bus:
    // {"/usr/sbin/ip", "netns", "exec", NAME, "env", "DBUS_SYSTEM_BUS_ADDRESS=..."}.
    std::vector<std::string> execPrefix() const;
    // A program (looked up on PATH) started in the background inside the namespace on the
    // private bus, e.g. background("avahi-publish", {"-s", "idprov", ...}).
    std::unique_ptr<BackgroundProcess> background(const std::string& program, const std::vector<std::string>& args) const;

    // avahi-daemon only; the bus stays. startAvahi() waits for "Server startup complete" and
    // throws std::runtime_error if it does not come within 15 s. stopAvahi() is a no-op when stopped.
    void stopAvahi();
    void startAvahi();
    void restartAvahi();
    bool avahiRunning() const { return avahi_ != nullptr; }
    // The private dbus-daemon (same socket path when started again). stopBus() stops
    // avahi-daemon first, as it cannot live without the bus; startBus() does not start it.
    void stopBus();
    void startBus();
    // What the current avahi-daemon printed so far (for failure messages).
    std::string avahiOutput() const;

    // Runs `f` on a thread that has joined the namespace's network namespace (its sockets, and
    // if_indextoname, are the namespace's) and returns its result; exceptions propagate.
    template <typename F>
    auto runInside(F f) -> std::invoke_result_t<F> {
        using R = std::invoke_result_t<F>;
        if constexpr (std::is_void_v<R>) {
            runInsideThread([&] { f(); });
        } else {
            std::optional<R> result;
            runInsideThread([&] { result.emplace(f()); });
            return std::move(*result);
        }
    }

    static constexpr const char* kAddress0 = "169.254.88.1";
    static constexpr const char* kAddress1 = "169.254.88.2";

private:
    void runInsideThread(const std::function<void()>& f) const;
    void cleanUp() noexcept;

    std::unique_ptr<NetworkNamespace> namespace_;
    std::string dir_;
    std::unique_ptr<BackgroundProcess> dbus_;
    std::unique_ptr<BackgroundProcess> avahi_;
};

}  // namespace steward::test
