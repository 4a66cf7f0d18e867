// Everything stewardd keeps in its state directory is its own alone (issue 20): the real daemon
// owns a device and issues it a certificate (so the identity, the PDM with its WAL files and the
// CA all exist), then every entry below the state directory must be a 0700 directory or a 0600
// file. Run with the umask of a usual shell (022): the modes must not come from it. A state
// directory an older version left looser is tightened at start. The IDProv service's files are
// checked on their own (its plugin creates them).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon_fixture.hpp"
#include "device_fixture.hpp"
#include "stewardd_fixture.hpp"

namespace steward::test {
namespace {

using namespace std::chrono_literals;

// Every entry below `root` (root included) that is not a 0700 directory or a 0600 file, with its
// mode; symlinks and other kinds are listed as such.
std::vector<std::string> notPrivate(const std::filesystem::path& root) {
    std::vector<std::string> found;
    auto check = [&](const std::filesystem::path& p) {
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0) return;  // gone meanwhile (a temp file renamed away)
        const unsigned mode = st.st_mode & 07777;
        char octal[8];
        std::snprintf(octal, sizeof octal, "%04o", mode);
        if (S_ISDIR(st.st_mode)) {
            if (mode != 0700) found.push_back(p.string() + " (directory " + octal + ")");
        } else if (S_ISREG(st.st_mode)) {
            if (mode != 0600) found.push_back(p.string() + " (file " + octal + ")");
        } else {
            found.push_back(p.string() + " (neither a directory nor a regular file)");
        }
    };
    check(root);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) check(entry.path());
    return found;
}

// A TCP port nobody listens on right now on 127.0.0.1.
int freeTcpPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("no free TCP port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string listed(const std::vector<std::string>& entries) {
    std::string out;
    for (const auto& e : entries) out += "  " + e + "\n";
    return out;
}

class StatePermissions : public Stewardd {
protected:
    void SetUp() override {
        Stewardd::SetUp();
        previousUmask_ = ::umask(022);  // the daemon inherits it
    }
    void TearDown() override { ::umask(previousUmask_); }
    std::filesystem::path state() const { return dir / "state"; }

private:
    mode_t previousUmask_ = 022;
};

TEST_F(StatePermissions, EverythingTheDaemonCreatesIsPrivate) {
    auto jw = startDevices({"--svrdb", (dir / "jw.dat").string(), "--name", "Kitchen light"});
    Observer watch(broker.port());
    auto daemon = startDaemon(dir.path(), config("{mode: automatic, allow_justworks: true}", {at(jw)}));
    ASSERT_TRUE(watch.waitOnline()) << daemon->output();
    ASSERT_TRUE(watch.waitForEvent(
        "device_provisioned", [&](const Poco::JSON::Object::Ptr& e) { return forDevice(e, jw); }, 20s))
        << watch.dump() << daemon->output();
    // The CA is created on first use: a device certificate.
    const auto cert = watch.request("cert", "{\"device\":\"" + jw[0].id.toString() + "\"}");
    ASSERT_TRUE(ok(cert)) << watch.dump() << daemon->output();

    // What the walk must at least cover: the identity and its owner-key log, the PDM with its WAL files, the CA.
    for (const char* part :
         {"gateway.svrdb", "gateway.svrdb.keys", "pdm.sqlite", "pdm.sqlite-wal", "pdm.sqlite-shm", "ca/ca.key", "ca/ca.crt"}) {
        EXPECT_TRUE(std::filesystem::exists(state() / part)) << part;
    }
    const auto whileRunning = notPrivate(state());
    EXPECT_TRUE(whileRunning.empty()) << "while running:\n" << listed(whileRunning);

    daemon->stop(10s);
    const auto afterStop = notPrivate(state());
    EXPECT_TRUE(afterStop.empty()) << "after a clean stop:\n" << listed(afterStop);
}

// The IDProv service keeps its TLS key and the certificates it issued below state/idprov (its
// plugin creates them; on loopback, without DNS-SD, so no Avahi is needed).
TEST_F(StatePermissions, TheIdprovServiceFilesArePrivate) {
    const auto yaml = config("{mode: manual}", {}) + "idprov: {enabled: true, listen: 127.0.0.1, port: " + std::to_string(freeTcpPort()) +
                      ", dnssd: false}\n";
    auto daemon = startDaemon(dir.path(), yaml);
    ASSERT_TRUE(std::filesystem::exists(state() / "idprov")) << daemon->output();
    const auto found = notPrivate(state());
    EXPECT_TRUE(found.empty()) << listed(found);
}

TEST_F(StatePermissions, AStateDirectoryLeftLooserIsTightenedAtStart) {
    // As an older version left it: a 0755 state directory and CA directory, a 0644 certificate,
    // an admin's stray 0666 file.
    {
        auto daemon = startDaemon(dir.path(), config("{mode: manual}", {}));
        daemon->stop(10s);
    }
    std::filesystem::create_directories(state() / "ca");
    std::ofstream(state() / "ca" / "ca.crt") << "not a real certificate, but it must not be world-readable either\n";
    std::ofstream(state() / "notes.txt") << "x\n";
    for (const auto& [path, mode] : std::vector<std::pair<std::filesystem::path, mode_t>>{
             {state(), 0755}, {state() / "ca", 0755}, {state() / "ca" / "ca.crt", 0644}, {state() / "notes.txt", 0666}}) {
        ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
    }
    ASSERT_FALSE(notPrivate(state()).empty());

    auto daemon = startDaemon(dir.path(), config("{mode: manual}", {}));
    const auto found = notPrivate(state());
    EXPECT_TRUE(found.empty()) << listed(found);
}

}  // namespace
}  // namespace steward::test
