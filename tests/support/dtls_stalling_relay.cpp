#include "dtls_stalling_relay.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace steward::test {
namespace {

constexpr std::uint8_t kChangeCipherSpec = 20;
constexpr std::size_t kRecordHeader = 13;  // type, version(2), epoch(2), sequence(6), length(2)

sockaddr_in ipv4(const std::string& address, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) throw std::runtime_error("not an IPv4 address: " + address);
    return a;
}

int boundSocket(const std::string& address) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    const auto local = ipv4(address, 0);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0) {
        close(fd);
        throw std::runtime_error("cannot bind " + address + ": " + std::strerror(errno));
    }
    return fd;
}

// How many bytes of a client datagram go on: all records before the first ChangeCipherSpec.
std::size_t bytesBeforeChangeCipherSpec(const std::uint8_t* data, std::size_t size) {
    std::size_t at = 0;
    while (at + kRecordHeader <= size) {
        if (data[at] == kChangeCipherSpec) return at;
        const std::size_t length = (static_cast<std::size_t>(data[at + 11]) << 8) | data[at + 12];
        at += kRecordHeader + length;
    }
    return size;
}

}  // namespace

DtlsStallingRelay::DtlsStallingRelay(const std::string& relayAddress, const std::string& serverAddress, std::uint16_t serverPort) {
    clientSide_ = boundSocket(relayAddress);
    serverSide_ = boundSocket(relayAddress);
    sockaddr_in local{};
    socklen_t length = sizeof(local);
    getsockname(clientSide_, reinterpret_cast<sockaddr*>(&local), &length);
    listenPort_ = ntohs(local.sin_port);
    const auto server = ipv4(serverAddress, serverPort);
    if (connect(serverSide_, reinterpret_cast<const sockaddr*>(&server), sizeof(server)) != 0) {
        throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    wake_ = eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { run(); });
}

DtlsStallingRelay::~DtlsStallingRelay() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = write(wake_, &one, sizeof(one));
    thread_.join();
    close(clientSide_);
    close(serverSide_);
    close(wake_);
}

void DtlsStallingRelay::run() {
    sockaddr_in client{};
    socklen_t clientLength = 0;
    bool stalled = false;
    std::vector<std::uint8_t> buffer(65536);
    for (;;) {
        pollfd fds[3] = {{clientSide_, POLLIN, 0}, {serverSide_, POLLIN, 0}, {wake_, POLLIN, 0}};
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if ((fds[2].revents & POLLIN) != 0) return;
        if ((fds[0].revents & POLLIN) != 0) {
            clientLength = sizeof(client);
            const auto n = recvfrom(clientSide_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&client), &clientLength);
            if (n > 0 && !stalled) {
                const auto keep = bytesBeforeChangeCipherSpec(buffer.data(), static_cast<std::size_t>(n));
                if (keep < static_cast<std::size_t>(n)) {
                    stalled = true;
                    ++stalledFlights_;
                }
                if (keep > 0) send(serverSide_, buffer.data(), keep, 0);
            }
        }
        if ((fds[1].revents & POLLIN) != 0) {
            const auto n = recv(serverSide_, buffer.data(), buffer.size(), 0);
            if (n > 0 && clientLength > 0) {
                sendto(clientSide_, buffer.data(), static_cast<std::size_t>(n), 0, reinterpret_cast<const sockaddr*>(&client),
                       clientLength);
            }
        }
    }
}

}  // namespace steward::test
