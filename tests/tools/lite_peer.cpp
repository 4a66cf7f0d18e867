#include "lite_peer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "device_fixture.hpp"
#include "process_runner.hpp"
#include "steward/model/uuid.hpp"

#ifndef STEWARD_LITE_PEERS_DIR
#error "STEWARD_LITE_PEERS_DIR must name the folder of iotivity-lite's programs"
#endif

namespace steward::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// No <regex>: GCC 12 raises false warnings in it in our -Werror builds (see e7eed72).
std::string firstUuid(const std::string& line) {
    for (std::size_t i = 0; i + 36 <= line.size(); ++i) {
        if (core::Uuid::parse(std::string_view(line).substr(i, 36))) return line.substr(i, 36);
    }
    return {};
}

// "<digits>" right after `marker` in `line`, exactly `count` of them.
std::optional<std::string> digitsAfter(const std::string& line, const std::string& marker, std::size_t count) {
    const auto at = line.find(marker);
    if (at == std::string::npos || line.size() < at + marker.size() + count) return std::nullopt;
    const std::string digits = line.substr(at + marker.size(), count);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    return digits;
}

// "[N]: <uuid> - <name>", one entry of the tool's device lists.
std::optional<LiteListed> listEntry(const std::string& line) {
    if (line.empty() || line[0] != '[') return std::nullopt;
    const auto close = line.find("]: ");
    if (close == std::string::npos || close < 2) return std::nullopt;
    const std::string number = line.substr(1, close - 1);
    if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    const auto uuidAt = close + 3;
    if (line.size() < uuidAt + 36 + 3 || line.compare(uuidAt + 36, 3, " - ") != 0) return std::nullopt;
    const std::string uuid = line.substr(uuidAt, 36);
    if (!core::Uuid::parse(uuid)) return std::nullopt;
    return LiteListed{std::stoi(number), uuid, line.substr(uuidAt + 39)};
}

bool contains(const std::string& line, const std::string& what) { return line.find(what) != std::string::npos; }

std::string credsFolder(const std::string& program) { return program + "_creds"; }

}  // namespace

fs::path litePeersDir() {
    if (const char* dir = std::getenv("STEWARD_LITE_PEERS_DIR"); dir != nullptr && *dir != '\0') return fs::path(dir);
    return fs::path(STEWARD_LITE_PEERS_DIR);
}

std::optional<std::string> liteInteropUnavailableReason(bool needNamespace) {
    if (needNamespace) {
        if (auto why = NetworkNamespace::unavailableReason()) return *why;
    }
    const auto dir = litePeersDir();
    for (const char* name : {"simpleserver", "onboarding_tool", "pki_certs"}) {
        std::error_code ec;
        if (!fs::exists(dir / name, ec)) {
            return "the iotivity-lite peers are not there: looked for " + (dir / name).string() +
                   " (set STEWARD_LITE_PEERS_DIR to the folder holding simpleserver, onboarding_tool and pki_certs/)";
        }
    }
    for (const char* name : {"simpleserver", "onboarding_tool"}) {
        if (::access((dir / name).c_str(), X_OK) != 0) return (dir / name).string() + " is not executable";
    }
    if (findOnPath("stdbuf").find('/') == std::string::npos) return "stdbuf (coreutils) is not installed";
    if (findOnPath("env").find('/') == std::string::npos) return "env (coreutils) is not installed";
    return std::nullopt;
}

std::vector<std::string> inNamespace(const NetworkNamespace& ns, const std::vector<std::string>& command) {
    auto argv = ns.execPrefix();
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
}

std::string describe(const std::vector<std::pair<std::string, const BackgroundProcess*>>& processes) {
    std::string out;
    for (const auto& [what, p] : processes) {
        out += "\n----- " + what + " -----\n";
        out += p != nullptr ? p->output() : std::string("(not started)\n");
    }
    return out;
}

NamespacedDevice startNamespacedDevice(const NetworkNamespace& ns, const std::vector<std::string>& args, const std::string& bind) {
    std::vector<std::string> command{STEWARD_DEVICE_BIN, "--json", "--bind", bind};
    command.insert(command.end(), args.begin(), args.end());
    const auto argv = inNamespace(ns, command);
    NamespacedDevice d;
    d.process = std::make_unique<BackgroundProcess>(argv.front(), std::vector<std::string>(argv.begin() + 1, argv.end()));
    const auto ready = d.process->waitForLine([](const std::string& l) { return isEvent(l, "ready"); }, 15s);
    if (!ready) throw std::runtime_error("steward-device did not become ready:\n" + d.process->output());
    const auto o = parseEventLine(ready->second);
    d.uuid = o->getValue<std::string>("uuid");
    d.address = bind == "::" || bind == "0.0.0.0" ? std::string(NetworkNamespace::kAddress1) : bind;
    d.port = static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("port")));
    d.securePort = static_cast<std::uint16_t>(std::stoi(o->getValue<std::string>("secure_port")));
    return d;
}

