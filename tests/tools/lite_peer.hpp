#pragma once
// iotivity-lite's `simpleserver` and `onboarding_tool` (../shared/peers/iotivity-lite, found
// through STEWARD_LITE_PEERS_DIR) as foreign peers of interop tests. Each runs inside a test's
// NetworkNamespace as `ip netns exec NS env -C DIR stdbuf -oL BIN` (one exec chain: the process
// id is the program's own) in a fresh working directory holding an empty `<name>_creds/` and a
// copy of `pki_certs/`, and is stopped (then its directory removed) when the object goes.
//
// The onboarding tool is driven through its numbered menu on stdin. Its prompts ("Select option: ",
// "Select device: ", "Enter Random PIN: ") end without a newline, so they are never waited for:
// what is typed waits in the pipe until the tool's scanf reads it. Replies are recognised by the
// complete lines the tool prints (the strings below were seen on this build, commit 49441ba16).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "background_process.hpp"
#include "network_namespace.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {

// The folder with simpleserver, onboarding_tool and pki_certs/ (STEWARD_LITE_PEERS_DIR).
std::filesystem::path litePeersDir();
// Why the interop tests cannot run here (not root / no `ip`, or the peers are missing, saying
// where they were looked for), or nullopt. `needNamespace` false: only the peers are checked.
std::optional<std::string> liteInteropUnavailableReason(bool needNamespace = true);

// argv for BackgroundProcess: {program, args...} run inside `ns` with `ip netns exec`.
std::vector<std::string> inNamespace(const NetworkNamespace& ns, const std::vector<std::string>& command);
// `what` and the output of every process given, for failure messages.
std::string describe(const std::vector<std::pair<std::string, const BackgroundProcess*>>& processes);

// steward-device --json --bind `bind` <args> inside `ns`, up to its "ready" line (throws with its
// output if that does not come within 15 s).
struct NamespacedDevice {
    std::unique_ptr<BackgroundProcess> process;
    std::string uuid;
    std::string address;
    std::uint16_t port = 0;
    std::uint16_t securePort = 0;
    std::string plain() const { return address + ":" + std::to_string(port); }
    std::string secure() const { return address + ":" + std::to_string(securePort); }
};
NamespacedDevice startNamespacedDevice(const NetworkNamespace& ns, const std::vector<std::string>& args,
                                       const std::string& bind = NetworkNamespace::kAddress1);

// One iotivity-lite program running in its own working directory.
class LitePeer {
public:
    LitePeer(const NetworkNamespace& ns, const std::string& program);
    virtual ~LitePeer();
    LitePeer(const LitePeer&) = delete;
    LitePeer& operator=(const LitePeer&) = delete;

    BackgroundProcess& process() { return *process_; }
    const BackgroundProcess& process() const { return *process_; }
    std::string output() const { return process_->output(); }
    std::size_t lineCount() const { return process_->lines().size(); }
    const std::filesystem::path& workDir() const { return dir_.path(); }
    // Waits until the program has a UDP socket on `port` in its namespace (5683: it listens for
    // multicast discovery), read from /proc/PID/net/udp{,6}; false at the deadline.
    bool waitForUdpPort(std::uint16_t port, std::chrono::milliseconds timeout) const;
    // SIGTERM (SIGKILL after `timeout`); the exit status as BackgroundProcess::stop gives it.
    virtual int stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));

protected:
    TempDir dir_;
    std::unique_ptr<BackgroundProcess> process_;
};

// simpleserver: a secure light (/a/light, core.light) offering Just-Works and Random PIN.
class LiteSimpleServer : public LitePeer {
public:
    // Starts it and waits (up to 10 s) until it listens on 5683; throws std::runtime_error if not.
    explicit LiteSimpleServer(const NetworkNamespace& ns);
    // The PIN of the first "Random PIN: NNNNNNNN" line at index `from` or later; moves `from`
    // past that line. nullopt at the deadline.
    std::optional<std::string> waitForPin(std::size_t& from, std::chrono::milliseconds timeout = std::chrono::seconds(15));
};

// A device the onboarding tool found ("Discovered unowned device: <uuid> at:" and its endpoints).
struct LiteDiscovered {
    std::string uuid;
    std::vector<std::string> endpoints;  // coap://... and coaps://... as printed
};

// A line "[N]: <uuid> - <name>" of one of the tool's device lists.
struct LiteListed {
    int index = 0;
    std::string uuid;
    std::string name;
};

// What a menu item that works on one device came to.
struct LiteOutcome {
    bool listed = false;           // the device was in the tool's list and was selected
    std::vector<LiteListed> list;  // the list the tool showed (empty if it had none)
    bool ok = false;               // the tool reported success
    std::string uuid;              // from the result line (OTM: the NEW uuid the tool gave it)
    std::string message;           // the result line, or why there was none
};

class LiteOnboardingTool : public LitePeer {
public:
    // Starts it and waits for "Started device with ID: <uuid>" and its menu; throws if they do not come.
    explicit LiteOnboardingTool(const NetworkNamespace& ns);
    ~LiteOnboardingTool() override;
    const std::string& id() const { return id_; }

    // 1 / 4: discover, collecting what is printed for `window` (answers come up to 2 s late), or
    // until `until` (a uuid) has been found.
    std::vector<LiteDiscovered> discoverUnowned(std::chrono::milliseconds window = std::chrono::seconds(5), const std::string& until = "");
    std::vector<LiteDiscovered> discoverOwned(std::chrono::milliseconds window = std::chrono::seconds(5), const std::string& until = "");
    // 9: ask `uuid` (from the unowned list) to show a Random PIN.
    LiteOutcome requestRandomPin(const std::string& uuid, std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // 10: Random PIN OTM of `uuid` with `pin`. ok: "Successfully performed OTM on device <new uuid>".
    LiteOutcome randomPinOtm(const std::string& uuid, const std::string& pin, std::chrono::milliseconds timeout = std::chrono::seconds(40));
    // 8: Just-Works OTM of `uuid`.
    LiteOutcome justWorksOtm(const std::string& uuid, std::chrono::milliseconds timeout = std::chrono::seconds(40));
    // 97: hard RESET of `uuid` (from the owned list).
    LiteOutcome resetDevice(const std::string& uuid, std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // 99, then SIGTERM if it lingers.
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(5)) override;

private:
    std::vector<LiteDiscovered> discover(const std::string& option, const std::string& marker, std::chrono::milliseconds window,
                                         const std::string& until);
    // Sends `option`, waits for the list (header `header`) or the tool's "Please Re-discover"
    // refusal, selects `uuid` (or sends -1 to leave the item if it is absent), then `extra` lines.
    LiteOutcome selectAndRun(const std::string& option, const std::string& header, const std::string& uuid,
                             const std::vector<std::string>& extra, const std::vector<std::string>& successMarkers,
                             std::chrono::milliseconds timeout);
    std::string id_;
};

}  // namespace steward::test
