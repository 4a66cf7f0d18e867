#pragma once
// Random PIN over MQTT: an ownership transfer waits here for the PIN a person reads off the
// device and sends as request/pin; no answer in time fails that transfer only. Several devices may
// wait at once (each its own pairing request). Thread-safe: transfers wait on worker threads, the
// answers arrive on the MQTT thread.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/model/uuid.hpp"

namespace steward::bridge {

// An open pairing request: what was announced, so that it can be announced again.
struct PinRequest {
    core::Uuid device;
    int attempt = 1;   // 1-based: a wrong PIN makes the next attempt with a new PIN
    int attempts = 1;  // the most there will be
    std::chrono::system_clock::time_point expiresAt{};
};

class PinBroker {
public:
    enum class Ended { Answered, TimedOut, Cancelled };
    struct Outcome {
        std::optional<core::SecretBytes> pin;  // set when Answered
        Ended ended = Ended::TimedOut;
    };

    // Blocks until answer() for request.device, the timeout, or cancelAll(). While it waits,
    // open(request.device) returns `request`. `onOpen` runs once the request is open (without the
    // lock): announce the request there, so that an answer as quick as the announcement is not
    // dropped for arriving before the wait.
    Outcome wait(const PinRequest& request, std::chrono::milliseconds timeout, const std::function<void()>& onOpen = {});
    std::optional<core::SecretBytes> wait(const core::Uuid& device, std::chrono::milliseconds timeout);
    // False when nobody waits for this device's PIN (the answer is dropped).
    bool answer(const core::Uuid& device, core::SecretBytes pin);
    bool waiting(const core::Uuid& device) const;
    std::optional<PinRequest> open(const core::Uuid& device) const;
    std::size_t openCount() const;
    // Every wait returns Cancelled now, and later waits too (shutdown).
    void cancelAll();

private:
    struct Slot {
        PinRequest request;
        std::optional<core::SecretBytes> pin;
    };
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::map<core::Uuid, Slot> waiting_;
    bool cancelled_ = false;
};

// Exactly 8 ASCII digits (OCF Random PIN).
bool isWellFormedPin(const std::string& pin);

}  // namespace steward::bridge
