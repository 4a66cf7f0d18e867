#pragma once
// Which DTLS server handshakes in progress to drop (issue 20.3): a pure decision, so that it can
// be tested on a clock the test moves. EndpointCore applies it after every turn of its I/O loop.
//
// Order: first every handshake past its timeout; then, per address over its bound, that address's
// oldest; then, while the listener is over its bound, the oldest handshake of the address holding
// the most (ties: the address whose oldest is older). A flood therefore evicts the flooder's own
// handshakes first; a client with one fresh handshake is evicted only when every address holds as
// few as it and its handshake is the oldest of all — i.e. it failed to finish while `total` newer
// handshakes arrived. Header-only: it is small, and core/CMakeLists.txt lists its sources.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "steward/transport/coap_endpoint.hpp"

namespace steward::core::detail {

struct HandshakeInProgress {
    SessionId id = 0;
    std::string address;                              // the peer's IP address, without its port
    std::chrono::steady_clock::time_point started{};  // when its cookie echo was accepted
};

enum class EvictionReason { TimedOut, PerAddress, Total };

struct HandshakeEviction {
    SessionId id = 0;
    EvictionReason reason = EvictionReason::TimedOut;
};

inline std::vector<HandshakeEviction> handshakesToEvict(std::vector<HandshakeInProgress> handshakes, const ServerHandshakeLimits& limits,
                                                        std::chrono::steady_clock::time_point now) {
    std::vector<HandshakeEviction> evict;
    std::stable_sort(handshakes.begin(), handshakes.end(), [](const auto& a, const auto& b) { return a.started < b.started; });
    // Per address, oldest first (handshakes is sorted, so each list is too).
    std::map<std::string, std::vector<const HandshakeInProgress*>> byAddress;
    std::size_t live = 0;
    for (const auto& h : handshakes) {
        if (limits.timeout.count() > 0 && now - h.started >= limits.timeout) {
            evict.push_back({h.id, EvictionReason::TimedOut});
            continue;
        }
        byAddress[h.address].push_back(&h);
        ++live;
    }
    const std::size_t perAddress = std::max<std::size_t>(limits.perAddress, 1);
    for (auto& [address, list] : byAddress) {
        while (list.size() > perAddress) {
            evict.push_back({list.front()->id, EvictionReason::PerAddress});
            list.erase(list.begin());
            --live;
        }
    }
    const std::size_t total = std::max<std::size_t>(limits.total, 1);
    while (live > total) {
        auto heaviest = byAddress.end();
        for (auto it = byAddress.begin(); it != byAddress.end(); ++it) {
            if (it->second.empty()) continue;
            if (heaviest == byAddress.end() || it->second.size() > heaviest->second.size() ||
                (it->second.size() == heaviest->second.size() && it->second.front()->started < heaviest->second.front()->started)) {
                heaviest = it;
            }
        }
        evict.push_back({heaviest->second.front()->id, EvictionReason::Total});
        heaviest->second.erase(heaviest->second.begin());
        --live;
    }
    return evict;
}

}  // namespace steward::core::detail
