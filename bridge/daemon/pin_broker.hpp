#pragma once
// Random PIN over MQTT: an ownership transfer waits here for the PIN a person reads off the
// device and sends as request/pin; no answer in time fails that transfer only. Thread-safe: the
// transfer waits on the provisioning worker, the answer arrives on the MQTT thread.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/model/uuid.hpp"

namespace steward::bridge {

class PinBroker {
public:
    // Blocks until answer() for `device`, the timeout, or cancelAll(); nullopt unless answered.
    std::optional<core::SecretBytes> wait(const core::Uuid& device, std::chrono::milliseconds timeout);
    // False when nobody waits for this device's PIN (the answer is dropped).
    bool answer(const core::Uuid& device, core::SecretBytes pin);
    bool waiting(const core::Uuid& device) const;
    // Every wait returns nullopt now, and later waits too (shutdown).
    void cancelAll();

private:
    struct Slot {
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