LitePeer::LitePeer(const NetworkNamespace& ns, const std::string& program) {
    const auto source = litePeersDir();
    fs::create_directory(dir_ / credsFolder(program));
    fs::copy(source / "pki_certs", dir_ / "pki_certs", fs::copy_options::recursive);
    // ip netns exec, env -C and stdbuf all exec: the pid BackgroundProcess holds is the program's.
    const auto argv =
        inNamespace(ns, {findOnPath("env"), "-C", dir_.path().string(), findOnPath("stdbuf"), "-oL", "-eL", (source / program).string()});
    process_ = std::make_unique<BackgroundProcess>(argv.front(), std::vector<std::string>(argv.begin() + 1, argv.end()));
}

LitePeer::~LitePeer() {
    if (process_) process_->stop(5s);
}

int LitePeer::stop(std::chrono::milliseconds timeout) { return process_->stop(timeout); }

bool LitePeer::waitForUdpPort(std::uint16_t port, std::chrono::milliseconds timeout) const {
    char hex[8];
    std::snprintf(hex, sizeof hex, ":%04X", port);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (process_->wait(0ms)) return false;  // it ended
        for (const char* table : {"udp", "udp6"}) {
            std::ifstream in("/proc/" + std::to_string(process_->pid()) + "/net/" + table);
            std::string line;
            std::getline(in, line);  // header
            while (std::getline(in, line)) {
                std::istringstream fields(line);
                std::string slot, local;
                fields >> slot >> local;
                if (local.size() > 5 && local.compare(local.size() - 5, 5, hex) == 0) return true;
            }
        }
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

LiteSimpleServer::LiteSimpleServer(const NetworkNamespace& ns) : LitePeer(ns, "simpleserver") {
    if (!waitForUdpPort(5683, 10s)) throw std::runtime_error("simpleserver did not start listening on 5683:\n" + output());
    std::this_thread::sleep_for(300ms);  // its other sockets and the multicast groups come right after
}

std::optional<std::string> LiteSimpleServer::waitForPin(std::size_t& from, std::chrono::milliseconds timeout) {
    const auto line =
        process_->waitForLine([](const std::string& l) { return digitsAfter(l, "Random PIN: ", 8).has_value(); }, timeout, from);
    if (!line) return std::nullopt;
    from = line->first + 1;
    return digitsAfter(line->second, "Random PIN: ", 8);
}

LiteOnboardingTool::LiteOnboardingTool(const NetworkNamespace& ns) : LitePeer(ns, "onboarding_tool") {
    const auto started = process_->waitForLine([](const std::string& l) { return contains(l, "Started device with ID:"); }, 15s);
    if (!started) throw std::runtime_error("onboarding_tool did not start:\n" + output());
    id_ = firstUuid(started->second);
    // The menu ends with "[99] Exit", a row of #, then the prompt without a newline.
    if (!process_->waitForLine([](const std::string& l) { return contains(l, "[99] Exit"); }, 10s, started->first)) {
        throw std::runtime_error("onboarding_tool showed no menu:\n" + output());
    }
    if (!waitForUdpPort(5683, 5s)) {
        // The tool is a client and an OCF device: it listens too, but do not insist on the port.
        std::this_thread::sleep_for(500ms);
    }
}

LiteOnboardingTool::~LiteOnboardingTool() { stop(); }

int LiteOnboardingTool::stop(std::chrono::milliseconds timeout) {
    if (auto status = process_->wait(0ms)) return *status;
    process_->writeLine("99");
    if (auto status = process_->wait(3s)) return *status;
    return process_->stop(timeout);
}

std::vector<LiteDiscovered> LiteOnboardingTool::discover(const std::string& option, const std::string& marker,
                                                         std::chrono::milliseconds window, const std::string& until) {
    const auto from = lineCount();
    process_->writeLine(option);
    const auto deadline = std::chrono::steady_clock::now() + window;
    if (!until.empty()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (process_->waitForLine([&](const std::string& l) { return contains(l, marker) && contains(l, until); }, left, from)) {
            std::this_thread::sleep_for(300ms);  // its endpoint lines
        }
    } else {
        std::this_thread::sleep_until(deadline);
    }
    std::vector<LiteDiscovered> found;
    const auto lines = process_->lines();
    for (std::size_t i = from; i < lines.size(); ++i) {
        if (!contains(lines[i], marker)) continue;
        LiteDiscovered d;
        d.uuid = firstUuid(lines[i].substr(lines[i].find(marker)));
        for (std::size_t j = i + 1; j < lines.size(); ++j) {
            if (lines[j].rfind("coap://", 0) != 0 && lines[j].rfind("coaps://", 0) != 0 && lines[j].rfind("coap+tcp", 0) != 0 &&
                lines[j].rfind("coaps+tcp", 0) != 0) {
                break;
            }
            d.endpoints.push_back(lines[j]);
        }
        bool merged = false;
        for (auto& f : found) {
            if (f.uuid == d.uuid) {
                f.endpoints.insert(f.endpoints.end(), d.endpoints.begin(), d.endpoints.end());
                merged = true;
            }
        }
        if (!merged) found.push_back(std::move(d));
    }
    return found;
}

std::vector<LiteDiscovered> LiteOnboardingTool::discoverUnowned(std::chrono::milliseconds window, const std::string& until) {
    return discover("1", "Discovered unowned device:", window, until);
}

std::vector<LiteDiscovered> LiteOnboardingTool::discoverOwned(std::chrono::milliseconds window, const std::string& until) {
    return discover("4", "Discovered owned device:", window, until);
}

LiteOutcome LiteOnboardingTool::selectAndRun(const std::string& option, const std::string& header, const std::string& uuid,
                                             const std::vector<std::string>& extra, const std::vector<std::string>& successMarkers,
                                             std::chrono::milliseconds timeout) {
    LiteOutcome outcome;
    const auto from = lineCount();
    process_->writeLine(option);
    // Either the list ("Unowned Devices:" / "My Devices:") or, with an empty list, "Please Re-discover ...".
    const auto shown = process_->waitForLine(
        [&](const std::string& l) { return contains(l, header) || contains(l, "Please Re-discover") || contains(l, "Please Re-Discover"); },
        10s, from);
    if (!shown) {
        outcome.message = "the tool showed no device list for option " + option;
        return outcome;
    }
    if (!contains(shown->second, header)) {
        outcome.message = shown->second;  // nothing to select from; the tool is back at its menu
        return outcome;
    }
    // The entries follow the header up to an empty line, printed at once with it.
    const auto end = process_->waitForLine([](const std::string& l) { return l.empty(); }, 5s, shown->first + 1);
    const auto lines = process_->lines();
    const std::size_t last = end ? end->first : lines.size();
    std::optional<int> index;
    for (std::size_t i = shown->first + 1; i < last; ++i) {
        const auto listed = listEntry(lines[i]);
        if (!listed) continue;
        outcome.list.push_back(*listed);
        if (listed->uuid == uuid) index = listed->index;
    }
    if (!index) {
        process_->writeLine("-1");  // "ERROR: Invalid selection", back to the menu
        outcome.message = uuid + " is not in the tool's list";
        process_->waitForLine([](const std::string& l) { return contains(l, "[99] Exit"); }, 5s, last);
        return outcome;
    }
    outcome.listed = true;
    const auto selectedAt = lineCount();
    process_->writeLine(std::to_string(*index));
    for (const auto& line : extra) process_->writeLine(line);
    // The synchronous part says "Successfully issued request ..." (or an ERROR); the result comes later.
    const auto result = process_->waitForLine(
        [&](const std::string& l) {
            if (contains(l, "ERROR")) return true;
            for (const auto& s : successMarkers) {
                if (contains(l, s)) return true;
            }
            return false;
        },
        timeout, selectedAt);
    if (!result) {
        outcome.message = "no result from the tool within " + std::to_string(timeout.count()) + " ms";
        return outcome;
    }
    outcome.message = result->second;
    outcome.ok = !contains(result->second, "ERROR");
    outcome.uuid = firstUuid(result->second);
    return outcome;  // the menu came back right after the request was issued
}

LiteOutcome LiteOnboardingTool::requestRandomPin(const std::string& uuid, std::chrono::milliseconds timeout) {
    return selectAndRun("9", "Unowned Devices:", uuid, {}, {"Successfully requested device"}, timeout);
}

LiteOutcome LiteOnboardingTool::randomPinOtm(const std::string& uuid, const std::string& pin, std::chrono::milliseconds timeout) {
    return selectAndRun("10", "Unowned Devices:", uuid, {pin}, {"Successfully performed OTM on device"}, timeout);
}

LiteOutcome LiteOnboardingTool::justWorksOtm(const std::string& uuid, std::chrono::milliseconds timeout) {
    return selectAndRun("8", "Unowned Devices:", uuid, {}, {"Successfully performed OTM on device"}, timeout);
}

LiteOutcome LiteOnboardingTool::resetDevice(const std::string& uuid, std::chrono::milliseconds timeout) {
    return selectAndRun("97", "My Devices:", uuid, {}, {"Successfully performed hard RESET"}, timeout);
}

}  // namespace steward::test
