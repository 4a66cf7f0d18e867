#pragma once
// A private network for multicast tests (../shared/design/testing-network.md): a namespace with
// a veth pair v0 (169.254.88.1) <-> v1 (169.254.88.2), both ends inside it, so no multicast ever
// reaches the machine's real interfaces. Deleted (with every process still in it) on destruction.
#include <optional>
#include <string>
#include <vector>

namespace steward::test {

class NetworkNamespace {
public:
    // Why a namespace cannot be made here (not root, no `ip`), or nullopt if it can.
    static std::optional<std::string> unavailableReason();

    NetworkNamespace();  // throws std::runtime_error with the failing command's output
    ~NetworkNamespace();
    NetworkNamespace(const NetworkNamespace&) = delete;
    NetworkNamespace& operator=(const NetworkNamespace&) = delete;

    const std::string& name() const { return name_; }
    // argv prefix that runs a program inside: {"ip", "netns", "exec", name}.
    std::vector<std::string> execPrefix() const;
    static constexpr const char* kAddress0 = "169.254.88.1";
    static constexpr const char* kAddress1 = "169.254.88.2";

private:
    std::string name_;
};

}  // namespace steward::test
